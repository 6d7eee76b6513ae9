package dev.roomlog.gateway.limits;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A token bucket per key ({@code ratePerSecond}, {@code burst}), made when a key is first seen: per
 * source address for {@link HandshakeRateLimiter}, per user for token connections' actions.
 *
 * <p>Memory stays bounded under a spray of keys: a key whose bucket has filled up again is the same
 * as one never seen, so it is forgotten (the least recently seen keys are checked first, a few per
 * call); and at most {@code maxKeys} are kept, the least recently seen one giving way to a new one.
 * That one has gone longest without taking a token, so its bucket is the fullest: forgetting it
 * early gives it a full bucket a little sooner than it would have earned it, which makes the limit
 * looser for that key only, never tighter for any other.
 *
 * <p>Thread-safe: one instance serves every event loop of a node. One lock; each call is a hash map
 * update and at most a few removals.
 */
public final class KeyedTokenBuckets {
  /** How many idle keys one call looks at for forgetting: amortised, not a full sweep. */
  private static final int EVICTIONS_PER_CALL = 2;

  private final int ratePerSecond;
  private final int burst;
  private final int maxKeys;
  private final LongSupplier nanoTime;

  /** In access order: the least recently seen key first. */
  private final LinkedHashMap<String, TokenBucket> buckets;

  /**
   * @param nanoTime the time, in nanoseconds of any origin (the node's injected clock)
   */
  public KeyedTokenBuckets(int ratePerSecond, int burst, int maxKeys, LongSupplier nanoTime) {
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys must be at least 1, was " + maxKeys);
    }
    // Checked now rather than at the first call.
    new TokenBucket(ratePerSecond, burst, nanoTime);
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.maxKeys = maxKeys;
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.buckets =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, TokenBucket> eldest) {
            return size() > KeyedTokenBuckets.this.maxKeys;
          }
        };
  }

  /**
   * Takes a token from {@code key}'s bucket if it has one. Returns 0 if it did, else how many
   * nanoseconds (at least 1) until it would (taking nothing).
   */
  public synchronized long tryTake(String key) {
    forgetFullBuckets();
    TokenBucket bucket =
        buckets.computeIfAbsent(key, k -> new TokenBucket(ratePerSecond, burst, nanoTime));
    if (bucket.tryTake()) {
      return 0;
    }
    return Math.max(1, bucket.nanosUntilToken());
  }

  /** How many keys are tracked now. */
  synchronized int tracked() {
    return buckets.size();
  }

  /** Forgets the least recently seen keys whose buckets are full again, a few at a time. */
  private void forgetFullBuckets() {
    Iterator<TokenBucket> oldest = buckets.values().iterator();
    for (int i = 0; i < EVICTIONS_PER_CALL && oldest.hasNext(); i++) {
      // tokens() does not count as an access: the map's order is kept.
      if (oldest.next().tokens() < burst) {
        return;
      }
      oldest.remove();
    }
  }
}
