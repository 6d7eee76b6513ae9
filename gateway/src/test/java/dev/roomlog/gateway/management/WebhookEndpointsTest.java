package dev.roomlog.gateway.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** {@code /webhooks} through the management API, on a table in memory instead of Kafka. */
class WebhookEndpointsTest {
  private static final String KEY = "admin-s3cret";
  private static final Function<String, List<String>> WITH_KEY =
      name -> name.equals("x-admin-key") ? List.of(KEY) : List.of();
  private static final Function<String, List<String>> NO_KEY = name -> List.of();
  private static final byte[] NO_BODY = new byte[0];
  private static final String SECRET = "0123456789abcdef-very-secret";

  /** The topic as a table: written at once, or refused when {@code failWrites}. */
  private static final class MemoryStore implements WebhookStore {
    final Map<String, JsonNode> table = new ConcurrentSkipListMap<>();
    boolean ready = true;
    boolean failWrites;

    @Override
    public boolean ready() {
      return ready;
    }

    @Override
    public Map<String, JsonNode> all() {
      return table;
    }

    @Override
    public CompletableFuture<Void> write(String id, JsonNode value) {
      if (failWrites) {
        return CompletableFuture.failedFuture(new IllegalStateException("broker down"));
      }
      if (value == null) {
        table.remove(id);
      } else {
        table.put(id, value);
      }
      return CompletableFuture.completedFuture(null);
    }
  }

  private final MemoryStore store = new MemoryStore();
  private final ManagementApi api =
      new ManagementApi(null, KEY, null, null)
          .withWebhookStore(store, Clock.fixed(Instant.ofEpochMilli(1_700), ZoneOffset.UTC));

  private ApiAnswer call(String method, String path, String body) throws Exception {
    return call(
        method, path, WITH_KEY, body == null ? NO_BODY : body.getBytes(StandardCharsets.UTF_8));
  }

  private ApiAnswer call(
      String method, String path, Function<String, List<String>> headers, byte[] body)
      throws Exception {
    return api.handle(method, path, headers, body, "192.0.2.1").get(10, TimeUnit.SECONDS);
  }

  private static String subscription(String id, String extra) {
    return "{\"id\":\""
        + id
        + "\",\"url\":\"https://example.com/hooks\",\"secrets\":[{\"id\":\"k1\",\"secret\":\""
        + SECRET
        + "\"}],\"events\":[\"message\",\"memberJoined\"]"
        + extra
        + "}";
  }

  private static JsonNode json(ApiAnswer answer) throws Exception {
    return Json.MAPPER.readTree(answer.json());
  }

  @Test
  void aCreatedSubscriptionIsStoredWithItsCreationAndAnsweredWithoutItsSecret() throws Exception {
    ApiAnswer created = call("POST", "/webhooks", subscription("orders", ",\"roomPrefix\":\"o-\""));

    assertEquals(201, created.status());
    assertFalse(created.json().contains(SECRET), created.json());
    JsonNode body = json(created);
    assertEquals("orders", body.get("id").asText());
    assertEquals("[{\"id\":\"k1\"}]", body.get("secrets").toString());
    assertEquals(1_700, body.get("createdAt").asLong());
    JsonNode stored = store.table.get("orders");
    assertEquals(SECRET, stored.at("/secrets/0/secret").asText(), "the worker needs the secret");
    assertEquals(1_700, stored.get("createdAt").asLong());
    assertEquals("o-", stored.get("roomPrefix").asText());
  }

  @Test
  void listsAndGetsWithoutSecretsAndDeletesOnce() throws Exception {
    call("POST", "/webhooks", subscription("b", ""));
    call("POST", "/webhooks", subscription("a", ""));

    ApiAnswer list = call("GET", "/webhooks", null);
    assertEquals(200, list.status());
    assertFalse(list.json().contains(SECRET), list.json());
    assertEquals(List.of("a", "b"), ids(list));
    ApiAnswer one = call("GET", "/webhooks/a", null);
    assertEquals(200, one.status());
    assertFalse(one.json().contains(SECRET));
    assertEquals("a", json(one).get("id").asText());

    assertEquals(204, call("DELETE", "/webhooks/a", null).status());
    assertNull(store.table.get("a"));
    assertEquals(404, call("DELETE", "/webhooks/a", null).status());
    assertEquals(404, call("GET", "/webhooks/a", null).status());
    assertEquals(List.of("b"), ids(call("GET", "/webhooks", null)));
  }

  private static List<String> ids(ApiAnswer list) throws Exception {
    return json(list).findValuesAsText("id").stream().filter(id -> !id.equals("k1")).toList();
  }

  @Test
  void aBadSubscriptionIsRefusedNamingTheFieldAsTheFileWouldBe() throws Exception {
    Map<String, String> bodies =
        Map.of(
            "url", subscription("x", "").replace("https://example.com/hooks", "ftp://example.com"),
            "events", subscription("x", "").replace("\"message\"", "\"typing\""),
            "secrets", subscription("x", "").replace(SECRET, "short"),
            "id", subscription("a b", ""),
            "retryFor", subscription("x", ",\"retryFor\":\"soon\""),
            "maxConcurrency", subscription("x", ",\"maxConcurrency\":0"));
    for (Map.Entry<String, String> bad : bodies.entrySet()) {
      ApiAnswer answer = call("POST", "/webhooks", bad.getValue());
      assertEquals(400, answer.status(), bad.getKey());
      assertEquals("invalidWebhook", json(answer).get("code").asText());
      assertEquals(bad.getKey(), json(answer).get("field").asText(), answer.json());
      assertFalse(answer.json().contains(SECRET));
    }
    assertEquals(400, call("POST", "/webhooks", "[1]").status());
    assertEquals(400, call("POST", "/webhooks", "not json").status());
    assertTrue(store.table.isEmpty());
  }

  @Test
  void anIdInUseIsAConflict() throws Exception {
    call("POST", "/webhooks", subscription("a", ""));

    ApiAnswer again = call("POST", "/webhooks", subscription("a", ""));

    assertEquals(409, again.status());
    assertEquals("exists", json(again).get("code").asText());
  }

  @Test
  void theHundredthSubscriptionIsTakenAndTheNextRefused() throws Exception {
    for (int i = 1; i < WebhookEndpoints.MAX_SUBSCRIPTIONS; i++) {
      store.table.put("s" + i, Json.MAPPER.readTree(subscription("s" + i, "")));
    }

    assertEquals(201, call("POST", "/webhooks", subscription("last", "")).status());
    ApiAnswer past = call("POST", "/webhooks", subscription("one-more", ""));

    assertEquals(409, past.status());
    assertEquals("tooManyWebhooks", json(past).get("code").asText());
    assertEquals(WebhookEndpoints.MAX_SUBSCRIPTIONS, store.table.size());
  }

  @Test
  void aBodyAtTheLimitIsReadAndOneByteMoreIsTooLarge() throws Exception {
    String start = subscription("big", ",\"note\":\"");
    start = start.substring(0, start.length() - 1); // reopen the object for the padding
    String padding = "a".repeat(WebhookEndpoints.MAX_BODY_BYTES - start.length() - 2);
    byte[] atLimit = (start + padding + "\"}").getBytes(StandardCharsets.UTF_8);
    assertEquals(WebhookEndpoints.MAX_BODY_BYTES, atLimit.length);
    byte[] past = (start + padding + "a\"}").getBytes(StandardCharsets.UTF_8);

    assertEquals(413, call("POST", "/webhooks", WITH_KEY, past).status());
    assertEquals(201, call("POST", "/webhooks", WITH_KEY, atLimit).status());
  }

  @Test
  void theKeyIsNeededAndTheMethodsAreThoseOfEachPath() throws Exception {
    assertEquals(401, call("GET", "/webhooks", NO_KEY, NO_BODY).status());
    assertEquals(401, call("POST", "/webhooks", NO_KEY, subscription("a", "").getBytes()).status());
    assertEquals(401, call("DELETE", "/webhooks/a", NO_KEY, NO_BODY).status());
    assertTrue(store.table.isEmpty());

    ApiAnswer put = call("PUT", "/webhooks/a", null);
    assertEquals(405, put.status());
    assertEquals("GET, DELETE", put.allow());
    assertEquals("POST, GET", call("DELETE", "/webhooks", null).allow());
  }

  @Test
  void aStoreNotYetReadOrAWriteKafkaRefusedIs503() throws Exception {
    store.ready = false;
    assertEquals(503, call("GET", "/webhooks", null).status());
    store.ready = true;
    store.failWrites = true;
    assertEquals(503, call("POST", "/webhooks", subscription("a", "")).status());
  }

  @Test
  void aGatewayWithoutTheStoreAnswers404() throws Exception {
    ManagementApi without = new ManagementApi(null, KEY, null, null);

    ApiAnswer answer =
        without
            .handle("GET", "/webhooks", WITH_KEY, NO_BODY, "192.0.2.1")
            .get(10, TimeUnit.SECONDS);

    assertEquals(404, answer.status());
  }
}
