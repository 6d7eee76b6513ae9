package dev.roomlog.gateway.auth;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public keys of an identity provider's JWKS URL, cached. Fetched once at start (a failure is
 * logged and the gateway starts anyway, with no keys from the URL), then again, in the background,
 * when a token names a {@code kid} the cache does not hold (key rotation) or the cache is older
 * than {@link #MAX_AGE}, but never more often than once per {@link #MIN_INTERVAL}: a flood of
 * tokens with made-up key ids costs the provider one request a minute. The handshake never waits
 * for the network: the token that revealed an unknown key is refused, and the client's retry finds
 * it.
 *
 * <p>Thread-safe: read by every event loop, written by the HTTP client's thread.
 */
final class JwksUrlKeys {
  private static final Logger log = LoggerFactory.getLogger(JwksUrlKeys.class);

  static final Duration MIN_INTERVAL = Duration.ofMinutes(1);
  static final Duration MAX_AGE = Duration.ofMinutes(10);
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  static final int MAX_BYTES = 1024 * 1024;

  private record Cached(List<VerificationKey> keys, Instant fetchedAt) {}

  private final String setting;
  private final URI url;
  private final Clock clock;
  private final HttpClient http;
  private final AtomicReference<Cached> cached;

  /** When the last fetch started; null before the first. */
  private final AtomicReference<Instant> lastAttempt = new AtomicReference<>();

  JwksUrlKeys(String setting, URI url, Clock clock) {
    this.setting = setting;
    this.url = url;
    this.clock = clock;
    this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    this.cached = new AtomicReference<>(new Cached(List.of(), Instant.MIN));
  }

  /** Fetches the keys now, waiting at most {@link #TIMEOUT} or so; failures are logged. */
  static JwksUrlKeys start(String setting, URI url, Clock clock) {
    JwksUrlKeys keys = new JwksUrlKeys(setting, url, clock);
    keys.refresh().join();
    return keys;
  }

  /**
   * The keys as last fetched. {@code unknownKid}: the token names a key id that none of the
   * deployment's keys has, so the provider may have rotated; a refresh is started if allowed.
   */
  List<VerificationKey> keys(String unknownKid) {
    Cached now = cached.get();
    Instant at = clock.instant();
    if (unknownKid != null || now.fetchedAt().plus(MAX_AGE).isBefore(at)) {
      refresh();
    }
    return now.keys();
  }

  /** Starts a fetch unless one started less than {@link #MIN_INTERVAL} ago. */
  CompletableFuture<Void> refresh() {
    Instant at = clock.instant();
    Instant previous = lastAttempt.get();
    if (previous != null && previous.plus(MIN_INTERVAL).isAfter(at)) {
      return CompletableFuture.completedFuture(null);
    }
    if (!lastAttempt.compareAndSet(previous, at)) {
      return CompletableFuture.completedFuture(null); // another thread is fetching
    }
    HttpRequest request = HttpRequest.newBuilder(url).timeout(TIMEOUT).GET().build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .thenAccept(
            response -> {
              if (response.statusCode() != 200) {
                throw new IllegalStateException("HTTP " + response.statusCode());
              }
              if (response.body().length > MAX_BYTES) {
                throw new IllegalStateException("a JWKS document over " + MAX_BYTES + " bytes");
              }
              List<VerificationKey> keys =
                  TokenKeys.fromJwks(new String(response.body(), StandardCharsets.UTF_8));
              cached.set(new Cached(keys, clock.instant()));
            })
        .exceptionally(
            failure -> {
              // The URL is the operator's setting (no secret); the keys kept are the last good.
              log.warn(
                  "{}: could not fetch the token keys from {}: {}",
                  setting,
                  url,
                  failure.getCause() != null ? failure.getCause().toString() : failure.toString());
              return null;
            });
  }
}
