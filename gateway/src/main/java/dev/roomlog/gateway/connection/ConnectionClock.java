package dev.roomlog.gateway.connection;

import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.protocol.settings.Durations;
import java.time.Duration;
import java.util.Objects;

/**
 * Decides, from the times at which an open WebSocket connection sent something, whether it must be
 * pinged or closed, and when to look again. Plain Java: the caller passes the time in.
 *
 * <p>Three limits, each measured from its own event:
 *
 * <ul>
 *   <li><b>idle</b>: no data message (text, binary or continuation frame) for {@code idleTimeout}:
 *       close 1001. Pings and pongs do not count: a client whose library answers pings by itself is
 *       alive but idle.
 *   <li><b>age</b>: open for {@code maxConnectionAge}: close 1001, so that long-lived sockets are
 *       spread over nodes again after a deploy or scale-out; the client resumes by seq.
 *   <li><b>liveness</b>: nothing at all (any frame) for {@code pingInterval}: send a ping; then no
 *       frame within {@code pongTimeout}: close 1001. The peer is presumed gone (a dead NAT entry,
 *       a laptop that slept), so the caller closes the socket without waiting for the closing
 *       handshake. 1001 rather than 1011: nothing failed on the server, and a client that is in
 *       fact alive should simply reconnect.
 * </ul>
 *
 * <p>Each limit fires when its time has fully elapsed ({@code now - since >= limit}).
 *
 * <p>Threading: not thread-safe; one instance per connection, used from its event loop. Timestamps
 * are nanoseconds from one monotonic source (the event loop's ticker).
 */
public final class ConnectionClock {
  static final int GOING_AWAY = 1001;
  static final String MAX_AGE_REASON = "maximum connection age reached: reconnect and resume";

  /** The configured limits; each must be longer than zero. */
  public record Limits(
      Duration idleTimeout, Duration maxAge, Duration pingInterval, Duration pongTimeout) {
    public Limits {
      positive("idleTimeout", idleTimeout);
      positive("maxAge", maxAge);
      positive("pingInterval", pingInterval);
      positive("pongTimeout", pongTimeout);
    }

    public static Limits of(GatewaySettings settings) {
      return new Limits(
          settings.idleTimeout(),
          settings.maxConnectionAge(),
          settings.pingInterval(),
          settings.pongTimeout());
    }

    private static void positive(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be longer than zero, was " + value);
      }
    }
  }

  /** What the caller must do now. */
  sealed interface Verdict permits Wait, Ping, Close {}

  /** Nothing to do; look again at {@code checkAt}. */
  record Wait(long checkAt) implements Verdict {}

  /** Send a ping now; look again at {@code checkAt}. */
  record Ping(long checkAt) implements Verdict {}

  /** Send this close frame and close the socket. */
  record Close(int code, String reason) implements Verdict {}

  private final long idle;
  private final long maxAge;
  private final long pingInterval;
  private final long pongTimeout;
  private final String idleReason;
  private final String noPongReason;
  private final long openedAt;
  private long lastMessageAt;
  private long lastFrameAt;
  private boolean pingOutstanding;
  private long pingSentAt;

  ConnectionClock(Limits limits, long openedAt) {
    this.idle = limits.idleTimeout().toNanos();
    this.maxAge = limits.maxAge().toNanos();
    this.pingInterval = limits.pingInterval().toNanos();
    this.pongTimeout = limits.pongTimeout().toNanos();
    this.idleReason =
        "idle for " + Durations.format(limits.idleTimeout()) + ": reconnect when you need to";
    this.noPongReason =
        "no pong within " + Durations.format(limits.pongTimeout()) + ": connection presumed dead";
    this.openedAt = openedAt;
    this.lastMessageAt = openedAt;
    this.lastFrameAt = openedAt;
  }

  /** A data frame arrived: the client is in use, and alive. */
  void onMessageFrame(long now) {
    lastMessageAt = now;
    onControlFrame(now);
  }

  /** A ping, pong or close arrived: the client is alive, which is not the same as in use. */
  void onControlFrame(long now) {
    lastFrameAt = now;
    // Any frame answers a ping: it proves the path to the client works.
    pingOutstanding = false;
  }

  /** The first time {@link #check} has something to do. */
  long firstCheckAt() {
    return nextCheckAt();
  }

  /**
   * What to do at {@code now}. A {@link Ping} verdict records the ping as sent; the caller must
   * send it.
   */
  Verdict check(long now) {
    if (pingOutstanding && now - pingSentAt >= pongTimeout) {
      return new Close(GOING_AWAY, noPongReason);
    }
    if (now - lastMessageAt >= idle) {
      return new Close(GOING_AWAY, idleReason);
    }
    if (now - openedAt >= maxAge) {
      return new Close(GOING_AWAY, MAX_AGE_REASON);
    }
    if (!pingOutstanding && now - lastFrameAt >= pingInterval) {
      pingOutstanding = true;
      pingSentAt = now;
      return new Ping(nextCheckAt());
    }
    return new Wait(nextCheckAt());
  }

  private long nextCheckAt() {
    long liveness = pingOutstanding ? pingSentAt + pongTimeout : lastFrameAt + pingInterval;
    return Math.min(liveness, Math.min(lastMessageAt + idle, openedAt + maxAge));
  }
}
