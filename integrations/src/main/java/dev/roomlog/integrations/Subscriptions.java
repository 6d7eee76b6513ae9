package dev.roomlog.integrations;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.settings.Durations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The webhook subscriptions, by id, read from a JSON file (an array of objects; see
 * docs/INTEGRATIONS.md). A bad file fails at start naming the subscription and the field.
 * Immutable.
 */
final class Subscriptions implements Targets {
  static final Subscriptions NONE = new Subscriptions(List.of());

  private final Map<String, Subscription> byId = new LinkedHashMap<>();

  Subscriptions(List<Subscription> subscriptions) {
    for (Subscription s : subscriptions) {
      if (byId.putIfAbsent(s.id(), s) != null) {
        throw new IllegalArgumentException("webhook id " + s.id() + " is used twice");
      }
    }
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
    List<Subscription> out = new ArrayList<>();
    for (JsonNode node : root) {
      out.add(subscription(node));
    }
    return new Subscriptions(out);
  }

  private static Subscription subscription(JsonNode node) {
    String id = text(node, "id", "a webhook");
    String where = "webhook " + id;
    URI url;
    try {
      url = new URI(text(node, "url", where));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(where + ": url is not a URL (" + e.getMessage() + ")");
    }
    List<Subscription.Secret> secrets = new ArrayList<>();
    JsonNode secretNodes = node.path("secrets");
    if (!secretNodes.isArray()) {
      throw new IllegalArgumentException(where + ": secrets must be an array of {id, secret}");
    }
    for (JsonNode s : secretNodes) {
      secrets.add(new Subscription.Secret(text(s, "id", where), key(text(s, "secret", where))));
    }
    Set<String> kinds = new LinkedHashSet<>();
    JsonNode events = node.path("events");
    if (!events.isArray()) {
      throw new IllegalArgumentException(where + ": events must be an array of event kinds");
    }
    events.forEach(e -> kinds.add(e.asText()));
    JsonNode prefix = node.path("roomPrefix");
    JsonNode retryFor = node.path("retryFor");
    return new Subscription(
        id,
        url,
        secrets,
        kinds,
        prefix.isTextual() ? prefix.asText() : null,
        node.path("maxConcurrency").asInt(4),
        retryFor.isTextual() ? Durations.parse(where + " retryFor", retryFor.asText()) : null);
  }

  /**
   * A Standard Webhooks secret ({@code whsec_} + base64) is its decoded bytes; other text as is.
   */
  static byte[] key(String secret) {
    if (secret.startsWith("whsec_")) {
      try {
        return Base64.getDecoder().decode(secret.substring("whsec_".length()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("a whsec_ secret must be base64 after its prefix");
      }
    }
    return secret.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(JsonNode node, String field, String where) {
    JsonNode value = node.path(field);
    if (!value.isTextual() || value.asText().isBlank()) {
      throw new IllegalArgumentException(where + ": " + field + " is required (a string)");
    }
    return value.asText();
  }

  Subscription get(String id) {
    return byId.get(id);
  }

  @Override
  public boolean has(String targetId) {
    return byId.containsKey(targetId);
  }

  @Override
  public int maxConcurrency(String targetId) {
    return byId.get(targetId).maxConcurrency();
  }

  @Override
  public Duration retryFor(String targetId) {
    Subscription sub = byId.get(targetId);
    return sub == null ? null : sub.retryFor();
  }

  @Override
  public Call call(String targetId, List<Item> batch, Instant now) {
    return WebhookCalls.call(byId.get(targetId), batch, now);
  }

  @Override
  public String callId(List<Item> batch) {
    return WebhookCalls.callId(batch);
  }

  @Override
  public String gone() {
    return "subscription no longer configured";
  }

  Collection<Subscription> all() {
    return byId.values();
  }

  boolean isEmpty() {
    return byId.isEmpty();
  }
}
