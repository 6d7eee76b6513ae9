package dev.roomlog.gateway.handshake;

import static dev.roomlog.gateway.TestPipelines.KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.RecordingWalAppender;
import dev.roomlog.gateway.TestPipelines;
import dev.roomlog.gateway.WebSocketTestClient;
import dev.roomlog.gateway.connection.ConnectionRegistry;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The handshake timeout, counted from TCP accept, with time moved by hand. */
class HandshakeTimeoutTest {
  private static final Duration TIMEOUT = Duration.ofMillis(300);

  private final RecordingWalAppender wal = new RecordingWalAppender();
  private final ConnectionRegistry registry = new ConnectionRegistry();
  private final MockTicker ticker = Ticker.newMockTicker();
  private final WebSocketTestClient client =
      TestPipelines.client(
          TestPipelines.settings().handshakeTimeout(TIMEOUT).build(), wal, registry, ticker);

  @AfterEach
  void release() {
    client.close();
  }

  private void advance(long millis) {
    ticker.advance(millis, TimeUnit.MILLISECONDS);
    client.server.runScheduledPendingTasks();
  }

  private void send(String requestBytes) {
    client.server.writeInbound(Unpooled.copiedBuffer(requestBytes, StandardCharsets.US_ASCII));
  }

  private void assertTimedOut() {
    WebSocketTestClient.HttpReply reply = client.pendingHttpReply();
    assertEquals(408, reply.status());
    assertEquals("close", reply.headers().get("connection"));
    assertTrue(reply.body().contains("within 300ms"), reply.body());
    assertFalse(client.server.isOpen());
    assertEquals(List.of(), wal.records());
    assertEquals(0, registry.size());
    assertFalse(client.server.finish());
  }

  @Test
  void clientThatSendsNothingIsOpenUntilTheTimeoutThenGets408AndIsClosed() {
    advance(TIMEOUT.toMillis() - 1);
    assertTrue(client.server.isOpen());
    assertNull(client.server.readOutbound());

    advance(1);

    assertTimedOut();
  }

  @Test
  void clientThatDribblesItsRequestIsClosedAtTheTimeoutCountedFromAccept() {
    String request = WebSocketTestClient.upgradeRequest("/", KEY);
    // Everything but the final CRLF, in slices at 0, 100 and 200 ms: progress does not reset
    // the timer.
    send(request.substring(0, 8));
    advance(100);
    send(request.substring(8, 40));
    advance(100);
    send(request.substring(40, request.length() - 2));
    advance(99);
    assertTrue(client.server.isOpen());
    assertNull(client.server.readOutbound());

    advance(1);

    assertTimedOut();
  }

  @Test
  void handshakeThatCompletesJustBeforeTheTimeoutIsNotClosedByIt() {
    String request = WebSocketTestClient.upgradeRequest("/", KEY);
    send(request.substring(0, 20));
    advance(TIMEOUT.toMillis() - 1);
    assertTrue(client.server.isOpen());

    WebSocketTestClient.HttpReply reply = client.http(request.substring(20));
    assertEquals(101, reply.status());
    assertEquals("connected", TestPipelines.json(client.nextText()).get("type").asText());
    assertNull(client.server.pipeline().get(HandshakeTimeoutHandler.class), "the timer left");

    advance(10 * TIMEOUT.toMillis());
    assertTrue(client.server.isOpen());
    assertNull(client.nextFrame(), "nothing sent: no 408, no close");
    assertEquals(1, registry.size());
    TestPipelines.closeAndFinish(client);
  }
}
