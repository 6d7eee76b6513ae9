package dev.roomlog.loadtest;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Drives an {@link OpenLoopSchedule} on the calling thread: it waits until the next event is due,
 * then fires every event that is due, each with its due time. It never waits for anything but the
 * clock, so a slow server cannot slow the load down; when the caller falls behind (a GC pause, a
 * busy core) the late events fire at once, still stamped with their due times.
 *
 * <p>Not thread-safe; one run per instance.
 */
final class OpenLoopSender {
  /** Fires one event. */
  @FunctionalInterface
  interface Event {
    void fire(long k, long dueNanos);
  }

  /** How the sender waits; a test passes one that moves a fake clock instead of parking. */
  @FunctionalInterface
  interface Waiter {
    void waitUntil(long nanos);

    Waiter PARK =
        nanos -> {
          long left = nanos - System.nanoTime();
          if (left > 0) {
            LockSupport.parkNanos(left);
          }
        };
  }

  private final LongSupplier clock;
  private final Waiter waiter;
  private long maxLagNanos;
  private long lagFromNanos = Long.MIN_VALUE;

  OpenLoopSender(LongSupplier clock, Waiter waiter) {
    this.clock = clock;
    this.waiter = waiter;
  }

  static OpenLoopSender realTime() {
    return new OpenLoopSender(System::nanoTime, Waiter.PARK);
  }

  /**
   * Fires every event of the schedule, or those before {@code stop} says true.
   *
   * @return how many were fired
   */
  long run(OpenLoopSchedule schedule, Event event, BooleanSupplier stop) {
    long k = 0;
    while (k < schedule.count() && !stop.getAsBoolean()) {
      long now = clock.getAsLong();
      long due = schedule.dueBy(now);
      if (due <= k) {
        waiter.waitUntil(schedule.dueNanos(k));
        continue;
      }
      for (; k < due; k++) {
        long dueNanos = schedule.dueNanos(k);
        if (dueNanos >= lagFromNanos) {
          maxLagNanos = Math.max(maxLagNanos, now - dueNanos);
        }
        event.fire(k, dueNanos);
      }
    }
    return k;
  }

  /**
   * Counts lag only for events due from this time on: a warm-up's start (class loading, JIT) says
   * nothing about the measured window.
   */
  OpenLoopSender lagFrom(long dueNanos) {
    this.lagFromNanos = dueNanos;
    return this;
  }

  /**
   * The longest any event waited past its due time before it fired: when it is large, the generator
   * (not the server) could not keep up, and the figures say so.
   */
  long maxLagNanos() {
    return maxLagNanos;
  }
}
