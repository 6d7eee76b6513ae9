package dev.roomlog.integrations;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.integration.WebhookSubscription;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook subscriptions, by id: those of the webhooks file (a JSON array; see
 * docs/INTEGRATIONS.md; a bad file fails at start naming the subscription and the field), fixed,
 * and those managed through the gateways' management API, read from {@code
 * roomlog.webhook-subscriptions} while the worker runs ({@link #apply}). An id in both is the
 * file's: the managed one is ignored (logged). A managed subscription takes the events from its
 * creation on ({@link #since}). Plain state, owned by the webhooks loop's thread.
 */
final class Subscriptions implements Targets {
  private static final Logger LOG = LoggerFactory.getLogger(Subscriptions.class);

  /** The field a managed subscription's record has beside the subscription's own. */
  static final String CREATED_AT = "createdAt";

  private final Map<String, WebhookSubscription> byId = new LinkedHashMap<>();
  private final Map<String, Managed> managed = new LinkedHashMap<>();
  private List<WebhookSubscription> all = List.of();

  /** A subscription of the topic, and when it was created (events before are not its). */
  private record Managed(WebhookSubscription subscription, Instant createdAt) {}

  Subscriptions(List<WebhookSubscription> subscriptions) {
    for (WebhookSubscription s : subscriptions) {
      if (byId.putIfAbsent(s.id(), s) != null) {
        throw new IllegalArgumentException("webhook id " + s.id() + " is used twice");
      }
    }
    all = List.copyOf(byId.values());
  }

  static Subscriptions read(Path file) {
    try {
      return parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the webhooks file " + file, e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  static Subscriptions parse(String json) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("webhooks: not JSON (" + e.getMessage() + ")");
    }
    if (root == null || !root.isArray()) {
      throw new IllegalArgumentException("webhooks: expected a JSON array of subscriptions");
    }
    List<WebhookSubscription> out = new ArrayList<>();
    for (JsonNode node : root) {
      out.add(WebhookSubscription.fromJson(node));
    }
    return new Subscriptions(out);
  }

  /**
   * Applies one record of the subscriptions topic: {@code value} null (a tombstone) deletes the
   * managed subscription {@code id}, else it is the subscription's JSON with its {@value
   * #CREATED_AT} (epoch milliseconds). A record that cannot be read is logged and skipped.
   */
  void apply(String id, JsonNode value) {
    if (byId.containsKey(id)) {
      LOG.warn("Managed webhook {} ignored: the webhooks file has a subscription of that id", id);
      return;
    }
    if (value == null) {
      managed.remove(id);
    } else {
      try {
        WebhookSubscription sub = WebhookSubscription.fromJson(value);
        if (!sub.id().equals(id)) {
          throw new IllegalArgumentException("its key is " + id + " but its id " + sub.id());
        }
        managed.put(id, new Managed(sub, Instant.ofEpochMilli(value.path(CREATED_AT).asLong(0))));
      } catch (IllegalArgumentException e) {
        LOG.warn("Skipping the managed webhook {}: {}", id, e.getMessage());
        return;
      }
    }
    List<WebhookSubscription> now = new ArrayList<>(byId.values());
    managed.values().forEach(m -> now.add(m.subscription()));
    all = List.copyOf(now);
  }

  /** When a managed subscription was created; null for the file's (they take every event). */
  Instant since(String id) {
    Managed m = byId.containsKey(id) ? null : managed.get(id);
    return m == null ? null : m.createdAt();
  }

  WebhookSubscription get(String id) {
    WebhookSubscription sub = byId.get(id);
    if (sub != null) {
      return sub;
    }
    Managed m = managed.get(id);
    return m == null ? null : m.subscription();
  }

  @Override
  public boolean has(String targetId) {
    return get(targetId) != null;
  }

  @Override
  public int maxConcurrency(String targetId) {
    return get(targetId).maxConcurrency();
  }

  @Override
  public Duration retryFor(String targetId) {
    WebhookSubscription sub = get(targetId);
    return sub == null ? null : sub.retryFor();
  }

  @Override
  public Call call(String targetId, List<Item> batch, Instant now) {
    return WebhookCalls.call(get(targetId), batch, now);
  }

  @Override
  public String callId(List<Item> batch) {
    return WebhookCalls.callId(batch);
  }

  @Override
  public String gone() {
    return "subscription no longer configured";
  }

  /** The file's, then the managed ones, in the order they were read. */
  Collection<WebhookSubscription> all() {
    return all;
  }

  /** How many came from the file. */
  int fromFile() {
    return byId.size();
  }
}
