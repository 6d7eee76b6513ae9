package dev.roomlog.gateway.limits;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the client actions that were accepted but not yet settled by Kafka (acknowledged, or
 * failed): at most {@code maxTotal} on this node and {@code maxPerConnection} on one connection.
 * This bounds the memory the log's queue and the producer's buffer can hold for clients, and how
 * many clients wait for an answer when Kafka is slow. Lifecycle records ({@code $connect}, {@code
 * $disconnect}) take no permit: there is at most one of each per connection, and connections are
 * capped at the handshake.
 *
 * <p>Thread-safe, lock-free: permits are taken on event loops and released on the producer's I/O
 * thread or the log writer's thread.
 */
public final class InFlightLimiter {
  private final int maxTotal;
  private final int maxPerConnection;
  private final AtomicInteger total = new AtomicInteger();

  public InFlightLimiter(int maxTotal, int maxPerConnection) {
    if (maxTotal < 1 || maxPerConnection < 1) {
      throw new IllegalArgumentException(
          "in-flight bounds must be at least 1, were total "
              + maxTotal
              + " and per connection "
              + maxPerConnection);
    }
    this.maxTotal = maxTotal;
    this.maxPerConnection = maxPerConnection;
  }

  /** The permits of one new connection. */
  public ConnectionPermits newConnection() {
    return new ConnectionPermits();
  }

  /** Actions in flight on this node. */
  public int inFlight() {
    return total.get();
  }

  /** One connection's share; it holds this for its lifetime. */
  public final class ConnectionPermits {
    private final AtomicInteger held = new AtomicInteger();

    private ConnectionPermits() {}

    /**
     * Takes a permit for one action, or returns null, taking nothing, when this connection or the
     * node is at its bound.
     */
    public Permit tryAcquire() {
      if (!increment(held, maxPerConnection)) {
        return null;
      }
      if (!increment(total, maxTotal)) {
        held.decrementAndGet();
        return null;
      }
      return new Permit(this);
    }

    /** Actions in flight on this connection. */
    public int inFlight() {
      return held.get();
    }
  }

  /** One action's place in flight. */
  public final class Permit {
    private final ConnectionPermits owner;
    private final AtomicBoolean released = new AtomicBoolean();

    private Permit(ConnectionPermits owner) {
      this.owner = owner;
    }

    /** Frees the place; idempotent, so an action settled twice cannot free a stranger's. */
    public void release() {
      if (released.compareAndSet(false, true)) {
        owner.held.decrementAndGet();
        total.decrementAndGet();
      }
    }
  }

  /**
   * Adds one unless that would pass {@code max}: a compare-and-set loop rather than add-then-undo,
   * so that two racing callers near the bound never both get refused.
   */
  private static boolean increment(AtomicInteger counter, int max) {
    while (true) {
      int current = counter.get();
      if (current >= max) {
        return false;
      }
      if (counter.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }
}
