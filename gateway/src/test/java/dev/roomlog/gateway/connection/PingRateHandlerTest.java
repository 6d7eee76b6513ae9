package dev.roomlog.gateway.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.RecordingWalAppender;
import dev.roomlog.gateway.TestPipelines;
import dev.roomlog.gateway.WebSocketTestClient;
import dev.roomlog.protocol.action.Action;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Client pings through the whole pipeline: answered up to {@code maxPingsPerSecond} (3 here),
 * closed with 1008 past it, and cut off with 1013 when the client does not read its pongs. Time is
 * moved by hand.
 */
class PingRateHandlerTest {
  private static final int PINGS_PER_SECOND = 3;
  private static final long INTERVAL_NANOS = 1_000_000_000L / PINGS_PER_SECOND;

  private final RecordingWalAppender wal = new RecordingWalAppender();
  private final ConnectionRegistry registry = new ConnectionRegistry();
  private final MockTicker ticker = Ticker.newMockTicker();
  private final WebSocketTestClient client =
      TestPipelines.client(
          TestPipelines.settings().maxPingsPerSecond(PINGS_PER_SECOND).build(),
          wal,
          registry,
          ticker);

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

  private void ping(String payload) {
    client.send(new PingWebSocketFrame(Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8)));
  }

  private void expectPong(String payload) {
    WebSocketFrame frame = client.nextFrame();
    PongWebSocketFrame pong = assertInstanceOf(PongWebSocketFrame.class, frame);
    assertEquals(payload, pong.content().toString(StandardCharsets.UTF_8));
    pong.release();
  }

  private void assertClosedForFlooding() {
    TestPipelines.Close close = TestPipelines.expectClose(client);
    assertEquals(
        new TestPipelines.Close(1008, PingRateHandler.floodReason(PINGS_PER_SECOND)), close);
    assertInstanceOf(Action.Disconnect.class, wal.last().record().action());
    assertEquals(0, registry.size());
  }

  @Test
  void pingsUpToTheRateAreAnsweredAndOneMoreClosesWith1008() {
    for (int i = 1; i <= PINGS_PER_SECOND; i++) {
      ping("p" + i);
      expectPong("p" + i);
    }
    assertTrue(client.server.isOpen());

    ping("one too many");

    assertClosedForFlooding();
    TestPipelines.closeAndFinish(client);
  }

  @Test
  void theBucketEarnsOnePingPerIntervalAndNoMore() {
    for (int i = 1; i <= PINGS_PER_SECOND; i++) {
      ping("p" + i);
      expectPong("p" + i);
    }

    ticker.advance(INTERVAL_NANOS, TimeUnit.NANOSECONDS);
    ping("earned");
    expectPong("earned");
    assertTrue(client.server.isOpen());

    ping("not earned yet");

    assertClosedForFlooding();
    TestPipelines.closeAndFinish(client);
  }

  @Test
  void pingJustBeforeTheNextTokenClosesWith1008() {
    for (int i = 1; i <= PINGS_PER_SECOND; i++) {
      ping("p" + i);
      expectPong("p" + i);
    }

    ticker.advance(INTERVAL_NANOS - 1, TimeUnit.NANOSECONDS);
    ping("too early");

    assertClosedForFlooding();
    TestPipelines.closeAndFinish(client);
  }

  @Test
  void pingFromAClientThatDoesNotReadIsDroppedAndCutsItOffWith1013() {
    // As if maxOutboundBytesPerConnection of pongs were waiting for the client.
    client.server.unsafe().outboundBuffer().setUserDefinedWritability(1, false);

    ping("unread");

    assertEquals(
        new TestPipelines.Close(1013, ConnectionRegistry.SLOW_CLIENT_REASON),
        TestPipelines.expectClose(client));
    assertEquals(1, registry.slowClientsCut());
    assertEquals(0, registry.size());
    TestPipelines.closeAndFinish(client);
  }

  @Test
  void pongsAreNotCountedAsPings() {
    for (int i = 0; i < 10 * PINGS_PER_SECOND; i++) {
      client.send(new PongWebSocketFrame());
    }
    ping("still allowed");

    expectPong("still allowed");
    assertNull(client.nextFrame());
    assertTrue(client.server.isOpen());
    TestPipelines.closeAndFinish(client);
  }
}
