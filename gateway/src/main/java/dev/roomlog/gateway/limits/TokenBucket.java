package dev.roomlog.gateway.limits;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A token bucket: holds at most {@code capacity} tokens, starts full, and gains one token every
 * {@code 1 / ratePerSecond} seconds. Whole tokens and integer nanoseconds, so that a test that
 * advances time by exactly one interval gets exactly one token (no floating-point drift).
 *
 * <p>Time comes from the injected {@code nanoTime} (any origin). If it steps backwards (a wall
 * clock set back), the partial interval restarts from the new reading rather than waiting for the
 * old one to come round again; a step forwards at worst fills the bucket.
 *
 * <p>Thread-safe: a per-API-key bucket is shared by connections on different event loops.
 */
public final class TokenBucket {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final long capacity;
  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private long tokens;

  /** When the token being earned started to be earned. */
  private long refilledAt;

  public TokenBucket(int ratePerSecond, int capacity, LongSupplier nanoTime) {
    if (ratePerSecond < 1 || ratePerSecond > NANOS_PER_SECOND) {
      throw new IllegalArgumentException(
          "ratePerSecond must be between 1 and 1e9, was " + ratePerSecond);
    }
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    this.capacity = capacity;
    this.intervalNanos = NANOS_PER_SECOND / ratePerSecond;
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.tokens = capacity;
    this.refilledAt = nanoTime.getAsLong();
  }

  /** Takes one token if there is one; returns false, taking nothing, if the bucket is empty. */
  public synchronized boolean tryTake() {
    refill(nanoTime.getAsLong());
    if (tokens == 0) {
      return false;
    }
    tokens--;
    return true;
  }

  /** How long until at least one token is there: 0 if there is one now. */
  synchronized long nanosUntilToken() {
    long now = nanoTime.getAsLong();
    refill(now);
    return tokens > 0 ? 0 : intervalNanos - (now - refilledAt);
  }

  synchronized long tokens() {
    refill(nanoTime.getAsLong());
    return tokens;
  }

  private void refill(long now) {
    long elapsed = now - refilledAt;
    if (elapsed < 0) {
      refilledAt = now;
      return;
    }
    long earned = elapsed / intervalNanos;
    if (earned >= capacity - tokens) {
      // Full: a full bucket earns nothing, so the next token starts to be earned now.
      tokens = capacity;
      refilledAt = now;
    } else {
      tokens += earned;
      refilledAt += earned * intervalNanos;
    }
  }
}
