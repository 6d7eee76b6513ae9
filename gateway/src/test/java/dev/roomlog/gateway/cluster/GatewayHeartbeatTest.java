package dev.roomlog.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.RecordingWalAppender;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.RequestContext.EventType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GatewayHeartbeatTest {
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(1_000_000), ZoneOffset.UTC);

  private final RecordingWalAppender wal = new RecordingWalAppender();
  private final GatewayHeartbeat heartbeat =
      new GatewayHeartbeat(wal, "gw-1", "run-7", Duration.ofHours(1), CLOCK);

  @AfterEach
  void close() {
    heartbeat.close();
  }

  @Test
  void aBeatIsAHeartbeatForEveryPartitionStampedWithTheGatewayAndItsRun() {
    heartbeat.beat();

    WalRecord beat = wal.last().record();
    assertInstanceOf(Action.Heartbeat.class, beat.action());
    assertTrue(beat.toEveryPartition());
    assertEquals("gw-1", beat.key());
    assertEquals(EventType.HEARTBEAT, beat.requestContext().eventType());
    assertEquals("gw-1", beat.requestContext().gatewayId());
    assertEquals("run-7", beat.requestContext().gatewayInstance());
    assertEquals(1_000_000, beat.requestContext().requestTimeEpoch());
  }

  @Test
  void skipsABeatWhileThePreviousOneIsUnsettledSoAnOutageDoesNotPileThemUp() throws Exception {
    CompletableFuture<Void> first = heartbeat.beat();
    CompletableFuture<Void> second = heartbeat.beat();

    assertEquals(1, wal.count(Action.Heartbeat.class));
    assertTrue(second.isCompletedExceptionally());
    wal.last().callback().onAcknowledged();
    first.get();
    heartbeat.beat();
    assertEquals(2, wal.count(Action.Heartbeat.class));
    assertEquals(1, heartbeat.beats());
  }

  @Test
  void aFailedBeatLetsTheNextOneGo() {
    CompletableFuture<Void> first = heartbeat.beat();
    wal.last().callback().onFailure(new IllegalStateException("kafka down"));

    assertThrows(ExecutionException.class, first::get);
    heartbeat.beat();
    assertEquals(2, wal.count(Action.Heartbeat.class));
  }

  @Test
  void startFailsWhenTheFirstBeatIsNotAcknowledgedInTime() {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> heartbeat.start(Duration.ofMillis(50)));
    assertTrue(e.getMessage().contains("first heartbeat"), e.getMessage());
  }

  @Test
  void startReturnsOnceTheFirstBeatIsAcknowledgedFromAnotherThread() {
    Thread kafka =
        new Thread(
            () -> {
              org.awaitility.Awaitility.await()
                  .atMost(Duration.ofSeconds(5))
                  .until(() -> wal.count(Action.Heartbeat.class) == 1);
              wal.last().callback().onAcknowledged();
            },
            "plays-kafka");
    kafka.start();

    heartbeat.start(Duration.ofSeconds(10));

    assertEquals(1, heartbeat.beats());
  }

  @Test
  void startFailsWhenTheLogIsClosed() {
    wal.setClosed(true);
    assertThrows(IllegalStateException.class, () -> heartbeat.start(Duration.ofSeconds(5)));
  }
}
