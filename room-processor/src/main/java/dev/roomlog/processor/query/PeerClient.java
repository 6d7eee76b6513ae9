package dev.roomlog.processor.query;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one processor instance asks another for what it holds: a {@code GET} on the other's query
 * port (its {@code application.server}) carrying this deployment's admin key, answered within
 * {@link #FORWARD_TIMEOUT} or not at all. Thread-safe: the query port's pool threads share one.
 */
final class PeerClient {
  private static final Logger log = LoggerFactory.getLogger(PeerClient.class);
  static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(5);

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(FORWARD_TIMEOUT).build();
  private final String adminKey;

  /**
   * @param adminKey the key to forward; null or blank forwards none
   */
  PeerClient(String adminKey) {
    // Stripped as AdminKeyCheck strips it: a key read from a file often ends in a newline, which
    // no HTTP header may carry.
    this.adminKey = adminKey == null || adminKey.isBlank() ? null : adminKey.strip();
  }

  /**
   * Another instance refusing the key this one forwarded means the processors were given different
   * admin keys: the client's key was right (this instance checked it), so it is told of the
   * deployment's fault, not of its own.
   */
  static Answer refusalAsMisconfiguration(Answer peer) {
    if (peer.status() != 401 && peer.status() != 403) {
      return peer;
    }
    return Answer.error(
        new QueryRequest.Invalid(
            500,
            "adminKeyMismatch",
            "another processor refused this one's admin key: every processor of the deployment needs the same --admin-key"));
  }

  /** The other instance's answer, or empty if it did not answer in time. */
  Optional<Answer> forward(String instance, String pathAndQuery) {
    return forwardAsync(instance, pathAndQuery).join();
  }

  /** Asks another instance; empty when it did not answer (within {@link #FORWARD_TIMEOUT}). */
  CompletableFuture<Optional<Answer>> forwardAsync(String instance, String pathAndQuery) {
    HttpRequest.Builder request;
    try {
      request =
          HttpRequest.newBuilder(URI.create("http://" + instance + pathAndQuery))
              .timeout(FORWARD_TIMEOUT)
              .GET();
    } catch (IllegalArgumentException e) {
      // An address that makes no URI (e.g. an IPv6 --query-host)
      log.warn(
          "query port: processor {} cannot be asked {}: {}", instance, pathAndQuery, e.toString());
      return CompletableFuture.completedFuture(Optional.empty());
    }
    if (adminKey != null) {
      request.header("x-admin-key", adminKey);
    }
    return client
        .sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
        .handle(
            (response, failure) -> {
              if (failure != null) {
                log.warn(
                    "query port: processor {} did not answer {}: {}",
                    instance,
                    pathAndQuery,
                    failure.toString());
                return Optional.<Answer>empty();
              }
              return Optional.of(new Answer(response.statusCode(), response.body()));
            });
  }
}
