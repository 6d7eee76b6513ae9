package dev.roomlog.integrations;

import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Makes a {@link Call} with the JDK's HTTP client: a POST with the call's headers and {@code
 * Idempotency-Key}, bounded by the timeout as a whole (connecting and the answer's body included:
 * the client's own request timeout ends at the answer's headers, so a receiver that drips its body
 * would otherwise hold the call's lane for ever), the answer's body discarded unless the call reads
 * it (at most {@link #MAX_ANSWER_BYTES}, read no further: a longer one counts as no answer, see
 * {@link BoundedBody}). Never fails its future: no answer is an {@link Answer} with status 0.
 * Thread-safe.
 */
final class HttpCaller {
  /** The largest answer body kept (a two-way route's frame): a frame's size, with room. */
  static final int MAX_ANSWER_BYTES = 1 << 20;

  private final HttpClient client;
  private final Duration timeout;

  HttpCaller(Duration timeout) {
    this.timeout = timeout;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  CompletableFuture<Answer> call(Call call) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(call.url())
            .timeout(timeout)
            .POST(HttpRequest.BodyPublishers.ofByteArray(call.body()))
            .header("Idempotency-Key", call.idempotencyKey());
    call.headers().forEach(request::header);
    try {
      if (call.readsAnswer()) {
        return client
            .sendAsync(request.build(), info -> new BoundedBody(MAX_ANSWER_BYTES))
            .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .handle(
                (response, error) ->
                    response != null
                        ? Answer.of(response.statusCode(), retryAfter(response), response.body())
                        : Answer.none(describe(error)));
      }
      return client
          .sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
          .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .handle(
              (response, error) ->
                  response != null
                      ? Answer.of(response.statusCode(), retryAfter(response))
                      : Answer.none(describe(error)));
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(Answer.none(describe(e)));
    }
  }

  private static String retryAfter(HttpResponse<?> response) {
    return response.headers().firstValue("retry-after").orElse(null);
  }

  private String describe(Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof HttpConnectTimeoutException) {
      return "no connection within " + timeout;
    }
    if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
      return "no answer within " + timeout;
    }
    for (Throwable c = cause; c != null; c = c.getCause()) {
      if (c instanceof BoundedBody.TooLarge) {
        return c.getMessage(); // however the client wrapped the body's failure
      }
    }
    if (cause instanceof java.net.ConnectException) {
      return "connection refused or unreachable";
    }
    return cause.getClass().getSimpleName()
        + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
  }
}
