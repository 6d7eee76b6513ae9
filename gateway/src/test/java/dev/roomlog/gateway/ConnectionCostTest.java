package dev.roomlog.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.gateway.GatewayPipelineTest.MutableClock;
import dev.roomlog.gateway.connection.ActionIntake;
import dev.roomlog.gateway.connection.ConnectionRegistry;
import dev.roomlog.gateway.settings.ApiKey;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.RequestContext.EventType;
import dev.roomlog.protocol.frame.ErrorCode;
import dev.roomlog.protocol.frame.ServerFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a connection costs: the log records it causes (idle and invalid-only connections cost none),
 * the share of its API key's budget its invalid frames take (none), and the answers it makes the
 * server send (bounded by its answers' budget). The whole client pipeline in an EmbeddedChannel,
 * with the registry that deliveries go through.
 */
class ConnectionCostTest {
  private static final String KEY = "secret-key";
  private static final Instant T0 = Instant.parse("2024-04-01T12:00:00Z");

  private final RecordingWalAppender wal = new RecordingWalAppender();
  private final ConnectionRegistry registry = new ConnectionRegistry();
  private final AtomicInteger idCounter = new AtomicInteger();
  private final MutableClock clock = new MutableClock(T0);
  private GatewaySettings settings =
      GatewaySettings.builder(List.of(new ApiKey("alpha", KEY)), "gw-test").build();
  private ActionIntake intake;
  private final List<WebSocketTestClient> clients = new ArrayList<>();

  /** A connected client whose {@code connected} frame has been read. */
  private Client connect() {
    if (intake == null) {
      intake = new ActionIntake(settings, wal, clock, () -> "id-" + idCounter.incrementAndGet());
    }
    WebSocketTestClient c =
        new WebSocketTestClient(new GatewayInitializer(settings, intake, registry));
    clients.add(c);
    assertEquals(101, c.handshake(KEY).status());
    return new Client(c, json(c.nextText()).get("connectionId").asText());
  }

  private record Client(WebSocketTestClient ws, String id) {
    void send(String text) {
      ws.sendText(text);
    }

    JsonNode next() {
      return json(ws.nextText());
    }

    /**
     * The client closes (its close frame, which the server answers and then closes the socket on),
     * drops what it was sent, and checks nothing is left. A close started by the server would wait
     * for the client's answer (lingering close), which these tests do not send.
     */
    void close() {
      ws.send(new CloseWebSocketFrame(1000, "bye"));
      ws.server.close();
      for (WebSocketFrame frame : ws.remainingFrames()) {
        ReferenceCountUtil.release(frame);
      }
      assertFalse(ws.server.finish());
    }
  }

  @AfterEach
  void finish() {
    clients.forEach(WebSocketTestClient::close);
  }

  private static JsonNode json(String text) {
    try {
      return Json.MAPPER.readTree(text);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  private static String join(String room, String requestId) {
    return "{\"action\":\"joinRoom\",\"roomId\":\""
        + room
        + "\",\"username\":\"ann\",\"requestId\":\""
        + requestId
        + "\"}";
  }

  private static String resume(String requestId) {
    return "{\"action\":\"resume\",\"roomId\":\"lobby\",\"afterSeq\":0,\"requestId\":\""
        + requestId
        + "\"}";
  }

  private static String send(String requestId) {
    return "{\"action\":\"sendMessage\",\"roomId\":\"lobby\",\"text\":\"hi\",\"requestId\":\""
        + requestId
        + "\"}";
  }

  private List<String> actions() {
    return wal.records().stream().map(r -> r.requestContext().routeKey()).toList();
  }

  // --- 1. What a connection writes to the log ---------------------------------------------

  @Test
  void aConnectionThatSendsNothingWritesNothingToTheLog() {
    Client idle = connect();

    idle.close();

    assertEquals(List.of(), actions(), "neither $connect nor $disconnect");
    assertEquals(0, registry.size());
  }

  @Test
  void aConnectionThatSendsOnlyInvalidFramesWritesNothingToTheLog() {
    Client c = connect();
    c.send("not json");
    c.send("{\"action\":\"joinRoom\",\"requestId\":\"r1\"}");
    c.send("{\"action\":\"$disconnect\"}");
    c.ws.sendBinary(new byte[] {1});
    for (int i = 0; i < 4; i++) {
      assertEquals("error", c.next().get("type").asText());
    }

    c.close();

    assertEquals(List.of(), actions());
  }

  @Test
  void theConnectIsWrittenJustBeforeTheFirstLoggedActionWithTheTimeItConnected() {
    Client c = connect();
    clock.set(T0.plusSeconds(30));

    c.send(join("lobby", "r1"));
    c.send(send("r2"));

    List<WalRecord> records = wal.records();
    assertEquals(List.of("$connect", "joinRoom", "sendMessage"), actions());
    WalRecord connect = records.get(0);
    assertEquals(EventType.CONNECT, connect.requestContext().eventType());
    assertEquals(c.id(), connect.connectionId());
    assertEquals(T0.toEpochMilli(), connect.requestContext().connectedAt());
    assertEquals(
        T0.toEpochMilli(),
        connect.requestContext().requestTimeEpoch(),
        "stamped when it connected");
    assertEquals(T0.toEpochMilli(), records.get(1).requestContext().connectedAt());
    assertEquals(
        T0.plusSeconds(30).toEpochMilli(), records.get(1).requestContext().requestTimeEpoch());
    c.close();
  }

  @Test
  void aConnectionThatNeverAskedForAMembershipWritesNoDisconnect() {
    Client c = connect();
    c.send(send("r1"));
    c.send(resume("r2"));
    c.send("{\"action\":\"leaveRoom\",\"roomId\":\"lobby\",\"requestId\":\"r3\"}");

    c.close();

    assertEquals(List.of("$connect", "sendMessage", "resume", "leaveRoom"), actions());
  }

  @Test
  void aCreateRoomIsFollowedByTheDisconnectOnClose() {
    Client c = connect();
    c.send("{\"action\":\"createRoom\",\"username\":\"ann\",\"requestId\":\"r1\"}");
    wal.action("r1").callback().onAcknowledged();

    c.close();

    assertEquals(List.of("$connect", "createRoom", "$disconnect"), actions());
    assertEquals(c.id(), wal.last().record().connectionId());
    assertTrue(wal.last().record().toEveryPartition());
  }

  @Test
  void aJoinStillWaitingForTheLogWhenTheSocketClosesIsFollowedByTheDisconnect() {
    Client c = connect();
    c.send(join("lobby", "r1"));

    c.close();

    assertEquals(List.of("$connect", "joinRoom", "$disconnect"), actions(), "appended after it");
  }

  @Test
  void aJoinFailedWithLogUnavailableMayBeInTheLogSoItsDisconnectIsWritten() {
    Client c = connect();
    c.send(join("lobby", "r1"));
    wal.action("r1").callback().onFailure(new IllegalStateException("timed out for the test"));
    assertEquals("logUnavailable", c.next().get("code").asText());

    c.close();

    assertEquals(List.of("$connect", "joinRoom", "$disconnect"), actions());
  }

  @Test
  void aFirstActionRefusedForOverloadWritesNoConnect() {
    settings = settings.toBuilder().maxInFlightActions(1).build();
    Client busy = connect();
    busy.send(send("b1"));
    Client c = connect();

    c.send(join("lobby", "r1"));

    assertEquals("overloaded", c.next().get("code").asText());
    c.close();
    assertEquals(List.of("$connect", "sendMessage"), actions(), "only the busy connection's");
    busy.close();
  }

  // --- 2. A connection's invalid frames do not spend its API key's budget ---------------------

  @Test
  void invalidFramesOfManyConnectionsAtTheirOwnLimitLeaveTheKeysBudgetToOthers() {
    settings = settings.toBuilder().connectionRate(10, 5).apiKeyRate(10, 20).build();
    List<Client> noisy = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      noisy.add(connect());
    }
    // 10 x 5 invalid frames: each connection at exactly its own burst, 2.5 times the key's.
    for (Client c : noisy) {
      for (int i = 0; i < 5; i++) {
        c.send("{\"action\":\"sendMessage\",\"roomId\":\"bad room\",\"text\":\"x\"}");
        assertEquals("invalidField", c.next().get("code").asText());
      }
    }
    Client polite = connect();

    polite.send(send("p1"));

    assertNull(polite.ws.nextFrame(), "accepted: no error from the gateway");
    wal.action("p1");
    noisy.forEach(Client::close);
    polite.close();
  }

  @Test
  void validActionsStillShareTheKeysBudgetAtItsLimitAndPastIt() {
    settings = settings.toBuilder().connectionRate(10, 5).apiKeyRate(10, 4).build();
    Client first = connect();
    Client second = connect();
    first.send(send("a1"));
    first.send(send("a2"));
    second.send(send("b1"));
    second.send(send("b2"));
    assertNull(second.ws.nextFrame(), "the key's burst of 4, across its connections");

    second.send(send("b3"));

    JsonNode refused = second.next();
    assertEquals("rateLimited", refused.get("code").asText());
    assertEquals("b3", refused.get("requestId").asText());
    assertTrue(refused.get("message").asText().contains("'alpha'"), refused.toString());
    first.close();
    second.close();
  }

  // --- 3. What a connection makes the server send ---------------------------------------------

  /** An answer frame of exactly {@code bytes} bytes of UTF-8, as the processor encodes one. */
  private static String answerOf(int bytes, String requestId) {
    String empty = ErrorCode.RESUME_TOO_OLD.frame("", requestId).toJson();
    int base = empty.getBytes(StandardCharsets.UTF_8).length;
    String frame = ErrorCode.RESUME_TOO_OLD.frame("x".repeat(bytes - base), requestId).toJson();
    assertEquals(bytes, frame.getBytes(StandardCharsets.UTF_8).length);
    return frame;
  }

  private void deliver(Client to, String frame) {
    registry.deliver(List.of(to.id()), frame);
    assertEquals(frame, to.ws.nextText());
  }

  @Test
  void aResumeIsAcceptedWhileTheAnswersSentReachExactlyTheBurst() {
    settings = settings.toBuilder().answerBudget(1_000, 2_000).build();
    Client c = connect();
    deliver(c, answerOf(1_200, "a"));
    deliver(c, answerOf(800, "b"));

    c.send(resume("r1"));
    c.send(join("lobby", "r2"));

    assertNull(c.ws.nextFrame(), "at the burst, not past it");
    wal.action("r1");
    wal.action("r2");
    c.close();
  }

  @Test
  void pastTheBurstResumesAndJoinsGet429UntilTheDebtIsPaidOff() {
    settings = settings.toBuilder().answerBudget(1_000, 2_000).build();
    Client c = connect();
    deliver(c, answerOf(2_000, "a"));
    deliver(c, answerOf(250, "b"));

    c.send(resume("r1"));
    JsonNode refused = c.next();
    c.send(
        "{\"action\":\"joinRoom\",\"roomId\":\"lobby\",\"username\":\"ann\",\"afterSeq\":3,"
            + "\"requestId\":\"r2\"}");
    JsonNode refusedJoin = c.next();

    assertEquals(429, refused.get("status").asInt());
    assertEquals("rateLimited", refused.get("code").asText());
    assertEquals("r1", refused.get("requestId").asText());
    assertEquals(250, refused.get("retryAfterMs").asLong(), "250 bytes in debt at 1000 bytes/s");
    assertTrue(refused.get("message").asText().contains("answers"), refused.toString());
    assertEquals("r2", refusedJoin.get("requestId").asText());
    assertEquals(429, refusedJoin.get("status").asInt());
    assertEquals(List.of(), actions(), "nothing written");

    c.send(send("m1"));
    assertNull(c.ws.nextFrame(), "a request that replays nothing is not held back");

    clock.set(T0.plusMillis(249));
    c.send(resume("r3"));
    assertEquals(1, c.next().get("retryAfterMs").asLong());
    clock.set(T0.plusMillis(250));
    c.send(resume("r4"));
    assertNull(c.ws.nextFrame(), "the debt is paid off");
    wal.action("r4");
    c.close();
  }

  @Test
  void ignoringTheAnswersBudgetsRefusalsRepeatedlyClosesTheConnectionWith1008() {
    settings = settings.toBuilder().answerBudget(1_000, 2_000).floodTolerance(3).build();
    Client c = connect();
    deliver(c, answerOf(5_000, "a"));
    for (int i = 0; i < 3; i++) {
      c.send(resume("r" + i));
      assertEquals("rateLimited", c.next().get("code").asText());
    }

    c.send(resume("r3"));

    CloseWebSocketFrame close = assertInstanceOf(CloseWebSocketFrame.class, c.ws.nextFrame());
    assertEquals(1008, close.statusCode());
    close.release();
    c.close();
  }

  @Test
  void whatOthersDoInTheRoomAndWhatABackendSendsIsNotChargedToTheConnection() {
    settings = settings.toBuilder().answerBudget(1_000, 2_000).build();
    Client c = connect();
    String big = "y".repeat(4_000);
    deliver(c, new ServerFrame.Message("lobby", 4, "bob", "Qm9", big, 1L, null, null).toJson());
    deliver(
        c, new ServerFrame.MemberJoined("lobby", 5, "Qm9", "bob" + "z".repeat(50), 2L).toJson());
    String backend = "{\"type\":\"joined\",\"note\":\"" + big + "\"}";
    assertTrue(registry.send(c.id(), backend));
    assertEquals(backend, c.ws.nextText());

    c.send(resume("r1"));

    assertNull(c.ws.nextFrame());
    wal.action("r1");
    c.close();
  }

  @Test
  void eachConnectionHasItsOwnAnswersBudget() {
    settings = settings.toBuilder().answerBudget(1_000, 2_000).build();
    Client greedy = connect();
    Client other = connect();
    deliver(greedy, answerOf(3_000, "a"));

    other.send(resume("o1"));

    assertNull(other.ws.nextFrame());
    wal.action("o1");
    greedy.close();
    other.close();
  }
}
