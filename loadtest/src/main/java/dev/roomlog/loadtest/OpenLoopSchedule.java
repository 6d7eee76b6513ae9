package dev.roomlog.loadtest;

/**
 * When each of a fixed number of events is due, at a fixed rate from a start time: event {@code k}
 * is due at {@code start + k / rate}. Whatever happens to earlier events (answered, late, lost)
 * never moves a later one: that is what makes the load open-loop, and measuring each latency from
 * the due time (not from when the send actually happened) is what corrects for coordinated
 * omission. Immutable; times are System.nanoTime values.
 */
final class OpenLoopSchedule {
  private final long startNanos;
  private final double ratePerSecond;
  private final long count;

  OpenLoopSchedule(long startNanos, double ratePerSecond, long count) {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException(
          "rate must be a positive number per second, got " + ratePerSecond);
    }
    if (count < 0) {
      throw new IllegalArgumentException("count must be 0 or more, got " + count);
    }
    this.startNanos = startNanos;
    this.ratePerSecond = ratePerSecond;
    this.count = count;
  }

  /** A schedule of as many events as fit in {@code durationNanos} at this rate (at least one). */
  static OpenLoopSchedule forDuration(long startNanos, double ratePerSecond, long durationNanos) {
    long count = Math.max(1, (long) Math.ceil(durationNanos / 1e9 * ratePerSecond));
    return new OpenLoopSchedule(startNanos, ratePerSecond, count);
  }

  long startNanos() {
    return startNanos;
  }

  double ratePerSecond() {
    return ratePerSecond;
  }

  long count() {
    return count;
  }

  /** When event {@code k} (0-based) is due. */
  long dueNanos(long k) {
    return startNanos + (long) (k * 1e9 / ratePerSecond);
  }

  /** How many events are due at {@code nowNanos}: the index of the first one not yet due. */
  long dueBy(long nowNanos) {
    if (nowNanos < startNanos) {
      return 0;
    }
    long due = (long) Math.floor((nowNanos - startNanos) * ratePerSecond / 1e9) + 1;
    // Floating point can put the boundary one event early or late; the due times decide.
    while (due > 0 && dueNanos(due - 1) > nowNanos) {
      due--;
    }
    while (due < count && dueNanos(due) <= nowNanos) {
      due++;
    }
    return Math.min(due, count);
  }
}
