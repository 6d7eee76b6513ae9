package dev.roomlog.gateway.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.gateway.GatewayInitializer;
import dev.roomlog.gateway.RecordingWalAppender;
import dev.roomlog.gateway.TestPipelines;
import dev.roomlog.gateway.WebSocketTestClient;
import dev.roomlog.gateway.auth.TestTokens;
import dev.roomlog.gateway.auth.TokenVerifier;
import dev.roomlog.gateway.handshake.HandshakePolicy;
import dev.roomlog.gateway.ipfilter.IpRules;
import dev.roomlog.gateway.metrics.GatewayMetrics;
import dev.roomlog.gateway.settings.ApiKey;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.Authorizer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A token connection ends with its token: warned once before {@code exp}, closed with 4001 at it,
 * unless a {@code refresh} with a new token of the same user moved its end. Time is moved by hand:
 * the event loop's ticker, and a clock that reads it (as the gateway's clock and the verifier's).
 */
class TokenExpiryTest {
  private static final String KEY = "client-key";

  /** The token's lifetime in these tests: warned {@code min(60 s, 10 min / 4)} = 60 s before. */
  private static final Duration LIFETIME = Duration.ofMinutes(10);

  private final MockTicker ticker = Ticker.newMockTicker();
  private final Clock clock = new TickerClock(ticker);
  private final RecordingWalAppender wal = new RecordingWalAppender();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
  private PrintStream realErr;
  private WebSocketTestClient client;

  @BeforeEach
  void captureLogs() {
    realErr = System.err;
    System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void release() {
    System.setErr(realErr);
    if (client != null) {
      TestPipelines.closeAndFinish(client);
    }
  }

  /** A clock at TestTokens.NOW plus the ticker's time, so both move together. */
  private static final class TickerClock extends Clock {
    private final MockTicker ticker;

    TickerClock(MockTicker ticker) {
      this.ticker = ticker;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return TestTokens.NOW.plusNanos(ticker.nanoTime());
    }
  }

  private void open(String path, String apiKey) {
    // Liveness timers far away: only the token ends these connections.
    GatewaySettings settings =
        GatewaySettings.builder(List.of(new ApiKey("web", KEY)), "gw-test")
            .tokenSecret(TestTokens.SECRET)
            .set(GatewaySettings.IDLE_TIMEOUT, Duration.ofDays(1))
            .set(GatewaySettings.MAX_CONNECTION_AGE, Duration.ofDays(1))
            .set(GatewaySettings.PING_INTERVAL, Duration.ofDays(1))
            .build();
    TokenVerifier tokens = TokenVerifier.fromSettings(settings, clock);
    HandshakePolicy policy =
        HandshakePolicy.create(
            settings, tokens, () -> IpRules.NONE, wal::acceptingConnections, clock);
    AtomicInteger ids = new AtomicInteger();
    ActionIntake intake =
        new ActionIntake(
            settings, wal, clock, () -> "id-" + ids.incrementAndGet(), new GatewayMetrics(meters));
    client =
        new WebSocketTestClient(
            new GatewayInitializer(settings, intake, new ConnectionRegistry(), policy, tokens),
            ticker);
    WebSocketTestClient.HttpReply reply =
        client.http(WebSocketTestClient.upgradeRequest(path, apiKey));
    assertEquals(101, reply.status(), reply.body());
    assertEquals("connected", TestPipelines.json(client.nextText()).get("type").asText());
  }

  private void openWithToken() {
    open("/?token=" + token("a1", nowPlus(LIFETIME)), null);
  }

  private static Instant nowPlus(Duration d) {
    return TestTokens.NOW.plus(d);
  }

  private static String token(String sub, Instant exp) {
    return TestTokens.claims(sub, "Alice")
        .withExpiresAt(exp)
        .sign(com.auth0.jwt.algorithms.Algorithm.HMAC256(TestTokens.SECRET));
  }

  /** A token of user a1 with these claims ({@code rooms} null: every room). */
  private static String token(String name, List<String> rooms, boolean createRooms, Instant exp) {
    com.auth0.jwt.JWTCreator.Builder claims =
        TestTokens.claims("a1", name).withExpiresAt(exp).withClaim("createRooms", createRooms);
    if (rooms != null) {
      claims.withClaim("rooms", rooms);
    }
    return claims.sign(com.auth0.jwt.algorithms.Algorithm.HMAC256(TestTokens.SECRET));
  }

  private double refreshes(String outcome) {
    Counter counter =
        meters.find("roomlog.gateway.token.refreshes").tag("outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }

  private double tokenCloses(int code) {
    Counter counter =
        meters.find("roomlog.gateway.token.closes").tag("code", Integer.toString(code)).counter();
    return counter == null ? 0 : counter.count();
  }

  /** Moves time to {@code at} after the handshake and runs what became due. */
  private void advanceTo(Duration at) {
    long by = at.toNanos() - ticker.nanoTime();
    ticker.advance(by, TimeUnit.NANOSECONDS);
    client.server.runScheduledPendingTasks();
  }

  private JsonNode nextJson() {
    WebSocketFrame frame = client.nextFrame();
    TextWebSocketFrame text = assertInstanceOf(TextWebSocketFrame.class, frame, "a text frame");
    try {
      return TestPipelines.json(text.text());
    } finally {
      text.release();
    }
  }

  private JsonNode refresh(String token) {
    client.sendText("{\"action\":\"refresh\",\"requestId\":\"r1\",\"token\":\"" + token + "\"}");
    return nextJson();
  }

  private void assertNothingSent() {
    assertNull(client.nextFrame(), "no frame yet");
    assertTrue(client.server.isOpen());
  }

  private void assertClosedForExpiry() {
    TestPipelines.Close close = TestPipelines.expectClose(client);
    assertEquals(
        new TestPipelines.Close(4001, "token expired: refresh before exp"), close, "close frame");
  }

  private void assertWarnedFor(Instant exp) {
    JsonNode warning = nextJson();
    assertEquals("tokenExpiring", warning.get("type").asText());
    assertEquals(exp.toEpochMilli(), warning.get("expiresAt").asLong());
  }

  @Test
  void warnedOnceAMinuteBeforeExpAndClosedWith4001AtIt() {
    openWithToken();
    advanceTo(Duration.ofSeconds(8 * 60 + 59));
    assertNothingSent();
    advanceTo(Duration.ofMinutes(9));
    assertWarnedFor(nowPlus(LIFETIME));
    advanceTo(LIFETIME.minusMillis(1));
    assertNothingSent();
    advanceTo(LIFETIME);
    assertClosedForExpiry();
    assertEquals(1, tokenCloses(4001), "the close is counted by its code");
  }

  @Test
  void aRefreshedConnectionOutlivesTheFirstExpAndClosesAtTheNewOne() {
    openWithToken();
    advanceTo(Duration.ofMinutes(9));
    assertWarnedFor(nowPlus(LIFETIME));
    Instant renewedExp = nowPlus(Duration.ofMinutes(30));
    String renewed = token("a1", renewedExp);

    JsonNode answer = refresh(renewed);

    assertEquals("refreshed", answer.get("type").asText());
    assertEquals(renewedExp.toEpochMilli(), answer.get("expiresAt").asLong());
    assertEquals("r1", answer.get("requestId").asText());
    advanceTo(Duration.ofMinutes(28).plusSeconds(59));
    assertNothingSent();
    // The new end is warned about once too.
    advanceTo(Duration.ofMinutes(29));
    assertWarnedFor(renewedExp);
    advanceTo(Duration.ofMinutes(30));
    assertClosedForExpiry();
    assertEquals(List.of(), wal.records(), "a refresh writes nothing to the log");
    assertTokenNotLogged(renewed);
    assertEquals(1, refreshes("refreshed"));
    assertEquals(1, tokenCloses(4001));
  }

  @Test
  void refusedRefreshesLeaveTheOldExpiry() {
    openWithToken();
    String otherUser = token("b2", nowPlus(Duration.ofHours(1)));
    String expired = token("a1", TestTokens.NOW.minus(Duration.ofMinutes(30)));
    String good = token("a1", nowPlus(Duration.ofHours(1)));
    // The payload swapped for another user's, the signature kept: a forgery.
    String[] parts = good.split("\\.");
    String tampered = parts[0] + "." + otherUser.split("\\.")[1] + "." + parts[2];

    assertError(403, "refreshSubjectMismatch", refresh(otherUser));
    advanceTo(Duration.ofSeconds(1));
    assertError(401, "tokenExpired", refresh(expired));
    advanceTo(Duration.ofSeconds(2));
    assertError(401, "tokenInvalid", refresh(tampered));
    advanceTo(Duration.ofSeconds(3));
    assertError(401, "tokenInvalid", refresh("not-a-jwt"));

    advanceTo(Duration.ofMinutes(9));
    assertWarnedFor(nowPlus(LIFETIME));
    advanceTo(LIFETIME);
    assertClosedForExpiry();
    assertEquals(List.of(), wal.records(), "a refused refresh writes nothing to the log");
    assertTokenNotLogged(otherUser);
    assertTokenNotLogged(tampered);
    assertEquals(1, refreshes("refreshSubjectMismatch"));
    assertEquals(1, refreshes("tokenExpired"));
    assertEquals(2, refreshes("tokenInvalid"));
    assertEquals(0, refreshes("refreshed"));
    // Error frames like any other the gateway sends: the label is the code, never the token.
    assertEquals(
        2,
        meters.find("roomlog.gateway.error.frames").tag("code", "tokenInvalid").counter().count());
    meters
        .getMeters()
        .forEach(
            m ->
                m.getId()
                    .getTags()
                    .forEach(
                        t ->
                            assertFalse(
                                t.getValue().contains("a1") || t.getValue().contains("."),
                                m.getId().toString())));
  }

  @Test
  void atMostOneRefreshASecond() {
    openWithToken();
    String renewed = token("a1", nowPlus(Duration.ofMinutes(30)));
    assertError(401, "tokenInvalid", refresh("not-a-jwt"));
    advanceTo(Duration.ofMillis(400));

    JsonNode tooSoon = refresh(renewed);

    assertError(429, "rateLimited", tooSoon);
    assertEquals(600, tooSoon.get("retryAfterMs").asLong());
    assertEquals(1, refreshes("rateLimited"));
    advanceTo(Duration.ofSeconds(1));
    assertEquals("refreshed", refresh(renewed).get("type").asText());
  }

  @Test
  void anApiKeyConnectionIsNeverClosedForExpiryAndCannotRefresh() {
    open("/", KEY);
    assertError(400, "invalidField", refresh(token("a1", nowPlus(Duration.ofHours(1)))));
    assertEquals(1, refreshes("invalidField"));
    advanceTo(Duration.ofHours(3));
    assertNothingSent();
    assertEquals(List.of(), wal.records(), "nothing of the refresh was written");
  }

  @Test
  void aRefreshWithoutATokenIsAMissingField() {
    openWithToken();
    client.sendText("{\"action\":\"refresh\",\"requestId\":\"r1\",\"token\":42}");
    assertError(400, "missingField", nextJson());
  }

  @Test
  void aChatMessageThatSaysRefreshIsAMessageNotARefresh() {
    openWithToken();
    String text = "{\\\"action\\\":\\\"refresh\\\"} please refresh";
    client.sendText(
        "{\"action\":\"sendMessage\",\"requestId\":\"r2\",\"roomId\":\"lobby\",\"text\":\""
            + text
            + "\",\"token\":\"not-a-jwt\"}");

    assertNothingSent();
    Action.SendMessage sent =
        assertInstanceOf(Action.SendMessage.class, wal.last().record().action());
    assertEquals("{\"action\":\"refresh\"} please refresh", sent.text());
    assertEquals(0, meters.find("roomlog.gateway.token.refreshes").counters().size());
  }

  @Test
  void aRefreshThatWidensTheRightsAppliesThemInPlace() {
    Instant firstExp = nowPlus(LIFETIME);
    open("/?token=" + token("Alice", List.of("lobby"), false, firstExp), null);
    client.sendText("{\"action\":\"joinRoom\",\"requestId\":\"r1\",\"roomId\":\"team-a\"}");
    assertError(403, "roomNotGranted", nextJson());
    Instant renewedExp = nowPlus(Duration.ofMinutes(30));

    JsonNode answer = refresh(token("Alice", List.of("lobby", "team-*"), true, renewedExp));

    assertEquals("refreshed", answer.get("type").asText(), answer.toString());
    client.sendText("{\"action\":\"joinRoom\",\"requestId\":\"r3\",\"roomId\":\"team-a\"}");
    client.sendText("{\"action\":\"createRoom\",\"requestId\":\"r4\",\"roomId\":\"team-b\"}");
    assertNothingSent();
    List<WalRecord> actions =
        wal.records().stream().filter(r -> !(r.action() instanceof Action.Connect)).toList();
    assertEquals(2, actions.size(), actions.toString());
    Authorizer stamped =
        new Authorizer(
            "token", "a1", "Alice", List.of("lobby", "team-*"), true, renewedExp.getEpochSecond());
    actions.forEach(r -> assertEquals(stamped, r.requestContext().authorizer(), r.toString()));
    assertEquals(1, refreshes("refreshed"));
    // Still closed at the new end, not the first one.
    advanceTo(LIFETIME);
    assertNothingSent();
    advanceTo(Duration.ofMinutes(29));
    assertWarnedFor(renewedExp);
  }

  @Test
  void aRefreshThatNarrowsTheRightsIsAnsweredAndThenClosedWith4003() {
    open("/?token=" + token("Alice", List.of("lobby", "team-*"), true, nowPlus(LIFETIME)), null);
    client.sendText("{\"action\":\"joinRoom\",\"requestId\":\"r2\",\"roomId\":\"team-a\"}");
    Instant renewedExp = nowPlus(Duration.ofMinutes(30));

    JsonNode answer = refresh(token("Alice", List.of("lobby"), true, renewedExp));

    assertEquals("refreshed", answer.get("type").asText(), answer.toString());
    assertEquals(renewedExp.toEpochMilli(), answer.get("expiresAt").asLong());
    assertEquals(
        new TestPipelines.Close(4003, "token rights changed: reconnect"),
        TestPipelines.expectClose(client));
    // Its $disconnect takes it out of team-a, which the new token no longer grants.
    assertEquals(1, wal.count(Action.Disconnect.class));
    assertEquals(1, refreshes("rightsChanged"));
    assertEquals(1, tokenCloses(4003));
  }

  @Test
  void aRefreshThatChangesTheNameClosesWith4003() {
    openWithToken();
    refresh(token("Alicia", null, true, nowPlus(Duration.ofMinutes(30))));
    assertEquals(4003, TestPipelines.expectClose(client).code());
  }

  @Test
  void otherActionsStillReachTheLog() {
    openWithToken();
    client.sendText("{\"action\":\"createRoom\",\"requestId\":\"r2\",\"roomId\":\"refresh-talk\"}");
    assertFalse(wal.records().isEmpty(), "the createRoom went on to the log");
  }

  private static void assertError(int status, String code, JsonNode frame) {
    assertEquals("error", frame.get("type").asText(), frame.toString());
    assertEquals(status, frame.get("status").asInt(), frame.toString());
    assertEquals(code, frame.get("code").asText(), frame.toString());
    assertEquals("r1", frame.get("requestId").asText(), frame.toString());
  }

  private void assertTokenNotLogged(String token) {
    String lines = logged.toString(StandardCharsets.UTF_8);
    assertTrue(lines.contains("opened from"), "no log line captured:\n" + lines);
    String signature = token.substring(token.lastIndexOf('.') + 1);
    assertFalse(lines.contains(signature), "a token reached a log line:\n" + lines);
    wal.records().forEach(r -> assertFalse(r.toString().contains(signature)));
  }
}
