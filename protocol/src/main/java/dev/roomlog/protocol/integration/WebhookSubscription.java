package dev.roomlog.protocol.integration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.settings.Durations;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One webhook subscription: room events of the chosen {@code kinds} (of rooms whose id starts with
 * {@code roomPrefix}, when given) are POSTed to {@code url}, signed with each of {@code secrets}.
 * The webhooks file (an array of these as JSON) and the gateways' {@code POST /webhooks} (one) read
 * it with {@link #fromJson}, so both accept and refuse the same. Immutable.
 *
 * @param secrets the signing secrets, newest first: each call carries one signature per secret, so
 *     a receiver can move to a new secret while the old one still verifies
 * @param maxConcurrency calls in flight to this subscription at once (each room has one at most)
 * @param retryFor how long a failing call is retried before it is a dead letter; null for the
 *     worker's setting
 */
public record WebhookSubscription(
    String id,
    URI url,
    List<Secret> secrets,
    Set<String> kinds,
    String roomPrefix,
    int maxConcurrency,
    Duration retryFor) {

  /** The kinds of event a subscription may ask for. */
  public static final Set<String> KINDS =
      Set.of("roomCreated", "memberJoined", "memberLeft", "message", "roomEmptied");

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  public WebhookSubscription {
    if (id == null || !ID.matcher(id).matches()) {
      throw new Invalid(
          "id", "webhook id must be 1 to 64 letters, digits, '.', '_' or '-', was '" + id + "'");
    }
    if (url == null
        || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))
        || url.getHost() == null) {
      throw new Invalid(
          "url", "webhook " + id + ": url must be an absolute http(s) URL, was " + url);
    }
    secrets = List.copyOf(secrets);
    if (secrets.isEmpty()) {
      throw new Invalid("secrets", "webhook " + id + ": at least one secret is needed");
    }
    kinds = Set.copyOf(kinds);
    if (kinds.isEmpty() || !KINDS.containsAll(kinds)) {
      throw new Invalid(
          "events", "webhook " + id + ": events must be some of " + KINDS + ", was " + kinds);
    }
    if (maxConcurrency < 1) {
      throw new Invalid(
          "maxConcurrency",
          "webhook " + id + ": maxConcurrency must be at least 1, was " + maxConcurrency);
    }
    if (retryFor != null && (retryFor.isNegative() || retryFor.isZero())) {
      throw new Invalid(
          "retryFor", "webhook " + id + ": retryFor must be positive, was " + retryFor);
    }
  }

  public boolean covers(String roomId) {
    return roomPrefix == null || roomId.startsWith(roomPrefix);
  }

  /** The ids of its secrets, newest first: what may be shown of them. */
  public List<String> secretIds() {
    return secrets.stream().map(Secret::id).toList();
  }

  /**
   * One subscription as JSON: {@code {"id", "url", "secrets": [{"id", "secret"}], "events": [...],
   * "roomPrefix"?, "maxConcurrency"? (4), "retryFor"? ("36h")}} (docs/INTEGRATIONS.md).
   *
   * @throws Invalid naming the field at fault
   */
  public static WebhookSubscription fromJson(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new Invalid("", "a webhook subscription is a JSON object");
    }
    String id = text(node, "id", "a webhook");
    String where = "webhook " + id;
    URI url;
    try {
      url = new URI(text(node, "url", where));
    } catch (URISyntaxException e) {
      throw new Invalid("url", where + ": url is not a URL (" + e.getMessage() + ")");
    }
    List<Secret> secrets = new ArrayList<>();
    JsonNode secretNodes = node.path("secrets");
    if (!secretNodes.isArray()) {
      throw new Invalid("secrets", where + ": secrets must be an array of {id, secret}");
    }
    for (JsonNode s : secretNodes) {
      try {
        secrets.add(new Secret(text(s, "id", where), key(text(s, "secret", where))));
      } catch (IllegalArgumentException e) {
        throw new Invalid("secrets", e.getMessage());
      }
    }
    Set<String> kinds = new LinkedHashSet<>();
    JsonNode events = node.path("events");
    if (!events.isArray()) {
      throw new Invalid("events", where + ": events must be an array of event kinds");
    }
    events.forEach(e -> kinds.add(e.asText()));
    JsonNode prefix = node.path("roomPrefix");
    JsonNode concurrency = node.path("maxConcurrency");
    JsonNode retryFor = node.path("retryFor");
    Duration retry;
    try {
      retry = retryFor.isTextual() ? Durations.parse(where + " retryFor", retryFor.asText()) : null;
    } catch (IllegalArgumentException e) {
      throw new Invalid("retryFor", e.getMessage());
    }
    return new WebhookSubscription(
        id,
        url,
        secrets,
        kinds,
        prefix.isTextual() ? prefix.asText() : null,
        concurrency.asInt(4),
        retry);
  }

  /**
   * A Standard Webhooks secret ({@code whsec_} + base64) is its decoded bytes; other text as is.
   */
  public static byte[] key(String secret) {
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
      throw new Invalid(field, where + ": " + field + " is required (a string)");
    }
    return value.asText();
  }

  /** A signing secret and the id receivers know it by. */
  public record Secret(String id, byte[] key) {
    public Secret {
      if (id == null) {
        throw new Invalid("secrets", "a webhook secret needs an id");
      }
      if (key == null || key.length < 16) {
        throw new Invalid(
            "secrets",
            "webhook secret " + id + " must be at least 16 bytes (whsec_ and base64, or text)");
      }
    }
  }

  /** A subscription refused, with the field at fault ({@code secrets} for any of a secret's). */
  public static final class Invalid extends IllegalArgumentException {
    private final String field;

    public Invalid(String field, String message) {
      super(message);
      this.field = field;
    }

    public String field() {
      return field;
    }
  }
}
