package dev.roomlog.gateway.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.handshake.ApiKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewaySettingsTest {

  private static String failure(Map<String, String> props) {
    return assertThrows(IllegalArgumentException.class, () -> GatewaySettings.fromProperties(props))
        .getMessage();
  }

  private static String failureWith(String name, String value) {
    return failure(
        Map.of(GatewaySettings.API_KEYS, "k", GatewaySettings.GATEWAY_ID, "g", name, value));
  }

  @Test
  void fillsInTheDefaults() {
    GatewaySettings s = GatewaySettings.of(Set.of("k"), "gw-1");

    assertEquals("0.0.0.0", s.bindHost());
    assertEquals(8080, s.port());
    assertEquals(32_768, s.maxFramePayloadBytes());
    assertEquals(131_072, s.maxMessageBytes());
    assertEquals(10_000, s.maxInFlightActions());
    assertEquals(Duration.ofMinutes(10), s.idleTimeout());
    assertEquals(Duration.ofHours(2), s.maxConnectionAge());
    assertFalse(s.permessageDeflate());
    assertTrue(s.allowedOrigins().isEmpty());
    assertNull(s.ipRulesFile());
    assertNull(s.adminKey());
    assertNull(s.stage());
    assertEquals(List.of(new ApiKey("key-1", "k")), s.apiKeys());
  }

  @Test
  void userTokensAloneAreEnoughWhereAuthLetsThemInOtherwiseAClientKeyIsNeeded() {
    String secret = "a-token-secret-of-at-least-32-bytes!";
    Map<String, String> tokensOnly =
        Map.of(GatewaySettings.GATEWAY_ID, "g", GatewaySettings.TOKEN_SECRET, secret);

    assertTrue(GatewaySettings.fromProperties(tokensOnly).apiKeys().isEmpty(), "auth=either");
    Map<String, String> tokenAuth = new java.util.HashMap<>(tokensOnly);
    tokenAuth.put(GatewaySettings.AUTH, "token");
    assertTrue(GatewaySettings.fromProperties(tokenAuth).apiKeys().isEmpty(), "auth=token");

    Map<String, String> keyAuth = new java.util.HashMap<>(tokensOnly);
    keyAuth.put(GatewaySettings.AUTH, "key");
    assertTrue(failure(keyAuth).contains("must name at least one key"), failure(keyAuth));
    String nothing = failure(Map.of(GatewaySettings.GATEWAY_ID, "g"));
    assertTrue(nothing.startsWith(GatewaySettings.API_KEYS + " (or "), nothing);
  }

  @Test
  void pagesAreOffByDefaultAndTheDevPagesNeedATokenSecretToSignWith() {
    assertEquals("off", GatewaySettings.of(Set.of("k"), "gw-1").pages());
    Map<String, String> dev =
        Map.of(
            GatewaySettings.GATEWAY_ID,
            "g",
            GatewaySettings.API_KEYS,
            "k",
            GatewaySettings.PAGES,
            "dev");
    String noSecret = failure(dev);
    assertTrue(
        noSecret.contains(GatewaySettings.PAGES + "=dev needs " + GatewaySettings.TOKEN_SECRET),
        noSecret);
    Map<String, String> withSecret = new java.util.HashMap<>(dev);
    withSecret.put(GatewaySettings.TOKEN_SECRET, "a-token-secret-of-at-least-32-bytes!");
    assertEquals("dev", GatewaySettings.fromProperties(withSecret).pages());
    Map<String, String> on = new java.util.HashMap<>(dev);
    on.put(GatewaySettings.PAGES, "on");
    assertEquals("on", GatewaySettings.fromProperties(on).pages(), "on serves no tokens");
    String unknown = failureWith(GatewaySettings.PAGES, "yes");
    assertTrue(unknown.contains("off, on or dev"), unknown);
  }

  @Test
  void tokenSettingsHaveSafeDefaultsAndFailNamingTheSetting() {
    GatewaySettings s = GatewaySettings.of(Set.of("k"), "gw-1");
    assertEquals("either", s.auth());
    assertNull(s.tokenSecret());
    assertEquals(Duration.ofSeconds(30), s.tokenClockSkew());
    assertEquals("name", s.tokenNameClaim());

    String shortSecret = failureWith(GatewaySettings.TOKEN_SECRET, "too-short-secret");
    assertTrue(
        shortSecret.contains("tokenSecret") && shortSecret.contains("32 bytes"), shortSecret);
    assertFalse(shortSecret.contains("too-short-secret"), "the secret is never in a message");
    assertTrue(failureWith(GatewaySettings.AUTH, "jwt").contains("key, token or either"));
    assertTrue(failureWith(GatewaySettings.TOKEN_CLOCK_SKEW, "1h").contains("tokenClockSkew"));
    assertTrue(failureWith(GatewaySettings.AUTH, "token").contains("needs a token key"));
    String sameAsKey =
        failure(
            Map.of(
                GatewaySettings.API_KEYS, "k".repeat(32),
                GatewaySettings.GATEWAY_ID, "g",
                GatewaySettings.TOKEN_SECRET, "k".repeat(32)));
    assertTrue(sameAsKey.contains("must differ from every client key"), sameAsKey);
    assertEquals(
        "token",
        GatewaySettings.fromProperties(
                Map.of(
                    GatewaySettings.API_KEYS, "k",
                    GatewaySettings.GATEWAY_ID, "g",
                    GatewaySettings.AUTH, "token",
                    GatewaySettings.TOKEN_SECRET, "s".repeat(32)))
            .auth());
  }

  @Test
  void readsPropertiesIncludingNamedAndBareKeys() {
    GatewaySettings s =
        GatewaySettings.fromProperties(
            Map.of(
                GatewaySettings.API_KEYS, " mobile:a, b ,,web:c",
                GatewaySettings.GATEWAY_ID, "gw-2",
                GatewaySettings.PORT, "0",
                GatewaySettings.IDLE_TIMEOUT, "90s",
                GatewaySettings.PING_INTERVAL, "1500ms",
                GatewaySettings.CLOSE_TIMEOUT, "750ms",
                GatewaySettings.PERMESSAGE_DEFLATE, "on",
                GatewaySettings.ALLOWED_ORIGINS, "https://chat.example.com, http://localhost:3000",
                GatewaySettings.STAGE, "production"));

    assertEquals(
        List.of(new ApiKey("mobile", "a"), new ApiKey("key-2", "b"), new ApiKey("web", "c")),
        s.apiKeys());
    assertEquals(0, s.port());
    assertEquals(Duration.ofSeconds(90), s.idleTimeout());
    assertEquals(Duration.ofMillis(1500), s.pingInterval());
    assertEquals(Duration.ofMillis(750), s.closeTimeout());
    assertTrue(s.permessageDeflate());
    assertEquals(Set.of("https://chat.example.com", "http://localhost:3000"), s.allowedOrigins());
    assertEquals("production", s.stage());
  }

  @Test
  void readsKeysFromAFileSkippingCommentsAndBlankLines(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("keys");
    Files.writeString(file, "# clients\nmobile: s3cret-1\n\n  web:s3cret-2\n");

    GatewaySettings s =
        GatewaySettings.fromProperties(
            Map.of(
                GatewaySettings.API_KEYS_FILE, file.toString(), GatewaySettings.GATEWAY_ID, "g"));

    assertEquals(
        List.of(new ApiKey("mobile", "s3cret-1"), new ApiKey("web", "s3cret-2")), s.apiKeys());
  }

  @Test
  void aBadLineInTheKeyFileIsNamedByItsNumber(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("keys");
    Files.writeString(file, "mobile:a\nbad name:b\n");

    String message =
        failure(
            Map.of(
                GatewaySettings.API_KEYS_FILE, file.toString(), GatewaySettings.GATEWAY_ID, "g"));

    assertTrue(message.contains("line 2"), message);
  }

  @Test
  void rejectsBadValuesNamingTheSetting() {
    assertTrue(failure(Map.of(GatewaySettings.GATEWAY_ID, "g")).contains(GatewaySettings.API_KEYS));
    assertTrue(failure(Map.of(GatewaySettings.API_KEYS, "k")).contains(GatewaySettings.GATEWAY_ID));
    assertTrue(failureWith(GatewaySettings.PORT, "70000").contains(GatewaySettings.PORT));
    assertTrue(
        failureWith(GatewaySettings.MAX_IN_FLIGHT_ACTIONS, "lots")
            .contains(GatewaySettings.MAX_IN_FLIGHT_ACTIONS));
    assertTrue(
        failureWith(GatewaySettings.MAX_CONNECTIONS, "0")
            .contains(GatewaySettings.MAX_CONNECTIONS));
    assertTrue(
        failureWith(GatewaySettings.IDLE_TIMEOUT, "10").contains(GatewaySettings.IDLE_TIMEOUT));
    assertTrue(
        failureWith(GatewaySettings.PONG_TIMEOUT, "0s").contains(GatewaySettings.PONG_TIMEOUT));
    assertTrue(
        failureWith(GatewaySettings.CLOSE_TIMEOUT, "0s").contains(GatewaySettings.CLOSE_TIMEOUT));
    assertTrue(
        failureWith(GatewaySettings.PERMESSAGE_DEFLATE, "maybe")
            .contains(GatewaySettings.PERMESSAGE_DEFLATE));
    assertTrue(
        failureWith(GatewaySettings.ALLOWED_ORIGINS, "https://chat.example.com/path")
            .contains(GatewaySettings.ALLOWED_ORIGINS));
    assertTrue(
        failure(
                Map.of(
                    GatewaySettings.API_KEYS,
                    "k",
                    GatewaySettings.GATEWAY_ID,
                    "g",
                    GatewaySettings.MAX_FRAME_PAYLOAD_BYTES,
                    "4096",
                    GatewaySettings.MAX_MESSAGE_BYTES,
                    "1024"))
            .contains(GatewaySettings.MAX_MESSAGE_BYTES));
  }

  @Test
  void trustedProxiesMustBeCidrs() {
    String message = failureWith(GatewaySettings.TRUSTED_PROXIES, "10.0.0.0/8, proxy.internal");

    assertTrue(message.startsWith(GatewaySettings.TRUSTED_PROXIES + ": "), message);
    assertTrue(message.contains("proxy.internal"), message);
  }

  @Test
  void theAdminKeyMustDifferFromEveryClientKey() {
    assertTrue(failureWith(GatewaySettings.ADMIN_KEY, "k").contains(GatewaySettings.ADMIN_KEY));
  }

  @Test
  void keyNamesAndSecretsMustBeUnique() {
    assertTrue(
        failure(Map.of(GatewaySettings.API_KEYS, "a:x,a:y", GatewaySettings.GATEWAY_ID, "g"))
            .contains("'a' is used twice"));
    assertTrue(
        failure(Map.of(GatewaySettings.API_KEYS, "a:x,b:x", GatewaySettings.GATEWAY_ID, "g"))
            .contains("same secret"));
  }

  @Test
  void secretsNeverAppearInToString() {
    GatewaySettings s =
        GatewaySettings.builder(List.of(new ApiKey("web", "top-secret")), "g")
            .adminKey("admin-secret")
            .build();

    assertFalse(s.toString().contains("top-secret"));
    assertFalse(s.toString().contains("admin-secret"));
    assertTrue(s.toString().contains("web"));
  }

  @Test
  void apiKeysAreCheckedByValueAndTellWhichKeyMatched() {
    ApiKeys keys = new ApiKeys(List.of(new ApiKey("a", "alpha"), new ApiKey("b", "beta-longer")));

    assertEquals(Optional.of(new ApiKey("a", "alpha")), keys.match("alpha"));
    assertEquals("b", keys.match("beta-longer").orElseThrow().name());
    assertFalse(keys.accepts("alph"));
    assertFalse(keys.accepts(""));
    assertFalse(keys.accepts(null));
  }

  @Test
  void pendingHandshakeAndPingLimitsHaveDefaultsAndAreRead() {
    GatewaySettings defaults = GatewaySettings.of(Set.of("k"), "gw-1");
    assertEquals(1_000, defaults.maxPendingHandshakes());
    assertEquals(50, defaults.maxPendingHandshakesPerIp());
    assertEquals(10, defaults.maxPingsPerSecond());

    GatewaySettings s =
        GatewaySettings.fromProperties(
            Map.of(
                GatewaySettings.API_KEYS, "k",
                GatewaySettings.GATEWAY_ID, "g",
                GatewaySettings.MAX_PENDING_HANDSHAKES, "2_000",
                GatewaySettings.MAX_PENDING_HANDSHAKES_PER_IP, "5",
                GatewaySettings.MAX_PINGS_PER_SECOND, "1"));

    assertEquals(2_000, s.maxPendingHandshakes());
    assertEquals(5, s.maxPendingHandshakesPerIp());
    assertEquals(1, s.maxPingsPerSecond());
    assertEquals(s.maxPingsPerSecond(), s.toBuilder().build().maxPingsPerSecond());
  }

  @Test
  void pendingHandshakeAndPingLimitsMustBeAtLeastOne() {
    for (String name :
        List.of(
            GatewaySettings.MAX_PENDING_HANDSHAKES,
            GatewaySettings.MAX_PENDING_HANDSHAKES_PER_IP,
            GatewaySettings.MAX_PINGS_PER_SECOND)) {
      assertTrue(failureWith(name, "0").contains(name), name);
    }
    assertTrue(
        failureWith(GatewaySettings.MAX_PINGS_PER_SECOND, "1000000001")
            .contains(GatewaySettings.MAX_PINGS_PER_SECOND));
  }

  @Test
  void handshakeRatePerIpHasItsDefaultsIsReadAndKeptByToBuilder() {
    GatewaySettings defaults = GatewaySettings.of(Set.of("k"), "gw-1");
    assertEquals(10, defaults.handshakesPerSecondPerIp());
    assertEquals(20, defaults.handshakeBurstPerIp());

    GatewaySettings s =
        GatewaySettings.fromProperties(
            Map.of(
                GatewaySettings.API_KEYS, "k",
                GatewaySettings.GATEWAY_ID, "g",
                GatewaySettings.HANDSHAKES_PER_SECOND_PER_IP, "1000",
                GatewaySettings.HANDSHAKE_BURST_PER_IP, "5000"));

    assertEquals(1_000, s.handshakesPerSecondPerIp());
    assertEquals(5_000, s.handshakeBurstPerIp());
    assertEquals(5_000, s.toBuilder().build().handshakeBurstPerIp());
    assertEquals(
        "ROOMLOG_GATEWAY_HANDSHAKES_PER_SECOND_PER_IP",
        GatewaySettings.environmentVariable(GatewaySettings.HANDSHAKES_PER_SECOND_PER_IP));
  }

  @Test
  void handshakeRatePerIpMustBeFrom1To1e9AndItsBurstAtLeast1() {
    assertTrue(
        failureWith(GatewaySettings.HANDSHAKES_PER_SECOND_PER_IP, "0")
            .contains(GatewaySettings.HANDSHAKES_PER_SECOND_PER_IP));
    assertTrue(
        failureWith(GatewaySettings.HANDSHAKES_PER_SECOND_PER_IP, "1000000001")
            .contains(GatewaySettings.HANDSHAKES_PER_SECOND_PER_IP));
    assertEquals(
        1_000_000_000,
        withProperty(GatewaySettings.HANDSHAKES_PER_SECOND_PER_IP, "1000000000")
            .handshakesPerSecondPerIp());
    assertTrue(
        failureWith(GatewaySettings.HANDSHAKE_BURST_PER_IP, "0")
            .contains(GatewaySettings.HANDSHAKE_BURST_PER_IP));
  }

  private static GatewaySettings withProperty(String name, String value) {
    return GatewaySettings.fromProperties(
        Map.of(GatewaySettings.API_KEYS, "k", GatewaySettings.GATEWAY_ID, "g", name, value));
  }

  @Test
  void theAdminPortMayBeNoneAnyOrUpTo65535() {
    assertEquals(-1, withProperty(GatewaySettings.ADMIN_PORT, "-1").adminPort());
    assertEquals(0, withProperty(GatewaySettings.ADMIN_PORT, "0").adminPort());
    assertEquals(65_535, withProperty(GatewaySettings.ADMIN_PORT, "65535").adminPort());
    assertEquals(
        GatewaySettings.DEFAULT_ADMIN_PORT, GatewaySettings.of(Set.of("k"), "g").adminPort());
  }

  @Test
  void refusesAnAdminPortBelowMinusOneOrAbove65535NamingTheSetting() {
    for (String port : List.of("-2", "65536")) {
      String message = failureWith(GatewaySettings.ADMIN_PORT, port);
      assertTrue(message.contains(GatewaySettings.ADMIN_PORT), message);
      assertTrue(message.contains(port), message);
    }
  }

  @Test
  void theAdminBindHostDefaultsToTheBindHost() {
    GatewaySettings defaults = withProperty(GatewaySettings.BIND_HOST, "10.0.0.5");
    assertEquals("10.0.0.5", defaults.adminBindHost());

    GatewaySettings own =
        GatewaySettings.fromProperties(
            Map.of(
                GatewaySettings.API_KEYS, "k",
                GatewaySettings.GATEWAY_ID, "g",
                GatewaySettings.BIND_HOST, "0.0.0.0",
                GatewaySettings.ADMIN_BIND_HOST, "127.0.0.1"));
    assertEquals("0.0.0.0", own.bindHost());
    assertEquals("127.0.0.1", own.adminBindHost());
    assertEquals("127.0.0.1", own.toBuilder().build().adminBindHost());
    assertEquals("10.0.0.6", defaults.withBindHost("10.0.0.6").adminBindHost());
  }

  @Test
  void acceptsAGatewayIdOf64AllowedCharactersAndRefuses65() {
    String longest = "Az09._-" + "g".repeat(57);
    assertEquals(64, longest.length());
    assertEquals(longest, GatewaySettings.of(Set.of("k"), longest).gatewayId());

    String message =
        failure(Map.of(GatewaySettings.API_KEYS, "k", GatewaySettings.GATEWAY_ID, longest + "g"));
    assertTrue(message.contains(GatewaySettings.GATEWAY_ID), message);
  }

  @Test
  void refusesAGatewayIdThatCannotBePartOfAConnectionIdInAUrl() {
    for (String id : List.of("gw 1", "gw/1", "gw%1", "gw:1")) {
      String message =
          failure(Map.of(GatewaySettings.API_KEYS, "k", GatewaySettings.GATEWAY_ID, id));
      assertTrue(message.contains(GatewaySettings.GATEWAY_ID), message);
      assertTrue(message.contains("'" + id + "'"), message);
    }
  }
}
