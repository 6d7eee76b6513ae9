package dev.roomlog.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.gateway.connection.ActionFrameHandler;
import dev.roomlog.gateway.connection.ActionIntake;
import dev.roomlog.gateway.connection.Connection;
import dev.roomlog.gateway.connection.ConnectionRegistry;
import dev.roomlog.gateway.settings.ApiKey;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.action.RequestContext.EventType;
import dev.roomlog.protocol.frame.ErrorCode;
import dev.roomlog.protocol.frame.ServerFrame;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The whole client pipeline in an EmbeddedChannel, driven with real HTTP and WebSocket bytes. */
public class GatewayPipelineTest {
  private static final String KEY = "secret-key";
  private static final String OTHER_KEY = "other-key";
  private static final String GATEWAY_ID = "gw-test";
  private static final Instant T0 = Instant.parse("2024-04-01T12:00:00Z");

  private final RecordingWalAppender wal = new RecordingWalAppender();
  private final ConnectionRegistry registry = new ConnectionRegistry();
  private final AtomicInteger idCounter = new AtomicInteger();
  private final MutableClock clock = new MutableClock(T0);
  private GatewaySettings settings =
      GatewaySettings.builder(
              List.of(new ApiKey("alpha", KEY), new ApiKey("beta", OTHER_KEY)), GATEWAY_ID)
          .build()
          .withMessageLimits(1024, 4096);

  /** One per test, made by the first client: every connection of a test shares its limits. */
  private ActionIntake intake;

  /** The last client made; {@link #clients} holds them all, closed after each test. */
  private WebSocketTestClient client;

  private final List<WebSocketTestClient> clients = new ArrayList<>();

  private WebSocketTestClient client() {
    if (intake == null) {
      intake = new ActionIntake(settings, wal, clock, () -> "id-" + idCounter.incrementAndGet());
    }
    client = new WebSocketTestClient(new GatewayInitializer(settings, intake, registry));
    clients.add(client);
    return client;
  }

  /** A connected client whose {@code connected} frame has been read; returns its connectionId. */
  private String connect() {
    return connect(KEY);
  }

  private String connect(String key) {
    WebSocketTestClient c = client();
    assertEquals(101, c.handshake(key).status());
    return json(c.nextText()).get("connectionId").asText();
  }

  private static String join(String requestId) {
    return "{\"action\":\"joinRoom\",\"roomId\":\"lobby\",\"username\":\"ann\",\"requestId\":\""
        + requestId
        + "\"}";
  }

  private static String leave(String requestId) {
    return "{\"action\":\"leaveRoom\",\"roomId\":\"lobby\",\"requestId\":\"" + requestId + "\"}";
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
    for (WebSocketTestClient c : clients) {
      c.close();
    }
  }

  /** Closes the server channel, drops the close frame it sends, and checks nothing is left. */
  private void closeAndFinish() {
    closeAndFinish(client);
  }

  private static void closeAndFinish(WebSocketTestClient c) {
    c.server.close();
    if (c.server.isOpen()) {
      // A close frame went out and the server waits for the client's answer: the client goes.
      c.endOfStream();
    }
    for (WebSocketFrame frame : c.remainingFrames()) {
      ReferenceCountUtil.release(frame);
    }
    assertFalse(c.server.finish());
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
    assertTrue(connectionId.startsWith(GATEWAY_ID + "."), connectionId);
    // Its $connect waits for its first action that goes to the log (ConnectionCostTest).
    assertEquals(List.of(), wal.records(), "nothing written until the connection acts");

    client.sendText(leave("r1"));

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

    WebSocketTestClient.HttpReply reply = c.http(WebSocketTestClient.upgradeRequest("/admin", KEY));

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
    client.send(
        new ContinuationWebSocketFrame(true, 0, "\"roomId\":\"lobby\",\"username\":\"ann\"}"));

    assertEquals(
        new Action.JoinRoom(null, "lobby", "ann", null, null), wal.records().get(1).action());
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
    assertEquals(List.of(), wal.records(), "nothing: not even a $connect");
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
    assertEquals(List.of(), wal.records());
    closeAndFinish();
  }

  @Test
  void closeAppendsExactlyOneDisconnectAndUnregisters() {
    String connectionId = connect();
    client.sendText(join("r1"));
    clock.set(T0.plusSeconds(60));

    closeAndFinish();

    List<WalRecord> records = wal.records();
    assertEquals(3, records.size());
    WalRecord disconnect = records.get(2);
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
    client.sendText(join("r1"));

    client.send(new CloseWebSocketFrame(1000, "bye"));
    closeAndFinish();

    long disconnects =
        wal.records().stream().filter(r -> r.action() instanceof Action.Disconnect).count();
    assertEquals(1, disconnects);
  }

  @Test
  void failedLogWriteAnswers503LogUnavailableSayingTheActionMayHaveBeenRecorded() {
    connect();
    client.sendText(leave("r3"));

    wal.action("r3").callback().onFailure(new IllegalStateException("broker down for the test"));

    JsonNode error = json(client.nextText());
    assertEquals(503, error.get("status").asInt());
    assertEquals("logUnavailable", error.get("code").asText());
    assertEquals("r3", error.get("requestId").asText());
    assertEquals(Connection.RETRY_AFTER_503_MS, error.get("retryAfterMs").asLong());
    assertTrue(error.get("message").asText().contains("MAY"), error.toString());
    assertTrue(error.get("message").asText().contains("clientMsgId"), error.toString());
    closeAndFinish();
  }

  @Test
  void connectionIsRefusedWith1013WhenTheLogIsClosed() {
    WebSocketTestClient c = client();
    wal.setClosed(true);

    assertEquals(101, c.handshake(KEY).status());

    CloseWebSocketFrame close = assertInstanceOf(CloseWebSocketFrame.class, c.nextFrame());
    assertEquals(1013, close.statusCode());
    close.release();
    assertTrue(c.server.isOpen(), "waiting for the client's close frame");
    c.send(new CloseWebSocketFrame(1013, ""));
    assertFalse(c.server.isOpen());
    assertEquals(0, registry.size());
    assertEquals(List.of(), wal.records());
    assertFalse(c.server.finish());
  }

  // In-flight bound: actions accepted but not yet acknowledged by Kafka.

  @Test
  void actionPastThePerConnectionInFlightBoundGets503OverloadedAndIsNotWritten() {
    settings = settings.toBuilder().maxInFlightActionsPerConnection(2).build();
    connect();
    client.sendText(leave("r1"));
    client.sendText(leave("r2"));
    assertNull(client.nextFrame(), "both within the bound: no reply from the gateway");

    client.sendText(leave("r3"));

    JsonNode error = json(client.nextText());
    assertEquals(503, error.get("status").asInt());
    assertEquals("overloaded", error.get("code").asText());
    assertEquals("r3", error.get("requestId").asText());
    assertEquals(Connection.RETRY_AFTER_503_MS, error.get("retryAfterMs").asLong());
    assertEquals(2, wal.count(Action.LeaveRoom.class), "r3 is not written");
    assertTrue(client.server.isOpen());
    closeAndFinish();
  }

  @Test
  void afterKafkaAcknowledgesAnActionTheConnectionMaySendAnother() {
    settings = settings.toBuilder().maxInFlightActionsPerConnection(1).build();
    connect();
    client.sendText(leave("r1"));
    client.sendText(leave("r2"));
    assertEquals("overloaded", json(client.nextText()).get("code").asText());

    wal.action("r1").callback().onAcknowledged();
    client.sendText(leave("r3"));

    assertNull(client.nextFrame());
    assertEquals(2, wal.count(Action.LeaveRoom.class));
    wal.action("r3");
    closeAndFinish();
  }

  @Test
  void aFailedActionAlsoFreesItsPlace() {
    settings = settings.toBuilder().maxInFlightActionsPerConnection(1).build();
    connect();
    client.sendText(leave("r1"));

    wal.action("r1").callback().onFailure(new IllegalStateException("for the test"));
    assertEquals("logUnavailable", json(client.nextText()).get("code").asText());
    client.sendText(leave("r2"));

    assertNull(client.nextFrame());
    wal.action("r2");
    closeAndFinish();
  }

  @Test
  void actionPastTheNodesInFlightBoundAcrossTwoConnectionsGets503() {
    settings =
        settings.toBuilder().maxInFlightActions(3).maxInFlightActionsPerConnection(2).build();
    connect();
    WebSocketTestClient first = client;
    connect();
    WebSocketTestClient second = client;
    first.sendText(leave("a1"));
    first.sendText(leave("a2"));
    second.sendText(leave("b1"));

    second.sendText(leave("b2"));

    JsonNode error = json(second.nextText());
    assertEquals("overloaded", error.get("code").asText());
    assertEquals("b2", error.get("requestId").asText());
    assertNull(first.nextFrame());
    assertEquals(3, wal.count(Action.LeaveRoom.class));
    assertEquals(3, intake.inFlight());

    wal.action("a1").callback().onAcknowledged();
    second.sendText(leave("b3"));
    assertNull(second.nextFrame(), "a place freed by another connection can be used");
    wal.action("b3");
    closeAndFinish(first);
    closeAndFinish(second);
  }

  @Test
  void disconnectIsAppendedEvenWhenTheInFlightBoundIsFull() {
    settings =
        settings.toBuilder().maxInFlightActions(1).maxInFlightActionsPerConnection(1).build();
    String connectionId = connect();
    client.sendText(join("r1"));
    client.sendText(leave("r2"));
    assertEquals("overloaded", json(client.nextText()).get("code").asText());

    closeAndFinish();

    WalRecord last = wal.last().record();
    assertInstanceOf(Action.Disconnect.class, last.action());
    assertEquals(connectionId, last.connectionId());
  }

  @Test
  void aConnectTakesNoInFlightPermitOfItsOwn() {
    settings =
        settings.toBuilder().maxInFlightActions(2).maxInFlightActionsPerConnection(1).build();
    connect();
    WebSocketTestClient first = client;
    first.sendText(leave("r1"));
    String second = connect();

    client.sendText(leave("r2"));

    assertNull(client.nextFrame(), "two actions, two permits: the $connects took none");
    assertEquals(2, wal.count(Action.Connect.class));
    assertEquals(second, wal.action("r2").record().connectionId());
    closeAndFinish(first);
    closeAndFinish(client);
  }

  // The log writer's backlog: an action it could not take in time is refused at once.

  @Test
  void actionTheWriterCannotTakeInTimeGets503OverloadedAtOnceAndNothingIsWritten() {
    connect();
    wal.setAcceptingActions(false);

    client.sendText(leave("r1"));

    JsonNode error = json(client.nextText());
    assertEquals(503, error.get("status").asInt());
    assertEquals("overloaded", error.get("code").asText());
    assertEquals("r1", error.get("requestId").asText());
    assertEquals(Connection.RETRY_AFTER_503_MS, error.get("retryAfterMs").asLong());
    assertEquals(List.of(), wal.records(), "neither the action nor the connection's $connect");

    wal.setAcceptingActions(true);
    client.sendText(leave("r2"));
    assertNull(client.nextFrame(), "accepted: its answer is the processor's");
    assertEquals(1, wal.count(Action.LeaveRoom.class));
    assertEquals(1, wal.count(Action.Connect.class), "its $connect comes with its first action");
    closeAndFinish();
  }

  @Test
  void aRefusalForTheWritersBacklogSpendsNoneOfTheConnectionsBounds() {
    settings =
        settings.toBuilder()
            .maxUnansweredActionsPerConnection(1)
            .maxInFlightActionsPerConnection(1)
            .build();
    connect();
    wal.setAcceptingActions(false);
    for (int i = 0; i < 3; i++) {
      client.sendText(leave("refused-" + i));
      assertEquals("overloaded", json(client.nextText()).get("code").asText());
    }

    wal.setAcceptingActions(true);
    client.sendText(leave("taken"));

    assertNull(client.nextFrame(), "its one unanswered and one in-flight place were still free");
    wal.action("taken");
    closeAndFinish();
  }

  // Unanswered bound: actions accepted but not yet answered by the processor.

  private static String send(String requestId) {
    return "{\"action\":\"sendMessage\",\"roomId\":\"lobby\",\"text\":\"hi\",\"requestId\":\""
        + requestId
        + "\"}";
  }

  /** Sends {@code requestId}'s action and has Kafka acknowledge it: only its answer is missing. */
  private void sendAcknowledged(String action, String requestId) {
    client.sendText(action);
    wal.action(requestId).callback().onAcknowledged();
  }

  @Test
  void actionPastTheUnansweredBoundGets503OverloadedUntilTheProcessorsAnswerIsDelivered() {
    settings = settings.toBuilder().maxUnansweredActionsPerConnection(2).build();
    String connectionId = connect();
    sendAcknowledged(leave("r1"), "r1");
    sendAcknowledged(send("r2"), "r2");
    assertNull(client.nextFrame(), "at the bound: both accepted");
    assertEquals(0, intake.inFlight(), "Kafka has both: the in-flight bound is not what refuses");

    client.sendText(leave("r3"));

    JsonNode error = json(client.nextText());
    assertEquals(503, error.get("status").asInt());
    assertEquals("overloaded", error.get("code").asText());
    assertEquals("r3", error.get("requestId").asText());
    assertEquals(Connection.RETRY_AFTER_503_MS, error.get("retryAfterMs").asLong());
    assertTrue(error.get("message").asText().contains("room processor's answer"), error.toString());
    assertEquals(1, wal.count(Action.LeaveRoom.class), "r3 is not written");

    // The sender's copy of its message, as the processor answers a sendMessage.
    registry.deliver(
        List.of(connectionId),
        new ServerFrame.Message("lobby", 7, "ann", connectionId, "hi", 1L, null, "r2").toJson());
    assertEquals("message", json(client.nextText()).get("type").asText());
    client.sendText(leave("r4"));

    assertNull(client.nextFrame(), "an answer delivered frees a place");
    wal.action("r4");
    client.sendText(leave("r5"));
    assertEquals("overloaded", json(client.nextText()).get("code").asText());
    assertEquals(2, wal.count(Action.LeaveRoom.class));
    closeAndFinish();
  }

  @Test
  void framesAboutOthersDoNotFreeAPlaceButEveryKindOfAnswerDoes() {
    settings = settings.toBuilder().maxUnansweredActionsPerConnection(1).build();
    String connectionId = connect();
    sendAcknowledged(send("r1"), "r1");
    // What a member is told of others' actions, and another member's message.
    registry.deliver(
        List.of(connectionId), new ServerFrame.MemberJoined("lobby", 3, "c2", "bob", 1L).toJson());
    registry.deliver(
        List.of(connectionId),
        new ServerFrame.Message("lobby", 4, "bob", "c2", "yo", 1L, null, null).toJson());
    assertEquals("memberJoined", json(client.nextText()).get("type").asText());
    assertEquals("message", json(client.nextText()).get("type").asText());

    client.sendText(leave("r2"));
    assertEquals("overloaded", json(client.nextText()).get("code").asText());

    List<ServerFrame> answers =
        List.of(
            // Its own message, sent without a requestId: the frame names the sender.
            new ServerFrame.Message("lobby", 5, "ann", connectionId, "hi", 1L, null, null),
            ErrorCode.ROOM_NOT_FOUND.frame("no room", null),
            new ServerFrame.Left("lobby", 6, null),
            ErrorCode.INTERNAL_ERROR.frame("set aside", "r9"));
    for (int i = 0; i < answers.size(); i++) {
      registry.deliver(List.of(connectionId), answers.get(i).toJson());
      client.nextText();
      String requestId = "n" + i;
      client.sendText(leave(requestId));
      assertNull(client.nextFrame(), answers.get(i).toJson() + " freed a place");
      wal.action(requestId).callback().onAcknowledged();
    }
    closeAndFinish();
  }

  @Test
  void anActionThatIsNeverAnsweredStopsCountingAfterTheTimeout() {
    settings =
        settings.toBuilder()
            .maxUnansweredActionsPerConnection(1)
            .unansweredActionTimeout(Duration.ofSeconds(30))
            .build();
    connect();
    sendAcknowledged(leave("r1"), "r1");
    clock.set(T0.plusSeconds(29));
    client.sendText(leave("r2"));
    assertEquals("overloaded", json(client.nextText()).get("code").asText());

    clock.set(T0.plusSeconds(30));
    client.sendText(leave("r3"));

    assertNull(client.nextFrame(), "r1 no longer counts");
    wal.action("r3");
    closeAndFinish();
  }

  @Test
  void anActionTheLogFailedNoLongerCountsAsUnanswered() {
    settings = settings.toBuilder().maxUnansweredActionsPerConnection(1).build();
    connect();
    client.sendText(leave("r1"));

    wal.action("r1").callback().onFailure(new IllegalStateException("for the test"));
    assertEquals("logUnavailable", json(client.nextText()).get("code").asText());
    client.sendText(leave("r2"));

    assertNull(client.nextFrame(), "the client was answered by the gateway");
    wal.action("r2");
    closeAndFinish();
  }

  // Rate limits and floods.

  @Test
  void messagePastTheConnectionsBurstGets429WithRetryAfterAndIsNotWritten() {
    settings = settings.toBuilder().connectionRate(10, 3).build();
    connect();
    for (int i = 1; i <= 3; i++) {
      client.sendText(leave("r" + i));
    }
    assertNull(client.nextFrame(), "the burst is accepted");

    client.sendText(leave("r4"));

    JsonNode error = json(client.nextText());
    assertEquals(429, error.get("status").asInt());
    assertEquals("rateLimited", error.get("code").asText());
    assertEquals("r4", error.get("requestId").asText());
    assertEquals(100, error.get("retryAfterMs").asLong(), "10 per second: a token every 100 ms");
    assertTrue(error.get("message").asText().startsWith("rate limited: "), error.toString());
    assertEquals(3, wal.count(Action.LeaveRoom.class));
    assertTrue(client.server.isOpen());

    clock.set(T0.plusMillis(60));
    client.sendText(leave("r5"));
    assertEquals(40, json(client.nextText()).get("retryAfterMs").asLong());

    clock.set(T0.plusMillis(100));
    client.sendText(leave("r6"));
    assertNull(client.nextFrame(), "a token came back after retryAfterMs");
    wal.action("r6");
    closeAndFinish();
  }

  @Test
  void invalidMessagesCountAgainstTheRateLimit() {
    settings = settings.toBuilder().connectionRate(10, 2).build();
    connect();
    client.sendText("not json");
    client.sendBinary(new byte[] {1});
    assertEquals("badJson", json(client.nextText()).get("code").asText());
    assertEquals("invalidField", json(client.nextText()).get("code").asText());

    client.sendText(leave("r1"));

    assertEquals("rateLimited", json(client.nextText()).get("code").asText());
    assertEquals(0, wal.count(Action.LeaveRoom.class));
    closeAndFinish();
  }

  @Test
  void unparseableRateLimitedMessageGets429WithoutARequestId() {
    settings = settings.toBuilder().connectionRate(10, 1).build();
    connect();
    client.sendText(leave("r1"));

    client.sendText("oops {\"requestId\":\"r2\"}");

    JsonNode error = json(client.nextText());
    assertEquals("rateLimited", error.get("code").asText());
    assertNull(error.get("requestId"));
    closeAndFinish();
  }

  @Test
  void apiKeyLimitIsSharedByTheKeysConnectionsAndNotByOtherKeys() {
    settings = settings.toBuilder().apiKeyRate(10, 3).build();
    connect(KEY);
    WebSocketTestClient first = client;
    connect(KEY);
    WebSocketTestClient second = client;
    connect(OTHER_KEY);
    WebSocketTestClient other = client;
    first.sendText(leave("a1"));
    first.sendText(leave("a2"));
    second.sendText(leave("b1"));

    second.sendText(leave("b2"));
    other.sendText(leave("c1"));

    JsonNode error = json(second.nextText());
    assertEquals("rateLimited", error.get("code").asText());
    assertEquals("b2", error.get("requestId").asText());
    assertTrue(error.get("message").asText().contains("'alpha'"), error.toString());
    assertEquals(100, error.get("retryAfterMs").asLong());
    assertNull(other.nextFrame(), "another key has its own budget");
    wal.action("c1");
    closeAndFinish(first);
    closeAndFinish(second);
    closeAndFinish(other);
  }

  @Test
  void flooderGets429sThenIsClosedWith1008AndAnotherConnectionIsUnaffected() {
    settings = settings.toBuilder().connectionRate(10, 2).floodTolerance(3).build();
    connect();
    WebSocketTestClient bystander = client;
    String flooderId = connect();
    WebSocketTestClient flooder = client;
    flooder.sendText(join("f1"));
    flooder.sendText(leave("f2"));
    for (int i = 3; i <= 5; i++) {
      flooder.sendText(leave("f" + i));
      assertEquals("rateLimited", json(flooder.nextText()).get("code").asText());
    }
    assertTrue(flooder.server.isOpen(), "within its flood tolerance");

    flooder.sendText(leave("f6"));

    CloseWebSocketFrame close = assertInstanceOf(CloseWebSocketFrame.class, flooder.nextFrame());
    assertEquals(1008, close.statusCode());
    assertEquals(ActionFrameHandler.FLOODING_REASON, close.reasonText());
    close.release();
    flooder.sendText(leave("f7"));
    assertNull(flooder.nextFrame(), "after its close frame the server acts on nothing");
    assertTrue(flooder.server.isOpen(), "waiting for the client's close frame");
    flooder.send(new CloseWebSocketFrame(1008, ""));
    assertFalse(flooder.server.isOpen());
    assertEquals(
        2, wal.count(Action.JoinRoom.class) + wal.count(Action.LeaveRoom.class), "only f1 and f2");
    WalRecord disconnect = wal.last().record();
    assertInstanceOf(Action.Disconnect.class, disconnect.action());
    assertEquals(flooderId, disconnect.connectionId());

    bystander.sendText(leave("b1"));
    assertNull(bystander.nextFrame());
    wal.action("b1");
    assertTrue(bystander.server.isOpen());
    closeAndFinish(flooder);
    closeAndFinish(bystander);
  }

  @Test
  void aConnectionRefusedByItsBusyKeyIsNotClosedForItsNeighboursFlood() {
    settings =
        settings.toBuilder()
            .apiKeyRate(10, 2)
            .connectionRate(1_000, 1_000)
            .floodTolerance(3)
            .build();
    connect();
    WebSocketTestClient polite = client;
    connect();
    WebSocketTestClient flooder = client;
    boolean closed = false;
    for (int i = 1; !closed && i < 100; i++) {
      flooder.sendText(leave("f" + i));
      closed = receivedCloseFrame(flooder);
    }
    assertTrue(closed, "the flooder ran out of tolerance on its own 429s");

    polite.sendText(leave("p1"));

    assertEquals("rateLimited", json(polite.nextText()).get("code").asText());
    assertTrue(polite.server.isOpen(), "one 429 of its own, not the flooder's, counts");
    closeAndFinish(flooder);
    closeAndFinish(polite);
  }

  @Test
  void frameLargerThanTheLimitIsClosedWith1009AndNotLogged() {
    connect();

    client.sendText(
        "{\"action\":\"sendMessage\",\"roomId\":\"r\",\"text\":\"" + "x".repeat(2000) + "\"}");

    assertOnlyCloseFrame(1009);
    assertClosedAtEndOfStream();
    assertTrue(wal.records().stream().noneMatch(r -> r.action() instanceof Action.SendMessage));
    closeAndFinish();
  }

  @Test
  void messageLargerThanTheLimitAcrossContinuationFramesIsClosedWith1009() {
    connect();
    String chunk = "x".repeat(1000);

    client.send(
        new TextWebSocketFrame(false, 0, "{\"action\":\"sendMessage\",\"text\":\"" + chunk));
    for (int i = 0; i < 4; i++) {
      client.send(new ContinuationWebSocketFrame(false, 0, chunk));
    }

    assertOnlyCloseFrame(1009);
    // The first frame is already past the frame limit: the decoder reads nothing after it.
    assertClosedAtEndOfStream();
    assertTrue(wal.records().stream().noneMatch(r -> r.action() instanceof Action.SendMessage));
    closeAndFinish();
  }

  @Test
  void messageLargerThanTheLimitInFramesWithinTheFrameLimitIsClosedWith1009() {
    connect();
    // Each frame under the 1024-byte frame limit, together over the 4096-byte message limit.
    String chunk = "x".repeat(900);

    client.send(new TextWebSocketFrame(false, 0, "{\"action\":\"sendMessage\",\"text\":\""));
    for (int i = 0; i < 5; i++) {
      client.send(new ContinuationWebSocketFrame(false, 0, chunk));
    }

    assertOnlyCloseFrame(1009);
    assertClosedOnTheClientsAnswer(1009);
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
    assertClosedOnTheClientsAnswer(1007);
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
    // Netty's frame decoder refused the close frame and reads nothing after it: the client's end
    // of stream closes the socket.
    assertClosedAtEndOfStream();
    closeAndFinish();
  }

  @Test
  void closeFrameWithAValidCodeIsAnsweredWithTheSameCodeOnce() {
    connect();

    client.send(new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE, "bye"));

    assertOnlyCloseFrame(1001);
    assertFalse(
        client.server.isOpen(), "the client closed first: the socket closes after the echo");
    closeAndFinish();
  }

  /** Drains what the server sent; true if a close frame was among it. */
  private static boolean receivedCloseFrame(WebSocketTestClient c) {
    boolean close = false;
    for (WebSocketFrame frame : c.remainingFrames()) {
      close |= frame instanceof CloseWebSocketFrame;
      ReferenceCountUtil.release(frame);
    }
    return close;
  }

  /** The server waits for the client's close frame, and closes the socket when it comes. */
  private void assertClosedOnTheClientsAnswer(int code) {
    assertTrue(client.server.isOpen(), "waiting for the client's close frame");
    client.send(new CloseWebSocketFrame(code, ""));
    assertFalse(client.server.isOpen(), "closed on the client's close frame");
  }

  /** The server waits for the client, and closes the socket when the client ends its stream. */
  private void assertClosedAtEndOfStream() {
    assertTrue(client.server.isOpen(), "waiting for the client");
    client.endOfStream();
    assertFalse(client.server.isOpen(), "closed at the client's end of stream");
  }

  /**
   * The server sent exactly one frame after what the test has read so far, a close frame with this
   * code: a second close frame would break RFC 6455 5.5.1, and clients that read on see its code
   * instead of ours.
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
  }

  /** A clock the test moves by hand. */
  public static final class MutableClock extends Clock {
    private volatile Instant now;

    public MutableClock(Instant start) {
      this.now = start;
    }

    public void set(Instant instant) {
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
