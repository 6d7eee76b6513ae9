package dev.roomlog.gateway.limits;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * How many handshakes each source address may start: a token bucket per address ({@code
 * handshakesPerSecondPerIp}, {@code handshakeBurstPerIp}). Every connect/close cycle writes a
 * {@code $connect} and a {@code $disconnect} to the log, which keeps them for ever, so one client
 * that reconnects in a loop must not be able to write them as fast as it can open sockets.
 *
 * <p>Memory stays bounded under a spray of addresses: an address whose bucket has filled up again
 * is the same as one never seen, so it is forgotten (the least recently seen addresses are checked
 * first, a few per call); and at most {@code maxAddresses} are kept, the least recently seen one
 * giving way to a new one. That one has gone longest without a handshake, so its bucket is the
 * fullest: forgetting it early costs it at most what it had not earned back yet.
 *
 * <p>Thread-safe: one instance serves every event loop of a node. One lock; each call is a hash map
 * update and at most a few removals, far cheaper than the HTTP work around it.
 */
public final class HandshakeRateLimiter {
  /** How many idle addresses one call looks at for forgetting: amortised, not a full sweep. */
  private static final int EVICTIONS_PER_CALL = 2;

  private final int ratePerSecond;
  private final int burst;
  private final int maxAddresses;
  private final LongSupplier nanoTime;

  /** In access order: the least recently seen address first. */
  private final LinkedHashMap<String, TokenBucket> buckets;

  /**
   * @param nanoTime the time, in nanoseconds of any origin (the node's injected clock)
   */
  public HandshakeRateLimiter(
      int ratePerSecond, int burst, int maxAddresses, LongSupplier nanoTime) {
    if (maxAddresses < 1) {
      throw new IllegalArgumentException("maxAddresses must be at least 1, was " + maxAddresses);
    }
    // Checked now rather than at the first handshake.
    new TokenBucket(ratePerSecond, burst, nanoTime);
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.maxAddresses = maxAddresses;
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.buckets =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, TokenBucket> eldest) {
            return size() > HandshakeRateLimiter.this.maxAddresses;
          }
        };
  }

  /**
   * Counts one handshake from {@code sourceIp} if its bucket allows it. Returns 0 if it does, else
   * how many nanoseconds until it would (taking nothing).
   */
  public synchronized long tryStart(String sourceIp) {
    forgetFullBuckets();
    TokenBucket bucket =
        buckets.computeIfAbsent(sourceIp, ip -> new TokenBucket(ratePerSecond, burst, nanoTime));
    if (bucket.tryTake()) {
      return 0;
    }
    return Math.max(1, bucket.nanosUntilToken());
  }

  /** How many addresses are tracked now. */
  synchronized int trackedAddresses() {
    return buckets.size();
  }

  /** Forgets the least recently seen addresses whose buckets are full again, a few at a time. */
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
