package dev.roomlog.integrations;

import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP POST the engine makes: to {@code url} of the target {@code targetId}, in the order of
 * {@code orderingKey} (calls with one key are made one at a time, in order), with {@code
 * idempotencyKey} in the {@code Idempotency-Key} header. Webhooks build one from a batch of room
 * events, route integrations from an action (the engine does not look inside). {@code readsAnswer}:
 * the answer's body is kept (a two-way route's), else discarded.
 */
record Call(
    String targetId,
    URI url,
    String orderingKey,
    String idempotencyKey,
    byte[] body,
    Map<String, String> headers,
    boolean readsAnswer) {
  Call {
    Objects.requireNonNull(targetId, "targetId");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(orderingKey, "orderingKey");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    Objects.requireNonNull(body, "body");
    headers = Map.copyOf(headers);
  }
}
