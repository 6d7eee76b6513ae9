package dev.roomlog.integrations;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * An answer's body read into memory up to {@code limit} bytes: at the first byte past it, reading
 * stops (the subscription is cancelled, which drops the connection) and the body fails with {@link
 * TooLarge}. So a receiver that answers with an endless body costs the worker {@code limit} bytes,
 * not its heap: {@code BodyHandlers.ofByteArray()} reads all of it before anyone can look at the
 * size.
 *
 * <p>Called by the HTTP client's threads, one signal at a time (the Flow contract).
 */
final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
  /** The body went past the limit; nothing past it was read. */
  static final class TooLarge extends RuntimeException {
    TooLarge(int limit) {
      super("answer body over " + limit + " bytes", null, false, false);
    }
  }

  private final int limit;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final CompletableFuture<byte[]> body = new CompletableFuture<>();
  private Flow.Subscription subscription;

  BoundedBody(int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be at least 0, was " + limit);
    }
    this.limit = limit;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    s.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    if (body.isDone()) {
      return; // buffers already on their way when the subscription was cancelled
    }
    for (ByteBuffer b : buffers) {
      if (b.remaining() > limit - bytes.size()) {
        body.completeExceptionally(new TooLarge(limit));
        subscription.cancel();
        return;
      }
      byte[] chunk = new byte[b.remaining()];
      b.get(chunk);
      bytes.writeBytes(chunk);
    }
  }

  @Override
  public void onError(Throwable error) {
    body.completeExceptionally(error);
  }

  @Override
  public void onComplete() {
    body.complete(bytes.toByteArray());
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return body;
  }
}
