package dev.roomlog.gateway.management;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The managed webhook subscriptions as the gateway sees them: the compacted topic {@code
 * roomlog.webhook-subscriptions} read into a table ({@link KafkaWebhookStore}), and writes to it.
 * Thread-safe.
 */
interface WebhookStore {
  /** Whether the table has been read to the topic's end once (before, it may miss some). */
  boolean ready();

  /** The subscriptions by id, each its record's JSON (secrets included), in id order. */
  Map<String, JsonNode> all();

  /**
   * Writes {@code value} (null: a tombstone) under {@code id}; completes once Kafka has it, and the
   * table shows it from then on.
   */
  CompletableFuture<Void> write(String id, JsonNode value);
}
