package dev.roomlog.integrations;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One webhook subscription: room events of the chosen {@code kinds} (of rooms whose id starts with
 * {@code roomPrefix}, when given) are POSTed to {@code url}, signed with each of {@code secrets}.
 *
 * @param secrets the signing secrets, newest first: each call carries one signature per secret, so
 *     a receiver can move to a new secret while the old one still verifies
 * @param maxConcurrency calls in flight to this subscription at once (each room has one at most)
 * @param retryFor how long a failing call is retried before it is a dead letter; null for the
 *     worker's setting
 */
record Subscription(
    String id,
    URI url,
    List<Secret> secrets,
    Set<String> kinds,
    String roomPrefix,
    int maxConcurrency,
    Duration retryFor) {

  /** The kinds of event a subscription may ask for. */
  static final Set<String> KINDS =
      Set.of("roomCreated", "memberJoined", "memberLeft", "message", "roomEmptied");

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  Subscription {
    Objects.requireNonNull(id, "id");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "webhook id must be 1 to 64 letters, digits, '.', '_' or '-', was '" + id + "'");
    }
    Objects.requireNonNull(url, "url");
    if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme()))
        || url.getHost() == null) {
      throw new IllegalArgumentException(
          "webhook " + id + ": url must be an absolute http(s) URL, was " + url);
    }
    secrets = List.copyOf(secrets);
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("webhook " + id + ": at least one secret is needed");
    }
    kinds = Set.copyOf(kinds);
    if (kinds.isEmpty() || !KINDS.containsAll(kinds)) {
      throw new IllegalArgumentException(
          "webhook " + id + ": events must be some of " + KINDS + ", was " + kinds);
    }
    if (maxConcurrency < 1) {
      throw new IllegalArgumentException(
          "webhook " + id + ": maxConcurrency must be at least 1, was " + maxConcurrency);
    }
    if (retryFor != null && (retryFor.isNegative() || retryFor.isZero())) {
      throw new IllegalArgumentException(
          "webhook " + id + ": retryFor must be positive, was " + retryFor);
    }
  }

  boolean covers(String roomId) {
    return roomPrefix == null || roomId.startsWith(roomPrefix);
  }

  /** A signing secret and the id receivers know it by. */
  record Secret(String id, byte[] key) {
    Secret {
      Objects.requireNonNull(id, "secret id");
      if (key == null || key.length < 16) {
        throw new IllegalArgumentException(
            "webhook secret " + id + " must be at least 16 bytes (whsec_ and base64, or text)");
      }
    }
  }
}
