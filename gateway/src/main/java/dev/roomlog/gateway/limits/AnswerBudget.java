package dev.roomlog.gateway.limits;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * What one connection may make the server send in answer to its own requests: {@code
 * bytesPerSecond}, with bursts of {@code burstBytes}. A 90-byte {@code resume} can be answered with
 * a hundred kept events, so counting only what a client sends would let it multiply its rate limit
 * by a thousand in bytes.
 *
 * <p>Policy: an answer is charged in full when it is delivered, whatever its size, so the budget
 * can go into debt (an answer is never cut or held back: it is already decided and in the log).
 * While it is in debt, the connection's requests that replay history are refused (429) until the
 * debt is paid off at {@code bytesPerSecond}; requests already on their way are charged when their
 * answers arrive. So over time a connection gets at most {@code bytesPerSecond} of answers, and at
 * once at most {@code burstBytes} plus the answers to the requests it had sent before the first of
 * them was charged (bounded by its message rate).
 *
 * <p>Kept as a virtual time (the generic cell rate algorithm): {@code paidUntil} is when the bytes
 * charged so far would be paid for at the rate, so the budget is in debt when that is more than a
 * full burst's worth of time ahead of now. Integer nanoseconds: no drift. A clock stepped backwards
 * only delays the pay-off by that step.
 *
 * <p>Threading: answers are charged on the delivery consumer's thread, requests are decided on the
 * connection's event loop; every method is synchronized (one connection's two threads rarely meet
 * here).
 */
public final class AnswerBudget {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final long bytesPerSecond;

  /** How long a full burst takes to pay off at the rate. */
  private final long burstNanos;

  private final LongSupplier nanoTime;
  private long paidUntil;

  public AnswerBudget(int bytesPerSecond, int burstBytes, LongSupplier nanoTime) {
    if (bytesPerSecond < 1) {
      throw new IllegalArgumentException(
          "bytesPerSecond must be at least 1, was " + bytesPerSecond);
    }
    if (burstBytes < 1) {
      throw new IllegalArgumentException("burstBytes must be at least 1, was " + burstBytes);
    }
    this.bytesPerSecond = bytesPerSecond;
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    // At most 2^31 bytes * 1e9: fits a long.
    this.burstNanos = burstBytes * NANOS_PER_SECOND / bytesPerSecond;
    this.paidUntil = nanoTime.getAsLong();
  }

  /** Charges an answer of {@code bytes} delivered to the connection. */
  public synchronized void charge(long bytes) {
    if (bytes <= 0) {
      return;
    }
    long now = nanoTime.getAsLong();
    // Saturating: a single answer of gigabytes cannot wrap the clock round.
    long cost =
        bytes > Long.MAX_VALUE / NANOS_PER_SECOND
            ? Long.MAX_VALUE / 4
            : bytes * NANOS_PER_SECOND / bytesPerSecond;
    long from = Math.max(paidUntil, now);
    paidUntil = from > Long.MAX_VALUE / 2 - cost ? Long.MAX_VALUE / 2 : from + cost;
  }

  /** 0 when the budget is not in debt, else how long (ms, rounded up) until it is not. */
  public synchronized long millisUntilOutOfDebt() {
    long debt = paidUntil - nanoTime.getAsLong() - burstNanos;
    return debt <= 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(debt + 999_999));
  }
}
