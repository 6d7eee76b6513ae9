package dev.roomlog.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The open loop on a hand-driven clock: when it waits, the fake waiter moves the clock. */
class OpenLoopSenderTest {
  private long now;

  private OpenLoopSender sender() {
    return new OpenLoopSender(() -> now, nanos -> now = Math.max(now, nanos));
  }

  @Test
  void firesEachEventAtItsDueTimeStampedWithIt() {
    List<long[]> fired = new ArrayList<>();
    OpenLoopSchedule s = new OpenLoopSchedule(1_000, 10, 5);
    long count = sender().run(s, (k, due) -> fired.add(new long[] {k, due, now}), () -> false);
    assertEquals(5, count);
    for (int k = 0; k < 5; k++) {
      assertEquals(k, fired.get(k)[0]);
      assertEquals(s.dueNanos(k), fired.get(k)[1]);
      assertEquals(s.dueNanos(k), fired.get(k)[2], "fired when due, not before");
    }
  }

  @Test
  void aStallDoesNotDelayLaterEventsTheyFireAtOnceWithTheirOwnDueTimes() {
    OpenLoopSchedule s = new OpenLoopSchedule(0, 1_000, 10);
    List<Long> dueTimes = new ArrayList<>();
    List<Long> firedAt = new ArrayList<>();
    OpenLoopSender sender = sender();
    sender.run(
        s,
        (k, due) -> {
          dueTimes.add(due);
          firedAt.add(now);
          if (k == 2) {
            now += 5_000_000; // the sending thread stalls 5 ms (a GC pause, a busy core)
          }
        },
        () -> false);
    assertEquals(10, dueTimes.size());
    for (int k = 0; k < 10; k++) {
      assertEquals(s.dueNanos(k), dueTimes.get(k), "each latency counts from the due time");
    }
    // Events 3..7 were due during the stall: they go out together right after it.
    for (int k = 3; k <= 7; k++) {
      assertEquals(7_000_000, firedAt.get(k));
    }
    assertEquals(8_000_000, firedAt.get(8), "then the loop is back on schedule");
    assertEquals(4_000_000, sender.maxLagNanos(), "event 3 went out 4 ms late");
  }

  @Test
  void lagBeforeTheMeasuredWindowIsNotCounted() {
    OpenLoopSchedule s = new OpenLoopSchedule(0, 1_000, 10);
    OpenLoopSender sender = sender().lagFrom(5_000_000);
    sender.run(
        s,
        (k, due) -> {
          if (k == 0) {
            now += 3_000_000; // a slow first send: class loading in the warm-up
          }
        },
        () -> false);
    assertEquals(0, sender.maxLagNanos());
  }

  @Test
  void stopsWhenAsked() {
    OpenLoopSchedule s = new OpenLoopSchedule(0, 1_000, 100);
    List<Long> fired = new ArrayList<>();
    long count = sender().run(s, (k, due) -> fired.add(k), () -> fired.size() >= 3);
    assertEquals(3, count);
  }
}
