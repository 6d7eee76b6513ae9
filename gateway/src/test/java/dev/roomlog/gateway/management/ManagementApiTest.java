package dev.roomlog.gateway.management;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.gateway.connection.ConnectionRegistry;
import dev.roomlog.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The management API's rules for connection routes and the body limits, with a gateway "gw-a" that
 * holds no connections (so an accepted request to one of its connections answers 410).
 */
class ManagementApiTest {
  private static final String KEY = "admin-s3cret";
  private static final Function<String, List<String>> WITH_KEY =
      headers(Map.of("x-admin-key", List.of(KEY)));
  private static final byte[] NO_BODY = new byte[0];

  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

  /** Never delivers: a request to another gateway's connection is never answered. */
  private final ControlPublisher dropping = (gatewayId, message, onFailure) -> {};

  private final ConnectionCommands commands =
      new ConnectionCommands(
          "gw-a",
          new ConnectionRegistry(),
          dropping,
          timers,
          Duration.ofMillis(200),
          Clock.systemUTC());
  private final ManagementApi api = new ManagementApi(null, KEY, commands, null);

  @AfterEach
  void stopTimers() {
    timers.shutdownNow();
  }

  private static Function<String, List<String>> headers(Map<String, List<String>> byName) {
    return name -> byName.getOrDefault(name, List.of());
  }

  private static ApiAnswer call(
      ManagementApi api,
      String method,
      String path,
      Function<String, List<String>> headers,
      byte[] body)
      throws Exception {
    return api.handle(method, path, headers, body, "192.0.2.1").get(10, TimeUnit.SECONDS);
  }

  private ApiAnswer call(String method, String path, byte[] body) throws Exception {
    return call(api, method, path, WITH_KEY, body);
  }

  private static String code(ApiAnswer answer) throws Exception {
    JsonNode body = Json.MAPPER.readTree(answer.json());
    assertEquals(answer.status(), body.get("status").intValue(), "the body repeats the status");
    return body.get("code").textValue();
  }

  private static byte[] ascii(int length) {
    byte[] body = new byte[length];
    Arrays.fill(body, (byte) 'a');
    return body;
  }

  @Test
  void withoutTheAdminKeyIsUnauthorizedAndWithAWrongOneForbidden() throws Exception {
    ApiAnswer none = call(api, "GET", "/@connections/gw-a.u1", headers(Map.of()), NO_BODY);
    assertEquals(401, none.status());
    assertEquals("unauthorized", code(none));

    ApiAnswer wrong =
        call(
            api,
            "GET",
            "/@connections/gw-a.u1",
            headers(Map.of("x-admin-key", List.of("guess"))),
            NO_BODY);
    assertEquals(403, wrong.status());
    assertEquals("forbidden", code(wrong));

    ApiAnswer bearer =
        call(
            api,
            "GET",
            "/@connections/gw-a.u1",
            headers(Map.of("authorization", List.of("Bearer " + KEY))),
            NO_BODY);
    assertEquals(410, bearer.status());
  }

  @Test
  void aGatewayWithoutAnAdminKeyRefusesEveryRequest() throws Exception {
    ManagementApi disabled = new ManagementApi(null, null, commands, null);

    ApiAnswer answer = call(disabled, "GET", "/@connections/gw-a.u1", WITH_KEY, NO_BODY);

    assertEquals(403, answer.status());
    assertEquals("adminApiDisabled", code(answer));
  }

  @Test
  void answersAnUnknownPathWith404AndAWrongMethodWith405BeforeTheKey() throws Exception {
    ApiAnswer unknown = call(api, "GET", "/nothing", headers(Map.of()), NO_BODY);
    assertEquals(404, unknown.status());

    ApiAnswer wrongMethod = call(api, "PUT", "/@connections/gw-a.u1", headers(Map.of()), NO_BODY);
    assertEquals(405, wrongMethod.status());
    assertEquals("POST, GET, DELETE", wrongMethod.allow());
  }

  @Test
  void refusesWhatIsNotAConnectionIdWith400() throws Exception {
    for (String id : List.of("nodot", ".u1", "gw-a.", "gw%20a.u1", "gw-a.u%3D")) {
      ApiAnswer answer = call("GET", "/@connections/" + id, NO_BODY);
      assertEquals(400, answer.status(), id);
      assertEquals("invalidConnectionId", code(answer), id);
    }
  }

  @Test
  void answersGoneForEachOpOnAConnectionThatIsNotOpen() throws Exception {
    assertEquals(
        410, call("POST", "/@connections/gw-a.u1", "hi".getBytes(StandardCharsets.UTF_8)).status());
    assertEquals(410, call("GET", "/@connections/gw-a.u1", NO_BODY).status());
    ApiAnswer gone = call("DELETE", "/@connections/gw-a.u1", NO_BODY);
    assertEquals(410, gone.status());
    assertEquals("gone", code(gone));
  }

  @Test
  void refusesToSendAnEmptyBody() throws Exception {
    ApiAnswer answer = call("POST", "/@connections/gw-a.u1", NO_BODY);

    assertEquals(400, answer.status());
    assertEquals("emptyBody", code(answer));
  }

  @Test
  void sendsABodyOfMaxSendBytesAndRefusesOneByteMoreWith413() throws Exception {
    ApiAnswer atLimit = call("POST", "/@connections/gw-a.u1", ascii(ManagementApi.MAX_SEND_BYTES));
    assertEquals(410, atLimit.status(), "past the size check, to the (absent) connection");

    ApiAnswer over = call("POST", "/@connections/gw-a.u1", ascii(ManagementApi.MAX_SEND_BYTES + 1));
    assertEquals(413, over.status());
    assertEquals("payloadTooLarge", code(over));
  }

  @Test
  void refusesABodyThatIsNotUtf8() throws Exception {
    byte[] latin1 = "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1);

    ApiAnswer answer = call("POST", "/@connections/gw-a.u1", latin1);

    assertEquals(400, answer.status());
    assertEquals("invalidBody", code(answer));
  }

  @Test
  void aHolderThatDoesNotAnswerIsAGatewayTimeout() throws Exception {
    ApiAnswer answer = call("GET", "/@connections/gw-b.u1", NO_BODY);

    assertEquals(504, answer.status());
    assertEquals("gatewayTimeout", code(answer));
  }

  @Test
  void refusesAServerPostOneBytePastMaxPostBytesWith413BeforeReadingIt() throws Exception {
    ApiAnswer over = call("POST", "/rooms/lobby/messages", ascii(ManagementApi.MAX_POST_BYTES + 1));

    assertEquals(413, over.status());
    assertEquals("payloadTooLarge", code(over));
  }

  @Test
  void readsAServerPostOfExactlyMaxPostBytes() throws Exception {
    // A JSON object of exactly the limit, without text: it passes the size check and is refused
    // by the parser, before any poster is needed.
    String head = "{\"pad\":\"";
    String tail = "\"}";
    String pad = "a".repeat(ManagementApi.MAX_POST_BYTES - head.length() - tail.length());
    byte[] body = (head + pad + tail).getBytes(StandardCharsets.UTF_8);
    assertEquals(ManagementApi.MAX_POST_BYTES, body.length);

    ApiAnswer answer = call("POST", "/rooms/lobby/messages", body);

    assertEquals(400, answer.status());
    assertEquals("missingField", code(answer));
  }

  @Test
  void refusesAServerPostThatIsNotUtf8OrNotJson() throws Exception {
    ApiAnswer notUtf8 =
        call("POST", "/rooms/lobby/messages", new byte[] {'{', (byte) 0xc3, (byte) 0x28, '}'});
    assertEquals(400, notUtf8.status());
    assertEquals("invalidBody", code(notUtf8));

    ApiAnswer notJson =
        call("POST", "/rooms/lobby/messages", "text=hi".getBytes(StandardCharsets.UTF_8));
    assertEquals(400, notJson.status());
    assertEquals("badJson", code(notJson));
  }
}
