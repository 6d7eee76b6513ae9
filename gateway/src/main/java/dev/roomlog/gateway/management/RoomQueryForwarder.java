package dev.roomlog.gateway.management;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Forwards the management API's room queries ({@code GET /rooms}, {@code GET /rooms/{id}}) to a
 * processor's query port, which answers them from its state (any processor answers for any room).
 * The processors are tried in order; one that cannot be reached is passed over. Their answer,
 * status and JSON, is the caller's answer. Non-blocking (the JDK's HttpClient).
 */
public final class RoomQueryForwarder {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private final List<URI> processors;
  private final HttpClient http;

  public RoomQueryForwarder(List<URI> processors) {
    if (processors.isEmpty()) {
      throw new IllegalArgumentException("no processor query URL to forward room queries to");
    }
    this.processors = List.copyOf(processors);
    this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
  }

  /**
   * @param pathAndQuery {@code /rooms...} as the caller sent it, still encoded
   * @param adminKey the key to present (the processors share the gateways' admin key)
   */
  CompletableFuture<ApiAnswer> forward(String pathAndQuery, String adminKey) {
    return tryFrom(0, pathAndQuery, adminKey);
  }

  private CompletableFuture<ApiAnswer> tryFrom(int index, String pathAndQuery, String adminKey) {
    if (index == processors.size()) {
      return CompletableFuture.completedFuture(
          ApiAnswer.error(
              503,
              "processorsUnreachable",
              "no processor query port answered ("
                  + processors
                  + "): are the processors running?"));
    }
    URI base = processors.get(index);
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve(pathAndQuery))
            .timeout(REQUEST_TIMEOUT)
            .header("x-admin-key", Objects.requireNonNullElse(adminKey, ""))
            .GET()
            .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .thenApply(response -> new ApiAnswer(response.statusCode(), response.body(), null))
        .handle(
            (answer, failure) -> {
              if (failure == null) {
                return CompletableFuture.completedFuture(answer);
              }
              Throwable cause =
                  failure instanceof CompletionException && failure.getCause() != null
                      ? failure.getCause()
                      : failure;
              if (cause instanceof ConnectException
                  || cause instanceof HttpConnectTimeoutException) {
                return tryFrom(index + 1, pathAndQuery, adminKey);
              }
              if (cause instanceof HttpTimeoutException) {
                return CompletableFuture.completedFuture(
                    ApiAnswer.error(
                        504,
                        "gatewayTimeout",
                        base + " did not answer within " + REQUEST_TIMEOUT.toSeconds() + " s"));
              }
              return CompletableFuture.completedFuture(
                  ApiAnswer.error(502, "badGateway", base + " failed: " + cause));
            })
        .thenCompose(next -> next);
  }
}
