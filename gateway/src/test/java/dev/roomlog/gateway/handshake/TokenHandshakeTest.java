package dev.roomlog.gateway.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.algorithms.Algorithm;
import dev.roomlog.gateway.GatewayInitializer;
import dev.roomlog.gateway.RecordingWalAppender;
import dev.roomlog.gateway.WebSocketTestClient;
import dev.roomlog.gateway.auth.TestTokens;
import dev.roomlog.gateway.auth.TokenVerifier;
import dev.roomlog.gateway.connection.ActionIntake;
import dev.roomlog.gateway.connection.ConnectionRegistry;
import dev.roomlog.gateway.ipfilter.IpRules;
import dev.roomlog.gateway.settings.ApiKey;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.Authorizer;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * User tokens at the handshake, through the real pipeline in an EmbeddedChannel: the three places a
 * token may come from, the subprotocol answer (never the token), the 401s, the {@code auth}
 * setting, and that a token reaches neither the log lines nor the write-ahead log.
 */
class TokenHandshakeTest {
  private static final String KEY = "client-key";
  private static final Clock CLOCK = Clock.fixed(TestTokens.NOW, ZoneOffset.UTC);

  private final RecordingWalAppender wal = new RecordingWalAppender();
  private final ConnectionRegistry registry = new ConnectionRegistry();
  private final AtomicInteger ids = new AtomicInteger();
  private final List<WebSocketTestClient> clients = new ArrayList<>();
  private GatewaySettings.Builder settings =
      GatewaySettings.builder(List.of(new ApiKey("web", KEY)), "gw-test")
          .tokenSecret(TestTokens.SECRET);
  private HandshakePolicy policy;
  private TokenVerifier tokens;

  // Every log line of the test, to check no token is in any (slf4j-simple writes to System.err).
  private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
  private PrintStream realErr;

  @BeforeEach
  void captureLogs() {
    realErr = System.err;
    System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void closeClients() {
    System.setErr(realErr);
    for (WebSocketTestClient client : clients) {
      client.server.close();
      for (Object out; (out = client.server.readOutbound()) != null; ) {
        ReferenceCountUtil.release(out);
      }
      assertFalse(client.server.finish(), "nothing left unread in the pipeline");
      client.close();
    }
  }

  private WebSocketTestClient client() {
    GatewaySettings built = settings.build();
    if (policy == null) {
      tokens = TokenVerifier.fromSettings(built, CLOCK);
      policy =
          HandshakePolicy.create(
              built, tokens, () -> IpRules.NONE, wal::acceptingConnections, CLOCK);
    }
    ActionIntake intake = new ActionIntake(built, wal, CLOCK, () -> "id-" + ids.incrementAndGet());
    WebSocketTestClient client =
        new WebSocketTestClient(new GatewayInitializer(built, intake, registry, policy, tokens));
    clients.add(client);
    return client;
  }

  private static String upgrade(String path, String... extraHeaders) {
    List<String> headers =
        new ArrayList<>(
            List.of(
                "Host: gateway.example.com",
                "Upgrade: websocket",
                "Connection: Upgrade",
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                "Sec-WebSocket-Version: 13"));
    headers.addAll(List.of(extraHeaders));
    return "GET " + path + " HTTP/1.1\r\n" + String.join("\r\n", headers) + "\r\n\r\n";
  }

  /** Admitted with a token: it chats as the token's user, and the log says who. */
  private void assertChatsAs(WebSocketTestClient client, WebSocketTestClient.HttpReply reply) {
    assertEquals(101, reply.status(), reply.body());
    client.nextText(); // connected
    client.sendText("{\"action\":\"createRoom\",\"requestId\":\"r1\",\"roomId\":\"lobby\"}");
    List<WalRecord> records = wal.records();
    WalRecord create = records.get(records.size() - 1);
    assertEquals(new Action.CreateRoom("r1", "Alice", "lobby", null), create.action());
    Authorizer who = create.requestContext().authorizer();
    assertEquals("token", who.type());
    assertEquals("a1", who.principalId());
    assertEquals("Alice", who.name());
  }

  private void assertRefused(int status, WebSocketTestClient.HttpReply reply) {
    assertEquals(status, reply.status(), reply.body());
    assertEquals("close", reply.headers().get("connection"));
    assertFalse(clients.get(clients.size() - 1).server.isOpen());
    assertEquals(List.of(), wal.records(), "nothing was written to the log");
  }

  private void assertNoTokenLogged(String token) {
    String lines = logged.toString(StandardCharsets.UTF_8);
    // The capture works: the connection's open or refusal line is in it.
    assertTrue(
        lines.contains("opened from") || lines.contains("refused a handshake"),
        "no log line captured:\n" + lines);
    // The signature is the part that must never leak (the header is the same for many tokens).
    String signature = token.substring(token.lastIndexOf('.') + 1);
    assertFalse(lines.contains(signature), "a token reached a log line:\n" + lines);
    for (WalRecord record : wal.records()) {
      assertFalse(
          record.toString().contains(signature), "a token reached the write-ahead log: " + record);
    }
  }

  @Test
  void aBearerHeaderAdmitsTheTokensUser() {
    String token = TestTokens.hs256("a1", "Alice");
    WebSocketTestClient c = client();
    assertChatsAs(c, c.http(upgrade("/", "Authorization: Bearer " + token)));
    assertNoTokenLogged(token);
  }

  @Test
  void aQueryStringTokenAdmitsTheTokensUserAndIsCutFromTheRequest() {
    String token = TestTokens.hs256("a1", "Alice");
    WebSocketTestClient c = client();
    assertChatsAs(c, c.http(upgrade("/?token=" + token + "&x=1")));
    assertNoTokenLogged(token);
  }

  @Test
  void aSubprotocolTokenIsAnsweredWithTheProtocolTheServerChoseNeverTheToken() {
    String token = TestTokens.hs256("a1", "Alice");
    WebSocketTestClient c = client();
    WebSocketTestClient.HttpReply reply =
        c.http(upgrade("/", "Sec-WebSocket-Protocol: roomlog.token." + token + ", roomlog.v1"));
    assertEquals("roomlog.v1", reply.headers().get("sec-websocket-protocol"));
    assertChatsAs(c, reply);
    assertNoTokenLogged(token);
  }

  @Test
  void aSubprotocolTokenWithoutRoomlogV1IsRefused() {
    WebSocketTestClient c = client();
    WebSocketTestClient.HttpReply reply =
        c.http(
            upgrade(
                "/", "Sec-WebSocket-Protocol: roomlog.token." + TestTokens.hs256("a1", "Alice")));
    assertRefused(400, reply);
    assertTrue(reply.body().contains("roomlog.v1"), reply.body());
  }

  @Test
  void aClientOfferingRoomlogV1WithAKeyGetsItAndOneOfferingNothingGetsNoProtocol() {
    WebSocketTestClient c = client();
    WebSocketTestClient.HttpReply reply =
        c.http(upgrade("/", "x-api-key: " + KEY, "Sec-WebSocket-Protocol: roomlog.v1"));
    assertEquals(101, reply.status());
    assertEquals("roomlog.v1", reply.headers().get("sec-websocket-protocol"));
    WebSocketTestClient plain = client();
    WebSocketTestClient.HttpReply none = plain.http(upgrade("/", "x-api-key: " + KEY));
    assertEquals(101, none.status());
    assertNull(none.headers().get("sec-websocket-protocol"));
  }

  @Test
  void anInvalidTokenIs401WithABearerChallengeAndNothingLeaks() {
    String forged = TestTokens.claims("a1", "Alice").sign(Algorithm.HMAC256("x".repeat(40)));
    WebSocketTestClient c = client();
    WebSocketTestClient.HttpReply reply = c.http(upgrade("/?token=" + forged));
    assertRefused(401, reply);
    assertEquals("Bearer error=\"invalid_token\"", reply.headers().get("www-authenticate"));
    assertEquals("invalid token\n", reply.body());
    assertNoTokenLogged(forged);
  }

  @Test
  void anExpiredTokenIsToldItExpired() {
    String expired =
        TestTokens.claims("a1", "Alice")
            .withExpiresAt(TestTokens.NOW.minusSeconds(120))
            .sign(Algorithm.HMAC256(TestTokens.SECRET));
    WebSocketTestClient c = client();
    WebSocketTestClient.HttpReply reply =
        c.http(upgrade("/", "Authorization: Bearer " + expired, "x-api-key: " + KEY));
    // A token was presented: it is judged by it, not waved through by the key beside it.
    assertRefused(401, reply);
    assertEquals(
        "Bearer error=\"invalid_token\", error_description=\"expired\"",
        reply.headers().get("www-authenticate"));
    assertNoTokenLogged(expired);
  }

  @Test
  void authTokenRefusesAKeyAndAuthKeyIgnoresATokenAsBefore() {
    settings = settings.auth("token");
    WebSocketTestClient keyOnly = client();
    WebSocketTestClient.HttpReply refused = keyOnly.http(upgrade("/", "x-api-key: " + KEY));
    assertRefused(401, refused);
    assertEquals("Bearer", refused.headers().get("www-authenticate"));

    settings = settings.auth("key");
    policy = null;
    WebSocketTestClient tokenOnly = client();
    WebSocketTestClient.HttpReply noKey =
        tokenOnly.http(upgrade("/?token=" + TestTokens.hs256("a1", "Alice")));
    assertRefused(401, noKey);
    assertEquals("missing or wrong x-api-key header\n", noKey.body());
    assertNull(noKey.headers().get("www-authenticate"));
  }

  @Test
  void withoutATokenKeyNoTokenIsValid() {
    settings = GatewaySettings.builder(List.of(new ApiKey("web", KEY)), "gw-test");
    WebSocketTestClient c = client();
    assertRefused(401, c.http(upgrade("/?token=" + TestTokens.hs256("a1", "Alice"))));
  }

  @Test
  void anApiKeyConnectionIsStampedWithItsKeysNameAndKeepsItsUsernames() {
    WebSocketTestClient c = client();
    assertEquals(101, c.http(upgrade("/", "x-api-key: " + KEY)).status());
    c.nextText();
    c.sendText(
        "{\"action\":\"createRoom\",\"requestId\":\"r1\",\"roomId\":\"lobby\",\"username\":\"x\"}");
    WalRecord create = wal.records().get(wal.records().size() - 1);
    assertEquals(Authorizer.apiKey("web"), create.requestContext().authorizer());
  }
}
