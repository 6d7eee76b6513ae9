package dev.roomlog.gateway.limits;

import java.util.function.LongSupplier;

/**
 * How many handshakes each source address may start: a token bucket per address ({@code
 * handshakesPerSecondPerIp}, {@code handshakeBurstPerIp}). Every connect/close cycle writes a
 * {@code $connect} and a {@code $disconnect} to the log, which keeps them for ever, so one client
 * that reconnects in a loop must not be able to write them as fast as it can open sockets.
 *
 * <p>Memory stays bounded under a spray of addresses ({@link KeyedTokenBuckets}): an address whose
 * bucket has filled up again is forgotten, and at most {@code maxAddresses} are kept, the least
 * recently seen one giving way to a new one.
 *
 * <p>Thread-safe: one instance serves every event loop of a node. One lock; each call is a hash map
 * update and at most a few removals, far cheaper than the HTTP work around it.
 */
public final class HandshakeRateLimiter {
  private final KeyedTokenBuckets buckets;

  /**
   * @param nanoTime the time, in nanoseconds of any origin (the node's injected clock)
   */
  public HandshakeRateLimiter(
      int ratePerSecond, int burst, int maxAddresses, LongSupplier nanoTime) {
    this.buckets = new KeyedTokenBuckets(ratePerSecond, burst, maxAddresses, nanoTime);
  }

  /**
   * Counts one handshake from {@code sourceIp} if its bucket allows it. Returns 0 if it does, else
   * how many nanoseconds until it would (taking nothing).
   */
  public long tryStart(String sourceIp) {
    return buckets.tryTake(sourceIp);
  }

  /** How many addresses are tracked now. */
  int trackedAddresses() {
    return buckets.tracked();
  }
}
