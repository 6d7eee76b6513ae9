package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.Json;
import dev.roomlog.systemtest.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kick and ban against a running system: two token users in a room, the operator kicks one with a
 * ban through the management API, the other sees it, the kicked one's rejoin is refused, and still
 * is after the processor restarts from an empty state directory (the ban is state derived from the
 * log, so the replay must agree).
 */
class ModerationIT {
  private static final String SECRET = "moderation-it-secret-0123456789abcdef";
  private static final String ADMIN_KEY = "moderation-it-admin-key";
  private static final String ROOM = "moderated";

  private final HttpClient http = HttpClient.newHttpClient();
  private InProcessRoomlog roomlog;

  @BeforeEach
  void start() {
    roomlog = InProcessRoomlog.start(g -> g.tokenSecret(SECRET).adminKey(ADMIN_KEY));
  }

  @AfterEach
  void stop() {
    roomlog.close();
  }

  /** Made by java-jwt, not by the library the gateway verifies with. */
  private WsClient connectAs(String sub, String name) {
    String token =
        JWT.create()
            .withSubject(sub)
            .withClaim("name", name)
            .withExpiresAt(Instant.now().plus(Duration.ofHours(1)))
            .sign(Algorithm.HMAC256(SECRET));
    return WsClient.connect(URI.create("ws://127.0.0.1:" + roomlog.port() + "/?token=" + token));
  }

  private HttpResponse<String> kick(String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + roomlog.managementPort() + "/rooms/" + ROOM + "/kick"))
            .timeout(Duration.ofSeconds(30))
            .header("x-admin-key", ADMIN_KEY)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static void assertBanned(JsonNode answer) {
    assertEquals("error", answer.get("type").asText(), answer.toString());
    assertEquals(403, answer.get("status").asInt(), answer.toString());
    assertEquals("banned", answer.get("code").asText(), answer.toString());
    long retryAfterMs = answer.get("retryAfterMs").asLong();
    assertTrue(
        retryAfterMs > 0 && retryAfterMs <= Duration.ofHours(1).toMillis(), answer.toString());
  }

  @Test
  void aKickedAndBannedUserCannotRejoinEvenAfterTheProcessorRebuildsFromTheLog() throws Exception {
    try (WsClient alice = connectAs("u-alice", "Alice");
        WsClient bob = connectAs("u-bob", "Bob")) {
      alice.sendAction("createRoom", "roomId", ROOM, "requestId", "c1");
      assertEquals("roomCreated", alice.awaitAnswer("c1").get("type").asText());
      bob.sendAction("joinRoom", "roomId", ROOM, "requestId", "j1");
      assertEquals("joined", bob.awaitAnswer("j1").get("type").asText());

      long before = System.currentTimeMillis();
      HttpResponse<String> kicked =
          kick("{\"user\":\"u-bob\",\"reason\":\"spam\",\"banFor\":\"1h\"}");
      long after = System.currentTimeMillis();
      assertEquals(200, kicked.statusCode(), kicked.body());
      JsonNode answer = Json.MAPPER.readTree(kicked.body());
      assertEquals(ROOM, answer.get("roomId").asText());
      assertEquals("u-bob", answer.get("user").asText());
      assertEquals(1, answer.get("removed").asInt(), kicked.body());
      long bannedUntil = answer.get("bannedUntil").asLong();
      long hour = Duration.ofHours(1).toMillis();
      assertTrue(
          bannedUntil >= before + hour && bannedUntil <= after + hour,
          "bannedUntil " + bannedUntil + " is not the request's time plus 1h");

      JsonNode left =
          alice.awaitFrame(
              "memberLeft", f -> bob.connectionId().equals(f.path("connectionId").asText()));
      assertEquals("kicked", left.get("reason").asText(), left.toString());
      assertEquals("spam", left.get("note").asText(), left.toString());
      assertEquals("Bob", left.get("username").asText(), left.toString());
      JsonNode banned = alice.awaitFrame("userBanned", f -> true);
      assertEquals(ROOM, banned.get("roomId").asText());
      assertEquals("u-bob", banned.get("user").asText(), banned.toString());
      assertEquals(bannedUntil, banned.get("until").asLong(), banned.toString());
      assertEquals("spam", banned.get("reason").asText(), banned.toString());
      assertTrue(banned.get("seq").asLong() > left.get("seq").asLong(), banned.toString());
      // The kicked connection is told too: it is still connected, but no longer a member.
      bob.awaitFrame("memberLeft", f -> bob.connectionId().equals(f.path("connectionId").asText()));

      bob.sendAction("joinRoom", "roomId", ROOM, "requestId", "j2");
      assertBanned(bob.awaitAnswer("j2"));

      roomlog.stopProcessor();
      // An empty state directory: the restarted processor must rebuild the ban from the log.
      roomlog.startProcessorWithFreshStateDir();

      bob.sendAction("joinRoom", "roomId", ROOM, "requestId", "j3");
      assertBanned(bob.awaitAnswer("j3"));
      alice.sendAction("sendMessage", "roomId", ROOM, "text", "still here", "requestId", "s1");
      JsonNode message = alice.awaitAnswer("s1");
      assertEquals("message", message.get("type").asText(), message.toString());
      assertEquals("Alice", message.get("from").asText(), message.toString());
    }
  }
}
