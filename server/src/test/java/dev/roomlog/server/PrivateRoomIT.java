package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.systemtest.KafkaNode;
import dev.roomlog.systemtest.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Private rooms against a running system: Alice creates one with a secret in it; Eve, whose token
 * grants every public room, is refused and learns nothing of it (over WebSocket, or with her token
 * on the management API); Bob gets in once Alice invites him, Carol because her token grants the
 * room by prefix; and after the processor rebuilds from the log with an empty state directory, the
 * same people are let in and kept out.
 */
class PrivateRoomIT {
  private static final String SECRET = "private-room-it-secret-0123456789abcdef";
  private static final String ADMIN_KEY = "private-room-it-admin-key";
  private static final String ROOM = "team-secret";
  private static final String PLAN = "the plan is under the mat";

  private final HttpClient http = HttpClient.newHttpClient();
  private InProcessRoomlog roomlog;

  @BeforeEach
  void start() {
    // The gateway forwards room queries (to a port nobody listens on: the admin key is checked
    // first, and a caller without it must be refused before anything is forwarded).
    String noProcessor = "http://127.0.0.1:" + KafkaNode.freePort();
    roomlog =
        InProcessRoomlog.start(
            g -> g.tokenSecret(SECRET).adminKey(ADMIN_KEY).roomsUrls(List.of(noProcessor)));
  }

  @AfterEach
  void stop() {
    roomlog.close();
  }

  /** Made by java-jwt, not by the library the gateway verifies with. */
  private static String token(String sub, String name, List<String> rooms) {
    JWTCreator.Builder builder =
        JWT.create()
            .withSubject(sub)
            .withClaim("name", name)
            .withExpiresAt(Instant.now().plus(Duration.ofHours(1)));
    if (rooms != null) {
      builder.withClaim("rooms", rooms);
    }
    return builder.sign(Algorithm.HMAC256(SECRET));
  }

  private WsClient connect(String token) {
    return WsClient.connect(URI.create("ws://127.0.0.1:" + roomlog.port() + "/?token=" + token));
  }

  private static void assertPrivateRoomRefusal(JsonNode answer) {
    assertEquals("error", answer.get("type").asText(), answer.toString());
    assertEquals(403, answer.get("status").asInt(), answer.toString());
    assertEquals("privateRoom", answer.get("code").asText(), answer.toString());
  }

  private static String joined(WsClient client, String requestId) {
    client.sendAction("joinRoom", "roomId", ROOM, "requestId", requestId);
    JsonNode answer = client.awaitAnswer(requestId);
    assertEquals("joined", answer.get("type").asText(), answer.toString());
    return answer.toString();
  }

  @Test
  void onlyTheInvitedAndTheGrantedGetInAndOutsidersLearnNothingEvenAfterARebuild()
      throws Exception {
    String eveToken = token("u-eve", "Eve", null);
    try (WsClient alice = connect(token("u-alice", "Alice", null));
        WsClient eve = connect(eveToken);
        WsClient bob = connect(token("u-bob", "Bob", null));
        WsClient carol = connect(token("u-carol", "Carol", List.of("team-*")))) {
      alice.send(
          "{\"action\":\"createRoom\",\"roomId\":\""
              + ROOM
              + "\",\"private\":true,"
              + "\"requestId\":\"c1\"}");
      JsonNode created = alice.awaitAnswer("c1");
      assertEquals("roomCreated", created.get("type").asText(), created.toString());
      assertTrue(created.get("private").asBoolean(), created.toString());
      alice.sendAction("sendMessage", "roomId", ROOM, "text", PLAN, "requestId", "s1");
      assertEquals("message", alice.awaitAnswer("s1").get("type").asText());

      eve.sendAction("joinRoom", "roomId", ROOM, "requestId", "e1");
      assertPrivateRoomRefusal(eve.awaitAnswer("e1"));
      eve.send(
          "{\"action\":\"joinRoom\",\"roomId\":\""
              + ROOM
              + "\",\"afterSeq\":0,"
              + "\"requestId\":\"e2\"}");
      assertPrivateRoomRefusal(eve.awaitAnswer("e2"));
      bob.sendAction("joinRoom", "roomId", ROOM, "requestId", "b1");
      assertPrivateRoomRefusal(bob.awaitAnswer("b1"));

      // Carol's token grants team-*: the application let her in without an invite.
      assertTrue(joined(carol, "k1").contains(PLAN));

      alice.sendAction("invite", "roomId", ROOM, "user", "u-bob", "requestId", "i1");
      JsonNode invited = alice.awaitAnswer("i1");
      assertEquals("userInvited", invited.get("type").asText(), invited.toString());
      assertEquals("u-bob", invited.get("user").asText());
      assertEquals("Alice", invited.get("invitedBy").asText());
      carol.awaitFrame("userInvited", f -> "u-bob".equals(f.path("user").asText()));
      assertTrue(joined(bob, "b2").contains(PLAN));
      alice.awaitFrame("memberJoined", f -> "Bob".equals(f.path("username").asText()));

      // Bob was invited, which lets him in, not others.
      bob.sendAction("invite", "roomId", ROOM, "user", "u-eve", "requestId", "b3");
      assertEquals("inviteNotAllowed", bob.awaitAnswer("b3").get("code").asText());

      // Eve's token on the management API's room queries: not the admin key, so refused (403).
      for (String path : List.of("/rooms", "/rooms/" + ROOM)) {
        HttpResponse<String> asEve =
            http.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + roomlog.managementPort() + path))
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + eveToken)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, asEve.statusCode(), path + ": " + asEve.body());
        assertFalse(asEve.body().contains(ROOM), asEve.body());
      }
      String everythingEveSaw = eve.received().toString();
      for (String secret : List.of(PLAN, "Alice", "Carol", alice.connectionId())) {
        assertFalse(everythingEveSaw.contains(secret), secret + " leaked: " + everythingEveSaw);
      }

      roomlog.stopProcessor();
      // An empty state directory: who may enter is rebuilt from the log alone.
      roomlog.startProcessorWithFreshStateDir();

      eve.sendAction("joinRoom", "roomId", ROOM, "requestId", "e3");
      assertPrivateRoomRefusal(eve.awaitAnswer("e3"));
      try (WsClient bobAgain = connect(token("u-bob", "Bob", null))) {
        assertTrue(joined(bobAgain, "b4").contains(PLAN));
      }
    }
  }
}
