package dev.roomlog.gateway.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.RecordingWalAppender;
import dev.roomlog.gateway.TestPipelines;
import dev.roomlog.gateway.WebSocketTestClient;
import dev.roomlog.protocol.action.Action;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Idle timeout, maximum connection age and server pings through the whole pipeline, with the
 * default limits (idle 10m, age 2h, ping every 30s of silence, pong within 10s) and time moved by
 * hand.
 */
class LivenessTest {
  private static final String ACTION = "{\"action\":\"leaveRoom\",\"roomId\":\"lobby\"}";

  private final RecordingWalAppender wal = new RecordingWalAppender();
  private final ConnectionRegistry registry = new ConnectionRegistry();
  private final MockTicker ticker = Ticker.newMockTicker();
  private final WebSocketTestClient client =
      TestPipelines.client(TestPipelines.settings().build(), wal, registry, ticker);
  private long elapsedMillis;
  private int pingsSeen;

  @BeforeEach
  void connect() {
    TestPipelines.connect(client);
    // A member of a room (as far as the gateway knows), so that its close writes a $disconnect.
    client.sendText("{\"action\":\"joinRoom\",\"roomId\":\"lobby\",\"username\":\"ann\"}");
  }

  @AfterEach
  void release() {
    client.close();
  }

  /** Moves time by {@code millis} and runs what became due. */
  private void advance(long millis) {
    ticker.advance(millis, TimeUnit.MILLISECONDS);
    elapsedMillis += millis;
    client.server.runScheduledPendingTasks();
  }

  /** Moves time to {@code at} (since the handshake), one second at a time, answering pings. */
  private void runAnsweringPingsUntil(Duration at) {
    while (elapsedMillis < at.toMillis()) {
      advance(Math.min(1_000, at.toMillis() - elapsedMillis));
      answerPings();
    }
  }

  private void answerPings() {
    for (WebSocketFrame frame; (frame = client.nextFrame()) != null; ) {
      if (frame instanceof PingWebSocketFrame) {
        pingsSeen++;
        client.send(new PongWebSocketFrame());
      }
      frame.release();
    }
  }

  private void assertOpenAndQuiet() {
    assertTrue(client.server.isOpen());
    assertNull(client.nextFrame());
  }

  private void assertDisconnectWritten() {
    assertInstanceOf(Action.Disconnect.class, wal.last().record().action());
    assertEquals(0, registry.size());
  }

  @Test
  void clientThatOnlyAnswersPingsIsClosedWith1001WhenIdleTimeoutEnds() {
    runAnsweringPingsUntil(Duration.ofMinutes(10).minusMillis(1));
    assertOpenAndQuiet();
    assertTrue(pingsSeen >= 10, "pongs kept it alive, pings: " + pingsSeen);

    advance(1);

    TestPipelines.Close close = TestPipelines.expectClose(client);
    assertEquals(1001, close.code());
    assertEquals("idle for 10m: reconnect when you need to", close.reason());
    assertDisconnectWritten();
    TestPipelines.closeAndFinish(client);
  }

  @Test
  void messageJustBeforeTheIdleTimeoutStartsItAgain() {
    runAnsweringPingsUntil(Duration.ofMinutes(10).minusMillis(1));
    client.sendText(ACTION);

    runAnsweringPingsUntil(Duration.ofMinutes(20).minusMillis(2));
    assertOpenAndQuiet();

    advance(1);
    assertEquals(1001, TestPipelines.expectClose(client).code());
    TestPipelines.closeAndFinish(client);
  }

  @Test
  void busyConnectionIsClosedWith1001AtMaximumAge() {
    for (int minute = 5; minute < 120; minute += 5) {
      runAnsweringPingsUntil(Duration.ofMinutes(minute));
      client.sendText(ACTION);
    }
    runAnsweringPingsUntil(Duration.ofHours(2).minusMillis(1));
    assertOpenAndQuiet();

    advance(1);

    TestPipelines.Close close = TestPipelines.expectClose(client);
    assertEquals(1001, close.code());
    assertEquals("maximum connection age reached: reconnect and resume", close.reason());
    assertDisconnectWritten();
    TestPipelines.closeAndFinish(client);
  }

  @Test
  void silentClientIsPingedAfterThePingIntervalAndClosedWhenNoPongComesWithinThePongTimeout() {
    advance(30_000 - 1);
    assertOpenAndQuiet();

    advance(1);
    WebSocketFrame ping = client.nextFrame();
    assertInstanceOf(PingWebSocketFrame.class, ping);
    ping.release();

    advance(10_000 - 1);
    assertOpenAndQuiet();

    advance(1);
    TestPipelines.Close close = TestPipelines.expectClose(client);
    assertEquals(1001, close.code());
    assertEquals("no pong within 10s: connection presumed dead", close.reason());
    assertDisconnectWritten();
    TestPipelines.closeAndFinish(client);
  }

  @Test
  void pongJustBeforeThePongTimeoutKeepsItOpenAndTheNextPingComesAfterAnotherSilentInterval() {
    advance(30_000);
    client.nextFrame().release();
    advance(10_000 - 1);
    client.send(new PongWebSocketFrame());

    advance(30_000 - 1);
    assertOpenAndQuiet();
    advance(1);
    WebSocketFrame ping = client.nextFrame();
    assertInstanceOf(PingWebSocketFrame.class, ping);
    ping.release();
    TestPipelines.closeAndFinish(client);
  }

  @Test
  void anyFrameAnswersAPing() {
    advance(30_000);
    client.nextFrame().release();

    client.sendText(ACTION);
    advance(10_000);

    assertOpenAndQuiet();
    TestPipelines.closeAndFinish(client);
  }

  @Test
  void clientThatSendsAMessageEvery20sIsNeverPinged() {
    for (int i = 0; i < 6; i++) {
      advance(20_000);
      client.sendText(ACTION);
    }
    assertOpenAndQuiet();
    TestPipelines.closeAndFinish(client);
  }

  @Test
  void clientThatPingsEvery20sIsNotPingedButStillGoesIdle() {
    for (int i = 0; i < 29; i++) {
      advance(20_000);
      client.send(new PingWebSocketFrame());
      WebSocketFrame pong = client.nextFrame();
      assertInstanceOf(PongWebSocketFrame.class, pong, "the server answers, and does not ping");
      pong.release();
      assertNull(client.nextFrame());
    }
    advance(20_000);
    assertEquals(1001, TestPipelines.expectClose(client).code(), "idle after 10 minutes");
    TestPipelines.closeAndFinish(client);
  }
}
