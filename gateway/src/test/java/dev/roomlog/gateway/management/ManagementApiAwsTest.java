package dev.roomlog.gateway.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.gateway.connection.ConnectionRegistry;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.control.ConnectionInfo;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The management API with SigV4 signed requests beside the admin key, on a gateway "gw-a" that
 * holds no connections (so an accepted request to one answers 410): who is let in, and that a
 * signed request's answers take API Gateway's shapes while the admin key's keep Roomlog's.
 */
class ManagementApiAwsTest {
  private static final String ADMIN_KEY = "admin-s3cret";
  private static final String KEY_ID = "AKIDROOMLOGTEST";
  private static final String SECRET = "roomlog-test-secret-access-key";
  private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
  private static final String PATH = "/@connections/gw-a.u1";

  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
  private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  private final ConnectionCommands commands =
      new ConnectionCommands(
          "gw-a",
          new ConnectionRegistry(),
          (gatewayId, message, onFailure) -> {},
          timers,
          Duration.ofMillis(200),
          clock);
  private final ManagementApi api =
      new ManagementApi(null, ADMIN_KEY, commands, null)
          .withAwsAccessKeys(Map.of(KEY_ID, SECRET), clock);

  @AfterEach
  void stopTimers() {
    timers.shutdownNow();
  }

  private static Map<String, List<String>> signed(
      String method, String path, byte[] body, String secret, Instant at) {
    return TestSigner.sign(method, path, Map.of(), body, KEY_ID, secret, "execute-api", at);
  }

  private static ApiAnswer call(
      ManagementApi api, String method, String path, Map<String, List<String>> headers, byte[] body)
      throws Exception {
    return api.handle(
            method, path, name -> headers.getOrDefault(name, List.of()), body, "192.0.2.1")
        .get(10, TimeUnit.SECONDS);
  }

  private static JsonNode body(ApiAnswer answer) throws Exception {
    return Json.MAPPER.readTree(answer.json());
  }

  @Test
  void aSignedRequestIsLetInAndItsGoneIsApiGatewaysGoneException() throws Exception {
    byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
    ApiAnswer answer = call(api, "POST", PATH, signed("POST", PATH, body, SECRET, NOW), body);
    assertEquals(410, answer.status());
    assertEquals("GoneException", answer.errorType());
    assertTrue(body(answer).get("message").textValue().contains("gw-a.u1"));
  }

  @Test
  void theAdminKeysAnswersAreUnchanged() throws Exception {
    ApiAnswer answer =
        call(api, "GET", PATH, Map.of("x-admin-key", List.of(ADMIN_KEY)), new byte[0]);
    assertEquals(410, answer.status());
    assertNull(answer.errorType());
    assertEquals("gone", body(answer).get("code").textValue());
  }

  @Test
  void aWrongSecretOrAnOldDateIsForbiddenException() throws Exception {
    ApiAnswer wrong =
        call(api, "GET", PATH, signed("GET", PATH, new byte[0], SECRET + "x", NOW), new byte[0]);
    assertEquals(403, wrong.status());
    assertEquals("ForbiddenException", wrong.errorType());

    Instant old = NOW.minus(Duration.ofMinutes(20));
    ApiAnswer expired =
        call(api, "GET", PATH, signed("GET", PATH, new byte[0], SECRET, old), new byte[0]);
    assertEquals(403, expired.status());
    assertTrue(body(expired).get("message").textValue().startsWith("signature expired"));
  }

  @Test
  void aSignedBodyChangedOnTheWayIsForbidden() throws Exception {
    Map<String, List<String>> headers =
        signed("POST", PATH, "hello".getBytes(StandardCharsets.UTF_8), SECRET, NOW);
    ApiAnswer answer = call(api, "POST", PATH, headers, "hellO".getBytes(StandardCharsets.UTF_8));
    assertEquals(403, answer.status());
  }

  @Test
  void aSignatureBesideTheAdminKeyIsAmbiguous() throws Exception {
    Map<String, List<String>> headers =
        new HashMap<>(signed("GET", PATH, new byte[0], SECRET, NOW));
    headers.put("x-admin-key", List.of(ADMIN_KEY));
    ApiAnswer answer = call(api, "GET", PATH, headers, new byte[0]);
    assertEquals(400, answer.status());
    assertEquals("BadRequestException", answer.errorType());
  }

  @Test
  void aNodeWithoutAccessKeysRefusesSignaturesAndKeepsTheAdminKey() throws Exception {
    ManagementApi plain = new ManagementApi(null, ADMIN_KEY, commands, null);
    ApiAnswer answer =
        call(plain, "GET", PATH, signed("GET", PATH, new byte[0], SECRET, NOW), new byte[0]);
    assertEquals(403, answer.status());
    assertEquals("ForbiddenException", answer.errorType());
    assertTrue(body(answer).get("message").textValue().contains("--aws-access-keys"));
  }

  @Test
  void aDeclaredBodyPastTheLimitIsPayloadTooLargeBeforeItIsRead() {
    Map<String, List<String>> headers = signed("POST", PATH, new byte[0], SECRET, NOW);
    ApiAnswer answer =
        api.precheck(
            "POST",
            PATH,
            name -> headers.getOrDefault(name, List.of()),
            ManagementApi.MAX_SEND_BYTES + 1,
            "192.0.2.1");
    assertEquals(413, answer.status());
    assertEquals("PayloadTooLargeException", answer.errorType());
  }

  @Test
  void aFullQueueIsLimitExceededExceptionWith429() throws Exception {
    ApiAnswer busy =
        AwsAnswers.of(ApiAnswer.error(503, "busy", "1024 connection commands are waiting"));
    assertEquals(429, busy.status());
    assertEquals("LimitExceededException", busy.errorType());
    assertEquals(429, body(busy).get("status").intValue());
    ApiAnswer unavailable = AwsAnswers.of(ApiAnswer.error(503, "logUnavailable", "later"));
    assertEquals(503, unavailable.status());
    assertEquals(200, AwsAnswers.of(ApiAnswer.empty(200)).status());
    assertNull(AwsAnswers.of(ApiAnswer.empty(200)).errorType());
  }

  @Test
  void getConnectionTakesApiGatewaysFields() throws Exception {
    ConnectionInfo info =
        new ConnectionInfo(
            "gw-a.u1",
            Instant.parse("2026-03-01T09:00:00.250Z").toEpochMilli(),
            Instant.parse("2026-03-01T09:30:00Z").toEpochMilli(),
            new ConnectionInfo.Identity("198.51.100.7", "node", "js"));
    JsonNode got = body(AwsAnswers.connection(info));
    assertEquals("2026-03-01T09:00:00.250Z", got.get("connectedAt").textValue());
    assertEquals("2026-03-01T09:30:00Z", got.get("lastActiveAt").textValue());
    assertEquals("198.51.100.7", got.at("/identity/sourceIp").textValue());
    assertEquals("node", got.at("/identity/userAgent").textValue());
    assertTrue(got.at("/identity/apiKeyName").isMissingNode(), "only API Gateway's fields");
  }

  @Test
  void metricsNeedNoSignatureEvenFromASignedClientOnANodeWithoutAccessKeys() throws Exception {
    ManagementApi plain = new ManagementApi(null, ADMIN_KEY, commands, null, () -> "# metrics");
    ApiAnswer answer =
        call(
            plain,
            "GET",
            "/metrics",
            signed("GET", "/metrics", new byte[0], SECRET, NOW),
            new byte[0]);
    assertEquals(200, answer.status());
    assertEquals("# metrics", answer.text());
  }
}
