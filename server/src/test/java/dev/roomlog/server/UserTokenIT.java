package dev.roomlog.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.Authorizer;
import dev.roomlog.systemtest.SharedKafka;
import dev.roomlog.systemtest.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A browser's way in, end to end: a real WebSocket client with nothing but {@code ?token=} in its
 * URL (the token made by java-jwt, not by the library the gateway verifies with), a real broker and
 * processor. The user chats under the token's name; the log's records say who (the authorizer) and
 * hold no token.
 */
class UserTokenIT {
  private static final String SECRET = "user-token-it-secret-0123456789abcdef";
  private InProcessRoomlog roomlog;

  @BeforeEach
  void start() {
    roomlog = InProcessRoomlog.start(g -> g.tokenSecret(SECRET));
  }

  @AfterEach
  void stop() {
    roomlog.close();
  }

  private static String token(String sub, String name, Instant expires) {
    return JWT.create()
        .withSubject(sub)
        .withClaim("name", name)
        .withExpiresAt(expires)
        .sign(Algorithm.HMAC256(SECRET));
  }

  private URI withToken(String token) {
    return URI.create("ws://127.0.0.1:" + roomlog.port() + "/?token=" + token);
  }

  @Test
  void aTokenUserChatsUnderTheTokensNameAndTheLogSaysWhoWithoutTheToken() {
    String aliceToken = token("a1", "Alice", Instant.now().plus(Duration.ofHours(1)));
    String bobToken = token("b1", "Bob", Instant.now().plus(Duration.ofHours(1)));
    try (WsClient alice = WsClient.connect(withToken(aliceToken));
        WsClient bob = WsClient.connect(withToken(bobToken))) {
      alice.send("{\"action\":\"createRoom\",\"requestId\":\"r1\",\"roomId\":\"tokens\"}");
      alice.awaitAnswer("r1");
      bob.send("{\"action\":\"joinRoom\",\"requestId\":\"r2\",\"roomId\":\"tokens\"}");
      bob.awaitAnswer("r2");
      // Bob cannot speak as Alice: refused at the gateway, nothing written.
      bob.send(
          "{\"action\":\"joinRoom\",\"requestId\":\"r3\",\"roomId\":\"x\",\"username\":\"Alice\"}");
      JsonNode notYours = bob.awaitAnswer("r3");
      assertEquals(403, notYours.get("status").asInt());
      assertEquals("usernameNotYours", notYours.get("code").asText());

      alice.send(
          "{\"action\":\"sendMessage\",\"requestId\":\"r4\",\"roomId\":\"tokens\",\"text\":\"hi\"}");
      JsonNode message = bob.awaitFrame("message", m -> "hi".equals(m.get("text").asText()));
      assertEquals("Alice", message.get("from").asText());

      List<ConsumerRecord<String, WalRecord>> records = new ArrayList<>();
      await()
          .atMost(WsClient.WAIT)
          .until(
              () -> {
                records.clear();
                SharedKafka.readAll(roomlog.topics().actions()).stream()
                    .filter(r -> !(r.value().action() instanceof Action.Heartbeat))
                    .forEach(records::add);
                return records.stream()
                    .anyMatch(r -> r.value().action() instanceof Action.SendMessage);
              });
      for (ConsumerRecord<String, WalRecord> record : records) {
        Authorizer who = record.value().requestContext().authorizer();
        assertEquals("token", who.type(), record.toString());
        assertTrue(List.of("a1", "b1").contains(who.principalId()), record.toString());
      }
      // The bytes as written, not as read back (a reader drops fields it does not know).
      for (ConsumerRecord<String, String> raw :
          SharedKafka.readAll(
              SharedKafka.bootstrapServers(),
              roomlog.topics().actions().name(),
              new StringDeserializer(),
              new StringDeserializer())) {
        for (String token : List.of(aliceToken, bobToken)) {
          String signature = token.substring(token.lastIndexOf('.') + 1);
          assertFalse(raw.value().contains(signature), "a token in the log: " + raw.value());
        }
      }
      assertEquals(
          "Alice",
          records.stream()
              .filter(r -> r.value().action() instanceof Action.SendMessage)
              .findFirst()
              .orElseThrow()
              .value()
              .requestContext()
              .authorizer()
              .name());
    }
  }

  @Test
  void anExpiredOrForgedTokenIsRefused401() {
    String expired = token("a1", "Alice", Instant.now().minus(Duration.ofMinutes(5)));
    String forged =
        JWT.create()
            .withSubject("a1")
            .withExpiresAt(Instant.now().plus(Duration.ofHours(1)))
            .sign(Algorithm.HMAC256("another-secret-of-enough-length-0123456789"));
    for (String token : List.of(expired, forged)) {
      CompletionException refused =
          org.junit.jupiter.api.Assertions.assertThrows(
              CompletionException.class,
              () ->
                  HttpClient.newHttpClient()
                      .newWebSocketBuilder()
                      .buildAsync(withToken(token), new java.net.http.WebSocket.Listener() {})
                      .join());
      WebSocketHandshakeException handshake = (WebSocketHandshakeException) refused.getCause();
      assertEquals(401, handshake.getResponse().statusCode());
      assertTrue(
          handshake
              .getResponse()
              .headers()
              .firstValue("www-authenticate")
              .orElse("")
              .startsWith("Bearer error=\"invalid_token\""));
    }
  }

  @Test
  void aLiveConnectionIsWarnedRefreshesAndOutlivesItsFirstTokenWhileOneThatDoesNotIsClosed4001() {
    // A JWT's exp is whole seconds.
    Instant soon = Instant.now().plus(Duration.ofSeconds(4)).truncatedTo(ChronoUnit.SECONDS);
    try (WsClient alice = WsClient.connect(withToken(token("a1", "Alice", soon)));
        WsClient bob = WsClient.connect(withToken(token("b2", "Bob", soon)))) {
      JsonNode warned = alice.awaitFrame("tokenExpiring", f -> true);
      assertEquals(soon.getEpochSecond() * 1000, warned.get("expiresAt").asLong());

      Instant later = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
      alice.sendAction("refresh", "token", token("a1", "Alice", later), "requestId", "r1");
      JsonNode refreshed = alice.awaitAnswer("r1");
      assertEquals("refreshed", refreshed.get("type").asText(), refreshed.toString());
      assertEquals(later.getEpochSecond() * 1000, refreshed.get("expiresAt").asLong());

      assertEquals(4001, bob.awaitCloseCode(), "no refresh: closed at its token's exp");
      assertFalse(Instant.now().isBefore(soon), "the close came at exp, not before");
      alice.sendAction("createRoom", "requestId", "c1");
      JsonNode created = alice.awaitAnswer("c1");
      assertEquals("roomCreated", created.get("type").asText(), created.toString());
      assertFalse(alice.isClosed(), "the refreshed connection outlived its first token");
    }
  }

  private static String token(String sub, String name, List<String> rooms) {
    return JWT.create()
        .withSubject(sub)
        .withClaim("name", name)
        .withClaim("rooms", rooms)
        .withExpiresAt(Instant.now().plus(Duration.ofHours(1)))
        .sign(Algorithm.HMAC256(SECRET));
  }

  @Test
  void aRefreshThatWidensRightsAppliesThemLiveAndOneThatNarrowsThemClosesWith4003() {
    try (WsClient alice = WsClient.connect(withToken(token("a1", "Alice", List.of("team-*"))));
        WsClient bob = WsClient.connect(withToken(token("b1", "Bob", List.of("lobby"))))) {
      alice.sendAction("createRoom", "requestId", "c1", "roomId", "team-a");
      assertEquals("roomCreated", alice.awaitAnswer("c1").get("type").asText());
      bob.sendAction("joinRoom", "requestId", "j1", "roomId", "team-a");
      assertEquals("roomNotGranted", bob.awaitAnswer("j1").get("code").asText());

      bob.sendAction(
          "refresh", "token", token("b1", "Bob", List.of("lobby", "team-*")), "requestId", "r1");
      assertEquals("refreshed", bob.awaitAnswer("r1").get("type").asText());
      bob.sendAction("joinRoom", "requestId", "j2", "roomId", "team-a");
      JsonNode joined = bob.awaitAnswer("j2");
      assertEquals("joined", joined.get("type").asText(), joined.toString());

      alice.sendAction(
          "refresh", "token", token("a1", "Alice", List.of("lobby")), "requestId", "r2");
      assertEquals("refreshed", alice.awaitAnswer("r2").get("type").asText());
      assertEquals(4003, alice.awaitCloseCode(), "narrower rights: closed to take effect");
      // Its $disconnect took it out of team-a, which its new token no longer grants.
      JsonNode left = bob.awaitFrame("memberLeft", f -> "Alice".equals(f.get("username").asText()));
      assertEquals("team-a", left.get("roomId").asText(), left.toString());

      WalRecord bobsJoin =
          SharedKafka.readAll(roomlog.topics().actions()).stream()
              .map(ConsumerRecord::value)
              .filter(r -> r.action() instanceof Action.JoinRoom)
              .findFirst()
              .orElseThrow();
      assertEquals(
          List.of("lobby", "team-*"),
          bobsJoin.requestContext().authorizer().rooms(),
          "the join is stamped with the refreshed token's rooms");
    }
  }
}
