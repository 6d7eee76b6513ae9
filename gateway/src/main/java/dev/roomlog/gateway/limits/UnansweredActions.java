package dev.roomlog.gateway.limits;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * Bounds one connection's actions that the gateway handed to the log and that are not answered yet:
 * at most {@code max}, each counted from the moment it is accepted until the room processor's
 * answer to it is delivered to the connection. {@link InFlightLimiter} stops counting when Kafka
 * acknowledges; this goes on until the answer, so a connection cannot pile up actions behind a slow
 * processor (a hot room) without limit: past the bound it is refused at once.
 *
 * <p>Policy: a count, not a set of request ids. Every room action gets exactly one answer from the
 * processor, but a client's {@code requestId} is optional and need not be unique, so an answer ends
 * the oldest action still counted, whichever it was. An answer that never comes (a record the
 * processor set aside without knowing its sender, an answer the gateway cannot tell from a frame to
 * others) must not hold a place for ever, nor must a processor that is down for long refuse the
 * connection for ever: each action counts for at most {@code timeout}, by {@code clock}. A late
 * answer then ends a younger action: the count errs towards letting a client in, never towards
 * refusing it. The count lives and dies with its connection, so nothing is left when it closes.
 *
 * <p>Threading: actions are added on the connection's event loop, answers arrive on the delivery
 * consumer's thread and failures on the log's threads; every method is synchronized (one
 * connection's threads rarely meet here).
 */
public final class UnansweredActions {
  private final int max;
  private final long timeoutMillis;
  private final Clock clock;

  /** When each counted action was accepted (epoch millis), oldest first. */
  private final ArrayDeque<Long> acceptedAt = new ArrayDeque<>(1);

  public UnansweredActions(int max, Duration timeout, Clock clock) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1, was " + max);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    this.max = max;
    this.timeoutMillis = timeout.toMillis();
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Counts one more action, or returns false, counting nothing, when {@code max} are unanswered
   * (those older than the timeout no longer count).
   */
  public synchronized boolean tryAdd() {
    long now = clock.millis();
    forgetOlderThan(now - timeoutMillis);
    if (acceptedAt.size() >= max) {
      return false;
    }
    acceptedAt.addLast(now);
    return true;
  }

  /** An answer was delivered: the oldest counted action no longer counts. */
  public synchronized void answered() {
    acceptedAt.pollFirst();
  }

  /**
   * An action counted by {@link #tryAdd} will get no answer from the processor (it was refused
   * before the log, or the log failed it and the client was told): it no longer counts.
   */
  public synchronized void withdraw() {
    // The newest: the one just added, when it is refused on its way to the log.
    acceptedAt.pollLast();
  }

  /** The actions counted now. */
  public synchronized int count() {
    forgetOlderThan(clock.millis() - timeoutMillis);
    return acceptedAt.size();
  }

  private void forgetOlderThan(long cutoff) {
    while (!acceptedAt.isEmpty() && acceptedAt.peekFirst() <= cutoff) {
      acceptedAt.pollFirst();
    }
  }
}
