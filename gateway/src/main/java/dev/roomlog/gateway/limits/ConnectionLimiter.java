package dev.roomlog.gateway.limits;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Counts the open connections of this node, in total and per source IP, and refuses one more past
 * {@code maxConnections} or {@code maxConnectionsPerIp}.
 *
 * <p>A connection holds a {@link Permit} from the accepted handshake until its channel closes;
 * {@link Permit#release()} gives the slot back and does nothing the second time, so a close
 * listener can call it without counting a connection twice. The same class, with its own limits,
 * counts the sockets still in their handshake (for {@code HandshakePolicy.startHandshake}; named,
 * not linked, because limits/ imports nothing else of the gateway).
 *
 * <p>Thread-safe. One lock guards both counts, so they are exact: the total never goes past the
 * limit, not even for a moment, and a refusal never holds a slot. A handshake or a close takes the
 * lock for a hash-map update, which is far cheaper than the TLS/HTTP work around it. An IP's entry
 * is removed when its last connection closes, so the map holds only IPs with open connections.
 */
public final class ConnectionLimiter {
  /** The answer to {@link #tryAcquire}. */
  public sealed interface Admission permits Admitted, Refused {}

  public record Admitted(Permit permit) implements Admission {}

  public record Refused(Reason reason) implements Admission {}

  public enum Reason {
    NODE_FULL,
    IP_FULL
  }

  private final int maxConnections;
  private final int maxConnectionsPerIp;
  private final Map<String, Integer> perIp = new HashMap<>();
  private int total;

  public ConnectionLimiter(int maxConnections, int maxConnectionsPerIp) {
    if (maxConnections < 1 || maxConnectionsPerIp < 1) {
      throw new IllegalArgumentException(
          "connection limits must be at least 1, were "
              + maxConnections
              + " and "
              + maxConnectionsPerIp);
    }
    this.maxConnections = maxConnections;
    this.maxConnectionsPerIp = maxConnectionsPerIp;
  }

  /** Takes a slot for one more connection from {@code sourceIp}, if both limits allow it. */
  public synchronized Admission tryAcquire(String sourceIp) {
    if (total >= maxConnections) {
      return new Refused(Reason.NODE_FULL);
    }
    int fromIp = perIp.getOrDefault(sourceIp, 0);
    if (fromIp >= maxConnectionsPerIp) {
      return new Refused(Reason.IP_FULL);
    }
    perIp.put(sourceIp, fromIp + 1);
    total++;
    return new Admitted(new Permit(sourceIp));
  }

  /**
   * Takes a slot counted only towards {@code maxConnections}, for a peer that is not one client (a
   * trusted proxy carrying many).
   */
  public synchronized Admission tryAcquireForNodeOnly() {
    if (total >= maxConnections) {
      return new Refused(Reason.NODE_FULL);
    }
    total++;
    return new Admitted(new Permit(null));
  }

  /** Whether the node has no room for one more connection. */
  public synchronized boolean isFull() {
    return total >= maxConnections;
  }

  public synchronized int total() {
    return total;
  }

  public synchronized int count(String sourceIp) {
    return perIp.getOrDefault(sourceIp, 0);
  }

  /** How many source IPs have open connections. */
  public synchronized int trackedIps() {
    return perIp.size();
  }

  private synchronized void release(String sourceIp) {
    total--;
    if (sourceIp != null) {
      perIp.computeIfPresent(sourceIp, (ip, n) -> n == 1 ? null : n - 1);
    }
  }

  /** One connection's slot. */
  public final class Permit {
    /** Null for a slot counted only towards the node's total. */
    private final String sourceIp;

    private final AtomicBoolean released = new AtomicBoolean();

    private Permit(String sourceIp) {
      this.sourceIp = sourceIp;
    }

    /** Gives the slot back; later calls do nothing. */
    public void release() {
      if (released.compareAndSet(false, true)) {
        ConnectionLimiter.this.release(sourceIp);
      }
    }
  }
}
