package dev.roomlog.gateway.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.integration.WebhookSubscription;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /webhooks}, {@code GET /webhooks}, {@code GET /webhooks/{id}} and {@code DELETE
 * /webhooks/{id}}: the webhook subscriptions kept in {@code roomlog.webhook-subscriptions}, which
 * every integrations worker reads while it runs. A body is one element of the webhooks file's
 * array, checked by {@link WebhookSubscription#fromJson} as the file is (a refusal names the
 * field); it is stored as sent with {@code createdAt} (epoch ms, this gateway's clock), from which
 * on the subscription takes events. Answers never carry a secret, only the secrets' ids. Access
 * (admin key or SigV4) and the body's size were checked before ({@link ManagementApi#precheck}).
 */
final class WebhookEndpoints {
  /** The largest body of {@code POST /webhooks}. */
  static final int MAX_BODY_BYTES = 16 * 1024;

  /** How many managed subscriptions there may be (those of a worker's file are not counted). */
  static final int MAX_SUBSCRIPTIONS = 100;

  static final String CREATED_AT = "createdAt";

  private final WebhookStore store;
  private final Clock clock;

  WebhookEndpoints(WebhookStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /**
   * Answers one request; {@code id} null for {@code /webhooks} itself. Never completes
   * exceptionally.
   */
  CompletableFuture<ApiAnswer> answer(String method, String id, byte[] body) {
    if (!store.ready()) {
      return done(
          ApiAnswer.error(
              503, "notReady", "the webhook subscriptions are not read yet: try again shortly"));
    }
    if (id == null) {
      return method.equals("POST") ? create(body) : done(ApiAnswer.ok(list()));
    }
    JsonNode stored = store.all().get(id);
    if (stored == null) {
      return done(ApiAnswer.error(404, "notFound", "no webhook subscription " + id));
    }
    if (method.equals("GET")) {
      return done(ApiAnswer.ok(shown(stored)));
    }
    return store
        .write(id, null)
        .handle((ok, failure) -> failure == null ? ApiAnswer.empty(204) : notWritten(failure));
  }

  private List<JsonNode> list() {
    List<JsonNode> out = new ArrayList<>();
    store.all().values().forEach(v -> out.add(shown(v)));
    return out;
  }

  private CompletableFuture<ApiAnswer> create(byte[] body) {
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(new String(body, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return done(ApiAnswer.error(400, "invalidBody", "the body must be a JSON object"));
    }
    if (node == null || !node.isObject()) {
      return done(ApiAnswer.error(400, "invalidBody", "the body must be a JSON object"));
    }
    WebhookSubscription sub;
    try {
      sub = WebhookSubscription.fromJson(node);
    } catch (WebhookSubscription.Invalid e) {
      return done(invalid(e.field(), e.getMessage()));
    } catch (IllegalArgumentException e) {
      return done(invalid("", e.getMessage()));
    }
    Map<String, JsonNode> all = store.all();
    if (all.containsKey(sub.id())) {
      return done(
          ApiAnswer.error(
              409,
              "exists",
              "webhook subscription " + sub.id() + " exists: delete it first to replace it"));
    }
    if (all.size() >= MAX_SUBSCRIPTIONS) {
      return done(
          ApiAnswer.error(
              409,
              "tooManyWebhooks",
              "there are "
                  + all.size()
                  + " webhook subscriptions, the most there may be: delete one first"));
    }
    ObjectNode record = ((ObjectNode) node).deepCopy();
    record.put(CREATED_AT, clock.millis());
    return store
        .write(sub.id(), record)
        .handle(
            (ok, failure) ->
                failure == null ? ApiAnswer.of(201, shown(record)) : notWritten(failure));
  }

  /** The record without its secrets' values: {@code "secrets": [{"id": ...}]}. */
  static JsonNode shown(JsonNode stored) {
    ObjectNode out = ((ObjectNode) stored).deepCopy();
    ArrayNode ids = out.putArray("secrets");
    stored.path("secrets").forEach(s -> ids.addObject().put("id", s.path("id").asText()));
    return out;
  }

  private static ApiAnswer invalid(String field, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", 400);
    body.put("code", "invalidWebhook");
    body.put("message", message);
    body.put("field", field);
    return ApiAnswer.of(400, body);
  }

  private static ApiAnswer notWritten(Throwable failure) {
    return ApiAnswer.error(
        503, "notWritten", "Kafka did not take the change (" + failure + "): try again");
  }

  private static CompletableFuture<ApiAnswer> done(ApiAnswer answer) {
    return CompletableFuture.completedFuture(answer);
  }
}
