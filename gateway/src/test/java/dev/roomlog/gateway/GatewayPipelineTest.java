package dev.roomlog.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.action.RequestContext.EventType;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The whole client pipeline in an EmbeddedChannel, driven with real HTTP and WebSocket bytes. */
class GatewayPipelineTest {
  private static final String KEY = "secret-key";
  private static final String GATEWAY_ID = "gw-test";
  private static final Instant T0 = Instant.parse("2024-04-01T12:00:00Z");

  private final RecordingWalAppender wal = new RecordingWalAppender();
  private final ConnectionRegistry registry = new ConnectionRegistry();
  private final AtomicInteger idCounter = new AtomicInteger();
  private final MutableClock clock = new MutableClock(T0);
  private GatewaySettings settings =
      GatewaySettings.of(Set.of(KEY, "other-key"), GATEWAY_ID).withMessageLimits(1024, 4096);
  private WebSocketTestClient client;

  private WebSocketTestClient client() {
    ActionIntake intake =
        new ActionIntake(GATEWAY_ID, wal, clock, () -> "id-" + idCounter.incrementAndGet());
    client = new WebSocketTestClient(new GatewayInitializer(settings, intake, registry));
    return client;
  }

  /** A connected client whose {@code connected} frame has been read; returns its connectionId. */
  private String connect() {
    WebSocketTestClient c = client();
    assertEquals(101, c.handshake(KEY).status());
    return json(c.nextText()).get("connectionId").asText();
  }

  private static JsonNode json(String text) {
    try {
      return Json.MAPPER.readTree(text);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  @AfterEach
  void finish() {
    if (client != null) {
      client.close();
    }
  }

  /** Closes the server channel, drops the close frame it sends, and checks nothing is left. */
  private void closeAndFinish() {
    client.server.close();
    for (WebSocketFrame frame : client.remainingFrames()) {
      ReferenceCountUtil.release(frame);
    }
    assertFalse(client.server.finish());
  }

  @Test
  void handshakeWithAValidKeyUpgradesAndTheFirstFrameIsConnected() {
    WebSocketTestClient c = client();

    WebSocketTestClient.HttpReply reply = c.handshake(KEY);

    assertEquals(101, reply.status());
    assertEquals("websocket", reply.headers().get("upgrade").toLowerCase(java.util.Locale.ROOT));
    JsonNode connected = json(c.nextText());
    assertEquals("connected", connected.get("type").asText());
    String connectionId = connected.get("connectionId").asText();
    assertEquals(1, registry.size());

    WalRecord connect = wal.records().get(0);
    assertInstanceOf(Action.Connect.class, connect.action());
    RequestContext ctx = connect.requestContext();
    assertEquals("$connect", ctx.routeKey());
    assertEquals(EventType.CONNECT, ctx.eventType());
    assertEquals(connectionId, ctx.connectionId());
    assertEquals(T0.toEpochMilli(), ctx.connectedAt());
    assertEquals(T0.toEpochMilli(), ctx.requestTimeEpoch());
    assertEquals(WebSocketTestClient.SOURCE_IP, ctx.identity().sourceIp());
    assertEquals(GATEWAY_ID, ctx.gatewayId());
    assertNotEquals(connectionId, ctx.requestId());
    closeAndFinish();
  }

  @Test
  void handshakeWithoutAKeyGets401AndNothingIsWrittenToTheLog() {
    WebSocketTestClient c = client();

    WebSocketTestClient.HttpReply reply = c.handshake(null);

    assertEquals(401, reply.status());
    assertTrue(reply.body().contains("x-api-key"), reply.body());
    assertFalse(c.server.isOpen());
    assertEquals(List.of(), wal.records());
    assertEquals(0, registry.size());
    assertFalse(c.server.finish());
  }

  @Test
  void handshakeWithAWrongKeyGets401AndNothingIsWrittenToTheLog() {
    WebSocketTestClient c = client();

    WebSocketTestClient.HttpReply reply = c.handshake(KEY + "x");

    assertEquals(401, reply.status());
    assertFalse(c.server.isOpen());
    assertEquals(List.of(), wal.records());
    assertFalse(c.server.finish());
  }

  @Test
  void plainHttpGetGets426WithAHint() {
    WebSocketTestClient c = client();

    WebSocketTestClient.HttpReply reply =
        c.http("GET / HTTP/1.1\r\nHost: localhost\r\nx-api-key: " + KEY + "\r\n\r\n");

    assertEquals(426, reply.status());
    assertEquals("websocket", reply.headers().get("upgrade"));
    assertTrue(reply.body().contains("WebSocket"), reply.body());
    assertEquals(List.of(), wal.records());
    assertFalse(c.server.finish());
  }

  @Test
  void upgradeOnAnotherPathGets404() {
    WebSocketTestClient c = client();

    WebSocketTestClient.HttpReply reply =
        c.http(WebSocketTestClient.upgradeRequest("/admin", KEY));

    assertEquals(404, reply.status());
    assertEquals(List.of(), wal.records());
    assertFalse(c.server.finish());
  }

  @Test
  void validActionIsAppendedOnceWithTheGatewaysContextAndTheClientsConnectionIdIgnored() {
    String connectionId = connect();
    clock.set(T0.plusMillis(250));

    client.sendText(
        "{\"action\":\"sendMessage\",\"roomId\":\"lobby\",\"text\":\"hi\","
            + "\"requestId\":\"r1\",\"connectionId\":\"forged\"}");

    List<WalRecord> records = wal.records();
    assertEquals(2, records.size());
    WalRecord record = records.get(1);
    assertEquals(new Action.SendMessage("r1", "lobby", "hi", null), record.action());
    RequestContext ctx = record.requestContext();
    assertEquals(connectionId, record.connectionId());
    assertEquals("sendMessage", ctx.routeKey());
    assertEquals(EventType.MESSAGE, ctx.eventType());
    assertEquals(T0.toEpochMilli(), ctx.connectedAt());
    assertEquals(T0.plusMillis(250).toEpochMilli(), ctx.requestTimeEpoch());
    assertEquals(WebSocketTestClient.SOURCE_IP, ctx.identity().sourceIp());
    assertEquals(GATEWAY_ID, ctx.gatewayId());
    assertNotEquals(records.get(0).requestContext().requestId(), ctx.requestId());
    assertNull(client.nextFrame(), "an accepted action gets no reply from the gateway itself");
    closeAndFinish();
  }

  @Test
  void actionSplitOverContinuationFramesIsJoinedIntoOneAction() {
    connect();

    client.send(new TextWebSocketFrame(false, 0, "{\"action\":\"joinRoom\","));
    client.send(new ContinuationWebSocketFrame(true, 0, "\"roomId\":\"lobby\",\"username\":\"ann\"}"));

    assertEquals(new Action.JoinRoom(null, "lobby", "ann"), wal.records().get(1).action());
    closeAndFinish();
  }

  @Test
  void invalidFrameGetsAnErrorWithItsRequestIdAndTheConnectionStaysOpen() {
    connect();

    client.sendText("{\"action\":\"joinRoom\",\"requestId\":\"r7\",\"username\":\"ann\"}");

    JsonNode error = json(client.nextText());
    assertEquals("error", error.get("type").asText());
    assertEquals(400, error.get("status").asInt());
    assertEquals("missingField", error.get("code").asText());
    assertEquals("r7", error.get("requestId").asText());
    assertTrue(client.server.isOpen());
    assertEquals(1, wal.records().size(), "only $connect");
    closeAndFinish();
  }

  @Test
  void binaryFrameGets400AndTheConnectionStaysOpen() {
    connect();

    client.sendBinary(new byte[] {1, 2, 3});

    JsonNode error = json(client.nextText());
    assertEquals(400, error.get("status").asInt());
    assertEquals("invalidField", error.get("code").asText());
    assertTrue(error.get("message").asText().contains("binary"));
    assertTrue(client.server.isOpen());
    assertEquals(1, wal.records().size());
    closeAndFinish();
  }

  @Test
  void closeAppendsExactlyOneDisconnectAndUnregisters() {
    String connectionId = connect();
    clock.set(T0.plusSeconds(60));

    closeAndFinish();

    List<WalRecord> records = wal.records();
    assertEquals(2, records.size());
    WalRecord disconnect = records.get(1);
    assertInstanceOf(Action.Disconnect.class, disconnect.action());
    assertEquals("$disconnect", disconnect.requestContext().routeKey());
    assertEquals(EventType.DISCONNECT, disconnect.requestContext().eventType());
    assertEquals(connectionId, disconnect.connectionId());
    assertEquals(T0.plusSeconds(60).toEpochMilli(), disconnect.requestContext().requestTimeEpoch());
    assertEquals(0, registry.size());
  }

  @Test
  void clientCloseFrameAlsoAppendsExactlyOneDisconnect() {
    connect();

    client.send(new CloseWebSocketFrame(1000, "bye"));
    closeAndFinish();

    long disconnects =
        wal.records().stream().filter(r -> r.action() instanceof Action.Disconnect).count();
    assertEquals(1, disconnects);
  }

  @Test
  void fullQueueAnswers503OverloadedWithTheRequestIdAndWritesNothing() {
    connect();
    wal.setFull(true);

    client.sendText("{\"action\":\"leaveRoom\",\"roomId\":\"lobby\",\"requestId\":\"r9\"}");

    JsonNode error = json(client.nextText());
    assertEquals(503, error.get("status").asInt());
    assertEquals("overloaded", error.get("code").asText());
    assertEquals("r9", error.get("requestId").asText());
    assertEquals(1, wal.records().size());
    assertTrue(client.server.isOpen());
    closeAndFinish();
  }

  @Test
  void failedLogWriteAnswers503LogUnavailableWithTheRequestId() {
    connect();
    client.sendText("{\"action\":\"leaveRoom\",\"roomId\":\"lobby\",\"requestId\":\"r3\"}");

    wal.last().onFailure().onFailure(new IllegalStateException("broker down for the test"));

    JsonNode error = json(client.nextText());
    assertEquals(503, error.get("status").asInt());
    assertEquals("logUnavailable", error.get("code").asText());
    assertEquals("r3", error.get("requestId").asText());
    closeAndFinish();
  }

  @Test
  void connectionIsRefusedWith1013WhenTheConnectRecordCannotBeQueued() {
    WebSocketTestClient c = client();
    wal.setFull(true);

    assertEquals(101, c.handshake(KEY).status());

    CloseWebSocketFrame close = assertInstanceOf(CloseWebSocketFrame.class, c.nextFrame());
    assertEquals(1013, close.statusCode());
    close.release();
    assertFalse(c.server.isOpen());
    assertEquals(0, registry.size());
    assertEquals(List.of(), wal.records());
    assertFalse(c.server.finish());
  }

  @Test
  void frameLargerThanTheLimitIsClosedWith1009AndNotLogged() {
    connect();

    client.sendText("{\"action\":\"sendMessage\",\"roomId\":\"r\",\"text\":\"" + "x".repeat(2000) + "\"}");

    assertOnlyCloseFrame(1009);
    assertTrue(wal.records().stream().noneMatch(r -> r.action() instanceof Action.SendMessage));
    closeAndFinish();
  }

  @Test
  void messageLargerThanTheLimitAcrossContinuationFramesIsClosedWith1009() {
    connect();
    String chunk = "x".repeat(1000);

    client.send(new TextWebSocketFrame(false, 0, "{\"action\":\"sendMessage\",\"text\":\"" + chunk));
    for (int i = 0; i < 4 && client.server.isOpen(); i++) {
      client.send(new ContinuationWebSocketFrame(false, 0, chunk));
    }
    assertFalse(client.server.isOpen());

    assertOnlyCloseFrame(1009);
    assertTrue(wal.records().stream().noneMatch(r -> r.action() instanceof Action.SendMessage));
    closeAndFinish();
  }

  @Test
  void messageLargerThanTheLimitInFramesWithinTheFrameLimitIsClosedWith1009() {
    connect();
    // Each frame under the 1024-byte frame limit, together over the 4096-byte message limit.
    String chunk = "x".repeat(900);

    client.send(new TextWebSocketFrame(false, 0, "{\"action\":\"sendMessage\",\"text\":\""));
    for (int i = 0; i < 5 && client.server.isOpen(); i++) {
      client.send(new ContinuationWebSocketFrame(false, 0, chunk));
    }

    assertOnlyCloseFrame(1009);
    assertTrue(wal.records().stream().noneMatch(r -> r.action() instanceof Action.SendMessage));
    closeAndFinish();
  }

  @Test
  void textFrameWithInvalidUtf8IsClosedWith1007AndNotLogged() {
    connect();

    // "{"  then 0xC3 0x28: a two-byte sequence whose second byte is not a continuation byte.
    byte[] invalid = {'{', (byte) 0xC3, 0x28};
    client.send(new TextWebSocketFrame(true, 0, Unpooled.wrappedBuffer(invalid)));

    assertOnlyCloseFrame(1007);
    assertTrue(wal.records().stream().noneMatch(r -> r.action() instanceof Action.SendMessage));
    closeAndFinish();
  }

  @Test
  void closeFrameWithAnInvalidCodeIsAnsweredWith1002() {
    connect();

    // 999 is below the range a close frame may carry (RFC 6455 7.4).
    byte[] code999 = {0x03, (byte) 0xE7};
    client.send(new CloseWebSocketFrame(true, 0, Unpooled.wrappedBuffer(code999)));

    assertOnlyCloseFrame(1002);
    closeAndFinish();
  }

  @Test
  void closeFrameWithAValidCodeIsAnsweredWithTheSameCodeOnce() {
    connect();

    client.send(new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE, "bye"));

    assertOnlyCloseFrame(1001);
    closeAndFinish();
  }

  /**
   * The server sent exactly one frame after what the test has read so far, a close frame with
   * this code, and closed the socket: a second close frame would break RFC 6455 5.5.1, and
   * clients that read on see its code instead of ours.
   */
  private void assertOnlyCloseFrame(int expectedCode) {
    List<WebSocketFrame> frames = client.remainingFrames();
    try {
      assertEquals(1, frames.size(), "frames after the error: " + frames);
      CloseWebSocketFrame close = assertInstanceOf(CloseWebSocketFrame.class, frames.get(0));
      assertEquals(expectedCode, close.statusCode());
    } finally {
      frames.forEach(ReferenceCountUtil::release);
    }
    assertFalse(client.server.isOpen());
  }

  /** A clock the test moves by hand. */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant start) {
      this.now = start;
    }

    void set(Instant instant) {
      now = instant;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
