package dev.roomlog.gateway.connection;

import static dev.roomlog.gateway.TestPipelines.rawFrame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.RecordingWalAppender;
import dev.roomlog.gateway.TestPipelines;
import dev.roomlog.gateway.WebSocketTestClient;
import dev.roomlog.protocol.action.Action;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The closing handshake through the whole pipeline, with time moved by hand: after the server's
 * close frame nothing the client sends is acted on, the socket closes on the client's close frame
 * or at {@code closeTimeout}, exactly one close frame goes out; and the close codes a client may
 * send (RFC 6455 7.4).
 */
class LingeringCloseTest {
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  private static final String ACTION = "{\"action\":\"leaveRoom\",\"roomId\":\"lobby\"}";
  private static final int CLOSE = 0x8;

  private final RecordingWalAppender wal = new RecordingWalAppender();
  private final ConnectionRegistry registry = new ConnectionRegistry();
  private final MockTicker ticker = Ticker.newMockTicker();
  private final WebSocketTestClient client =
      TestPipelines.client(
          TestPipelines.settings().closeTimeout(CLOSE_TIMEOUT).build(), wal, registry, ticker);

  @AfterEach
  void release() {
    TestPipelines.closeAndFinish(client);
    client.close();
  }

  private void advance(Duration by) {
    ticker.advance(by.toNanos(), TimeUnit.NANOSECONDS);
    client.server.runScheduledPendingTasks();
  }

  /**
   * Connects, and has the server close the connection as its handlers do: a close frame through the
   * channel, then a close. The close goes through the pipeline rather than {@code
   * EmbeddedChannel.close()}, which would also cancel every scheduled task, the deadline with them
   * (a real channel's close does not).
   */
  private io.netty.channel.ChannelFuture connectAndCloseFromTheServer() {
    TestPipelines.connect(client);
    client.server.writeAndFlush(
        new CloseWebSocketFrame(
            WebSocketCloseStatus.NORMAL_CLOSURE, ConnectionRegistry.DELETED_REASON));
    io.netty.channel.ChannelFuture closing = client.server.pipeline().close();
    TestPipelines.Close close = TestPipelines.expectCloseFrame(client);
    assertEquals(new TestPipelines.Close(1000, ConnectionRegistry.DELETED_REASON), close);
    return closing;
  }

  @Test
  void afterItsCloseFrameTheServerActsOnNothingTheClientSendsAndAnswersNothing() {
    TestPipelines.connect(client);
    // A member somewhere, so that its close is logged ($disconnect) once the socket closes.
    client.sendText("{\"action\":\"joinRoom\",\"roomId\":\"lobby\",\"username\":\"ann\"}");
    client.server.writeAndFlush(
        new CloseWebSocketFrame(
            WebSocketCloseStatus.NORMAL_CLOSURE, ConnectionRegistry.DELETED_REASON));
    client.server.pipeline().close();
    assertEquals(
        new TestPipelines.Close(1000, ConnectionRegistry.DELETED_REASON),
        TestPipelines.expectCloseFrame(client));
    String id = wal.records().get(0).connectionId();
    int recordsBefore = wal.records().size();

    client.sendText(ACTION);
    client.sendText("not json");
    client.send(new PingWebSocketFrame());

    assertNull(client.nextFrame(), "no error frame, no pong, no second close frame");
    assertEquals(recordsBefore, wal.records().size(), "nothing reached the log");
    assertTrue(client.server.isOpen(), "still reading, for the client's close frame");
    assertEquals(1, registry.size());

    client.send(new CloseWebSocketFrame(1000, ""));

    assertFalse(client.server.isOpen(), "closed on the client's close frame");
    assertNull(client.nextFrame(), "the client's close frame is not echoed: one close frame only");
    assertEquals(0, registry.size());
    assertInstanceOf(Action.Disconnect.class, wal.last().record().action());
    assertEquals(id, wal.last().record().connectionId());
  }

  @Test
  void aClientThatNeverAnswersIsClosedAtCloseTimeoutAndNotBefore() {
    connectAndCloseFromTheServer();

    advance(CLOSE_TIMEOUT.minusNanos(1));
    assertTrue(client.server.isOpen(), "one nanosecond before closeTimeout");

    advance(Duration.ofNanos(1));
    advance(Duration.ofSeconds(1));
    advance(Duration.ofSeconds(100));
    assertFalse(client.server.isOpen(), "at closeTimeout");
    assertEquals(0, registry.size());
  }

  @Test
  void theClientsEndOfStreamClosesTheSocketAtOnce() {
    connectAndCloseFromTheServer();

    client.endOfStream();

    assertFalse(client.server.isOpen());
    assertEquals(0, registry.size());
  }

  @Test
  void aCloseAskedForWhileWaitingCompletesWhenTheSocketReallyCloses() {
    io.netty.channel.ChannelFuture closing = connectAndCloseFromTheServer();

    assertFalse(closing.isDone(), "the socket waits for the client's close frame");
    assertTrue(client.server.isOpen());
    client.send(new CloseWebSocketFrame(1000, ""));
    assertTrue(closing.isSuccess());
    assertFalse(client.server.isOpen());
  }

  @Test
  void aSecondCloseFrameFromTheServerIsNotSent() {
    connectAndCloseFromTheServer();

    client.server.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE));
    // From below Netty's WebSocket handler, which drops the first one: as its echo is written.
    client
        .server
        .pipeline()
        .context("webSocket")
        .writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE));

    assertNull(client.nextFrame());
  }

  @Test
  void aCloseStartedByTheClientIsEchoedOnceAndTheSocketClosedAfterTheEcho() {
    TestPipelines.connect(client);

    client.send(new CloseWebSocketFrame(4000, "done"));

    CloseWebSocketFrame echo = assertInstanceOf(CloseWebSocketFrame.class, client.nextFrame());
    assertEquals(4000, echo.statusCode());
    echo.release();
    assertNull(client.nextFrame());
    assertFalse(client.server.isOpen(), "no need to wait: the client has already closed");
  }

  /** Close codes a client may send: each is echoed back, and the socket closes. */
  @ParameterizedTest
  @ValueSource(
      ints = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999})
  void aValidCloseCodeFromTheClientIsEchoed(int code) {
    TestPipelines.connect(client);

    client.sendRaw(rawFrame(true, 0, CLOSE, true, closePayload(code)));

    assertEquals(List.of(code), closeCodesSent());
    assertFalse(client.server.isOpen());
  }

  @Test
  void anEmptyCloseFrameFromTheClientIsEchoedEmpty() {
    TestPipelines.connect(client);

    client.sendRaw(rawFrame(true, 0, CLOSE, true, new byte[0]));

    assertEquals(List.of(-1), closeCodesSent(), "a close frame without a code");
    assertFalse(client.server.isOpen());
  }

  /**
   * Codes a client may not send (RFC 6455 7.4.1, 7.4.2): 1004-1006 and 1015 are reserved, 0-999 and
   * 1016-2999 are not used, 5000 and up are not defined. Each is a protocol error.
   */
  @ParameterizedTest
  @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535})
  void anInvalidCloseCodeFromTheClientIsAnsweredWith1002(int code) {
    TestPipelines.connect(client);

    client.sendRaw(rawFrame(true, 0, CLOSE, true, closePayload(code)));

    assertEquals(List.of(1002), closeCodesSent(), "one close frame, 1002, not an echo");
    // Netty's decoder refuses some of these itself and then reads nothing more; the others are
    // refused after the frame was read, so the client has closed already. Either way the client
    // is done: once it ends its stream (if the server has not closed already), it is closed.
    if (client.server.isOpen()) {
      client.endOfStream();
    }
    assertFalse(client.server.isOpen());
  }

  @Test
  void aCloseCodeNettyAcceptsButRfc6455DoesNotClosesTheSocketRightAfterThe1002() {
    TestPipelines.connect(client);

    client.sendRaw(rawFrame(true, 0, CLOSE, true, closePayload(5000)));

    assertEquals(List.of(1002), closeCodesSent());
    assertFalse(client.server.isOpen(), "the client's close frame came: nothing to wait for");
  }

  private static byte[] closePayload(int code) {
    return new byte[] {(byte) (code >> 8), (byte) code};
  }

  /** The codes of the close frames the server sent (-1: none), checking nothing else came. */
  private List<Integer> closeCodesSent() {
    List<WebSocketFrame> frames = client.remainingFrames();
    try {
      return frames.stream()
          .map(f -> assertInstanceOf(CloseWebSocketFrame.class, f, "only close frames: " + f))
          .map(f -> f.content().isReadable() ? f.statusCode() : -1)
          .toList();
    } finally {
      frames.forEach(ReferenceCountUtil::release);
    }
  }
}
