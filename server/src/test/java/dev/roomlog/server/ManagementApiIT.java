package dev.roomlog.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.gateway.Gateway;
import dev.roomlog.gateway.management.ManagementApi;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.processor.ProcessorSettings;
import dev.roomlog.processor.RoomProcessor;
import dev.roomlog.processor.query.QueryServer;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.systemtest.KafkaNode;
import dev.roomlog.systemtest.SharedKafka;
import dev.roomlog.systemtest.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's management API against a running system: one processor and two gateway nodes on the
 * real broker, real WebSocket clients, real HTTP. A connection is addressed through the gateway
 * that holds it and through the other one (which asks the holder through Kafka); a server post goes
 * through the log and reaches every member.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManagementApiIT {
  private static final String ADMIN_KEY = "it-admin-key";
  private static final String API_KEY = InProcessRoomlog.API_KEY;

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private Gateway gatewayA;
  private Gateway gatewayB;

  private record Reply(int status, String body, HttpResponse<String> response) {
    JsonNode json() throws Exception {
      return Json.MAPPER.readTree(body);
    }

    String code() throws Exception {
      return json().path("code").asText();
    }
  }

  @BeforeAll
  void startRoomlog(@TempDir Path dir) throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    String prefix = SharedKafka.uniquePrefix();
    TopicSet topics = TopicSet.prefixed(prefix);
    TopicProvisioner.ensureTopics(bootstrap, topics, 3, (short) 1);
    QueryServer queries = QueryServer.bind("127.0.0.1", 0, ADMIN_KEY, 3);
    toClose.add(queries);
    RoomProcessor processor =
        new RoomProcessor(
            ProcessorSettings.defaults(bootstrap, dir.resolve("state"))
                .withApplicationId(prefix + "-app")
                .withReplicationFactor(1)
                .withTopics(topics)
                .withApplicationServer("127.0.0.1:" + queries.port()));
    toClose.add(processor);
    processor.start();
    queries.start(processor);
    // Gateway A forwards room queries: first to a port nobody listens on (passed over), then to
    // the processor. Gateway B forwards none.
    gatewayA =
        gateway(
            bootstrap,
            topics,
            "gw-a-" + prefix,
            List.of(
                "http://127.0.0.1:" + KafkaNode.freePort(), "http://127.0.0.1:" + queries.port()));
    gatewayB = gateway(bootstrap, topics, "gw-b-" + prefix, List.of());
    await("the processor running")
        .atMost(Duration.ofSeconds(90))
        .until(() -> processor.state() == KafkaStreams.State.RUNNING);
  }

  private Gateway gateway(String bootstrap, TopicSet topics, String id, List<String> roomsUrls) {
    Gateway node =
        Gateway.start(
            bootstrap,
            topics,
            GatewaySettings.of(Set.of(API_KEY), id).toBuilder()
                .bindHost("127.0.0.1")
                .port(0)
                .adminPort(0)
                .adminKey(ADMIN_KEY)
                .roomsUrls(roomsUrls)
                .build());
    toClose.add(node);
    return node;
  }

  @AfterAll
  void stopRoomlog() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private Reply call(Gateway via, String method, String path, byte[] body, String... headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + via.managementPort() + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), response.body(), response);
  }

  private Reply admin(Gateway via, String method, String path, String body) throws Exception {
    return call(
        via,
        method,
        path,
        body == null ? null : body.getBytes(StandardCharsets.UTF_8),
        "x-admin-key",
        ADMIN_KEY);
  }

  @Test
  void aFrameIsSentToAConnectionThroughItsOwnGatewayOrThroughAnother() throws Exception {
    try (WsClient alice = WsClient.connect(gatewayB.port(), API_KEY)) {
      String path = "/@connections/" + alice.connectionId();

      Reply viaOther =
          admin(gatewayA, "POST", path, "{\"type\":\"notice\",\"text\":\"from a backend\"}");
      assertEquals(200, viaOther.status(), viaOther.body());
      alice.awaitFrame("notice", f -> f.path("text").asText().equals("from a backend"));

      Reply viaOwn = admin(gatewayB, "POST", path, "not JSON, and that is fine");
      assertEquals(200, viaOwn.status(), viaOwn.body());
      alice.awaitText("not JSON, and that is fine");

      Reply bearer =
          call(
              gatewayA,
              "POST",
              path,
              "with a bearer key".getBytes(StandardCharsets.UTF_8),
              "Authorization",
              "Bearer " + ADMIN_KEY);
      assertEquals(200, bearer.status(), bearer.body());
      alice.awaitText("with a bearer key");
    }
  }

  @Test
  void aBodyOfExactlyTheLimitIsSentAndOneByteMoreIsRefusedWith413() throws Exception {
    try (WsClient alice = WsClient.connect(gatewayA.port(), API_KEY)) {
      String path = "/@connections/" + alice.connectionId();
      String atLimit = "x".repeat(ManagementApi.MAX_SEND_BYTES);
      Reply sent = admin(gatewayB, "POST", path, atLimit);
      assertEquals(200, sent.status(), sent.body());
      alice.awaitText(atLimit);

      Reply tooLarge = admin(gatewayB, "POST", path, atLimit + "x");
      assertEquals(413, tooLarge.status(), tooLarge.body());
      assertEquals("payloadTooLarge", tooLarge.code());

      Reply empty = admin(gatewayA, "POST", path, "");
      assertEquals(400, empty.status());
      assertEquals("emptyBody", empty.code());

      Reply notUtf8 =
          call(
              gatewayA,
              "POST",
              path,
              new byte[] {(byte) 0xC3, (byte) 0x28},
              "x-admin-key",
              ADMIN_KEY);
      assertEquals(400, notUtf8.status());
      assertEquals("invalidBody", notUtf8.code());
      // A marker sent after the refusals arrives; nothing of the refused bodies came before it.
      assertEquals(200, admin(gatewayA, "POST", path, "marker").status());
      alice.awaitText("marker");
      assertEquals(
          List.of(atLimit, "marker"),
          alice.texts().subList(1, alice.texts().size()),
          "after the connected frame: the body at the limit, then the marker");
    }
  }

  @Test
  void getDescribesAConnectionWhereverItIsAndFollowsItsActivity() throws Exception {
    try (WsClient alice = WsClient.connect(gatewayB.port(), API_KEY)) {
      String path = "/@connections/" + alice.connectionId();
      Reply first = admin(gatewayA, "GET", path, null);
      assertEquals(200, first.status(), first.body());
      JsonNode info = first.json();
      assertEquals(alice.connectionId(), info.get("connectionId").asText());
      assertEquals("127.0.0.1", info.get("identity").get("sourceIp").asText());
      assertTrue(
          info.get("identity").get("userAgent").asText().startsWith("Java-http-client"),
          info.toString());
      long connectedAt = info.get("connectedAt").asLong();
      assertEquals(connectedAt, info.get("lastActiveAt").asLong(), "no message yet: " + info);

      alice.sendAction("createRoom", "username", "alice", "requestId", "c1");
      alice.awaitAnswer("c1");
      JsonNode later = admin(gatewayB, "GET", path, null).json();
      assertEquals(connectedAt, later.get("connectedAt").asLong());
      assertTrue(later.get("lastActiveAt").asLong() >= connectedAt, later.toString());
      assertEquals(
          info.get("identity"), later.get("identity"), "the same answer from its own gateway");
    }
  }

  @Test
  void deleteClosesTheConnectionItsRoomsHearOfItAndThenItIsGone() throws Exception {
    try (WsClient alice = WsClient.connect(gatewayB.port(), API_KEY);
        WsClient bob = WsClient.connect(gatewayA.port(), API_KEY)) {
      alice.sendAction("createRoom", "username", "alice", "requestId", "c1");
      String roomId = alice.awaitAnswer("c1").get("roomId").asText();
      bob.sendAction("joinRoom", "roomId", roomId, "username", "bob", "requestId", "j1");
      bob.awaitAnswer("j1");
      String path = "/@connections/" + alice.connectionId();

      Reply deleted = admin(gatewayA, "DELETE", path, null);
      assertEquals(204, deleted.status(), deleted.body());
      assertEquals(1000, alice.awaitCloseCode());
      bob.awaitFrame("memberLeft", f -> f.path("username").asText().equals("alice"));

      for (String method : List.of("GET", "POST", "DELETE")) {
        for (Gateway via : List.of(gatewayA, gatewayB)) {
          Reply gone = admin(via, method, path, method.equals("POST") ? "hello?" : null);
          assertEquals(410, gone.status(), method + " after the delete: " + gone.body());
          assertEquals("gone", gone.code());
        }
      }
    }
  }

  @Test
  void unknownMalformedUnauthorizedAndMisroutedRequestsGetClearJsonErrors() throws Exception {
    String gatewayAId = gatewayIdOf(gatewayA);
    Reply unknownHere =
        admin(gatewayA, "GET", "/@connections/" + gatewayAId + ".neverConnected1", null);
    assertEquals(410, unknownHere.status(), unknownHere.body());
    Reply unknownThere =
        admin(gatewayB, "POST", "/@connections/" + gatewayAId + ".neverConnected1", "hi");
    assertEquals(410, unknownThere.status(), unknownThere.body());

    Reply noGateway = admin(gatewayA, "GET", "/@connections/gw-nowhere.abcdefgh", null);
    assertEquals(504, noGateway.status(), "no gateway gw-nowhere answers: " + noGateway.body());
    assertEquals("gatewayTimeout", noGateway.code());

    Reply malformed = admin(gatewayA, "GET", "/@connections/no-dot-here", null);
    assertEquals(400, malformed.status());
    assertEquals("invalidConnectionId", malformed.code());

    Reply noKey = call(gatewayA, "GET", "/@connections/" + gatewayAId + ".x", null);
    assertEquals(401, noKey.status());
    assertEquals("unauthorized", noKey.code());
    Reply wrongKey =
        call(gatewayA, "GET", "/@connections/" + gatewayAId + ".x", null, "x-admin-key", "not-it");
    assertEquals(403, wrongKey.status());
    assertEquals("forbidden", wrongKey.code());

    Reply put = admin(gatewayA, "PUT", "/@connections/" + gatewayAId + ".x", "x");
    assertEquals(405, put.status());
    assertEquals("POST, GET, DELETE", put.response().headers().firstValue("allow").orElse(""));
    Reply nowhere = admin(gatewayA, "GET", "/nothing/here", null);
    assertEquals(404, nowhere.status());
    assertEquals("notFound", nowhere.code());
    assertEquals(
        404, nowhere.json().get("status").asInt(), "errors carry status, code and message");
    assertTrue(nowhere.json().get("message").asText().contains("/@connections"));
  }

  @Test
  void theServerPostsIntoARoomThroughTheLogAndEveryMemberGetsItOnce() throws Exception {
    try (WsClient alice = WsClient.connect(gatewayA.port(), API_KEY);
        WsClient bob = WsClient.connect(gatewayB.port(), API_KEY)) {
      alice.sendAction("createRoom", "username", "alice", "requestId", "c1");
      String roomId = alice.awaitAnswer("c1").get("roomId").asText();
      bob.sendAction("joinRoom", "roomId", roomId, "username", "bob", "requestId", "j1");
      bob.awaitAnswer("j1");
      String path = "/rooms/" + roomId + "/messages";

      Reply posted =
          admin(
              gatewayB,
              "POST",
              path,
              "{\"text\":\"maintenance at noon\",\"username\":\"ops\",\"clientMsgId\":\"p1\"}");
      assertEquals(201, posted.status(), posted.body());
      long seq = posted.json().get("seq").asLong();
      assertEquals(4, seq, "after roomCreated and two joins: " + posted.body());
      assertEquals("ops", posted.json().get("from").asText());
      for (WsClient member : List.of(alice, bob)) {
        JsonNode message = member.awaitFrame("message", f -> f.path("seq").asLong() == seq);
        assertEquals("maintenance at noon", message.get("text").asText());
        assertEquals(Action.PostMessage.SERVER_CONNECTION_ID, message.get("connectionId").asText());
        assertEquals("ops", message.get("from").asText());
      }

      Reply retried =
          admin(
              gatewayA,
              "POST",
              path,
              "{\"text\":\"maintenance at noon\",\"username\":\"ops\",\"clientMsgId\":\"p1\"}");
      assertEquals(201, retried.status(), retried.body());
      assertEquals(
          seq,
          retried.json().get("seq").asLong(),
          "a retry gets the original, through either gateway");
      Reply reused =
          admin(gatewayA, "POST", path, "{\"text\":\"something else\",\"clientMsgId\":\"p1\"}");
      assertEquals(409, reused.status(), reused.body());
      assertEquals("clientMsgIdReused", reused.code());

      Reply defaultName = admin(gatewayA, "POST", path, "{\"text\":\"" + "y".repeat(4096) + "\"}");
      assertEquals(
          201, defaultName.status(), "a text of exactly 4096 characters: " + defaultName.body());
      assertEquals(
          seq + 1, defaultName.json().get("seq").asLong(), "the retry added nothing to the room");
      assertEquals("server", defaultName.json().get("from").asText());
      bob.awaitFrame("message", f -> f.path("seq").asLong() == seq + 1);
      assertEquals(
          1,
          bob.received().stream()
              .filter(
                  f -> f.path("type").asText().equals("message") && f.path("seq").asLong() == seq)
              .count(),
          "bob got the first post once");

      Reply tooLong = admin(gatewayA, "POST", path, "{\"text\":\"" + "y".repeat(4097) + "\"}");
      assertEquals(400, tooLong.status());
      assertEquals("fieldTooLong", tooLong.code());
      Reply noText = admin(gatewayA, "POST", path, "{\"username\":\"ops\"}");
      assertEquals(400, noText.status());
      assertEquals("missingField", noText.code());
      Reply notJson = admin(gatewayA, "POST", path, "hello");
      assertEquals(400, notJson.status());
      assertEquals("badJson", notJson.code());
      Reply noRoom =
          admin(
              gatewayA, "POST", "/rooms/no-such-room-" + roomId + "/messages", "{\"text\":\"hi\"}");
      assertEquals(404, noRoom.status(), noRoom.body());
      assertEquals("roomNotFound", noRoom.code());
      Reply badRoomId = admin(gatewayA, "POST", "/rooms/bad%20room/messages", "{\"text\":\"hi\"}");
      assertEquals(400, badRoomId.status());
      Reply noKey =
          call(gatewayA, "POST", path, "{\"text\":\"hi\"}".getBytes(StandardCharsets.UTF_8));
      assertEquals(401, noKey.status());
      Reply get = admin(gatewayA, "GET", path, null);
      assertEquals(405, get.status());
    }
  }

  @Test
  void roomQueriesOnTheManagementPortAreAnsweredByAProcessor() throws Exception {
    try (WsClient alice = WsClient.connect(gatewayB.port(), API_KEY)) {
      alice.sendAction("createRoom", "username", "alice", "requestId", "c1");
      String roomId = alice.awaitAnswer("c1").get("roomId").asText();

      Reply room = admin(gatewayA, "GET", "/rooms/" + roomId, null);
      assertEquals(200, room.status(), room.body());
      assertEquals("alice", room.json().get("members").get(0).get("username").asText());
      assertEquals(
          alice.connectionId(), room.json().get("members").get(0).get("connectionId").asText());

      Reply page = admin(gatewayA, "GET", "/rooms?limit=1000", null);
      assertEquals(200, page.status(), page.body());
      List<String> ids = new ArrayList<>();
      page.json().get("rooms").forEach(r -> ids.add(r.get("roomId").asText()));
      assertTrue(ids.contains(roomId), page.body());

      Reply unknown = admin(gatewayA, "GET", "/rooms/no-such-room-" + roomId, null);
      assertEquals(404, unknown.status());
      assertEquals("roomNotFound", unknown.code(), "the processor's own answer");
      Reply badLimit = admin(gatewayA, "GET", "/rooms?limit=0", null);
      assertEquals(400, badLimit.status(), "the query string goes along: " + badLimit.body());
      Reply noKey = call(gatewayA, "GET", "/rooms/" + roomId, null);
      assertEquals(401, noKey.status());
      Reply notForwarded = admin(gatewayB, "GET", "/rooms/" + roomId, null);
      assertEquals(404, notForwarded.status());
      assertTrue(
          notForwarded.json().get("message").asText().contains("roomsUrls"), notForwarded.body());
      assertEquals(405, admin(gatewayA, "DELETE", "/rooms/" + roomId, null).status());
    }
  }

  private static String gatewayIdOf(Gateway node) throws Exception {
    try (WsClient probe = WsClient.connect(node.port(), API_KEY)) {
      String id = probe.connectionId();
      return id.substring(0, id.lastIndexOf('.'));
    }
  }
}
