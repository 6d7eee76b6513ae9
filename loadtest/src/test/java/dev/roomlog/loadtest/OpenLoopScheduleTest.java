package dev.roomlog.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class OpenLoopScheduleTest {
  @Test
  void spacesEventsEvenlyAtTheRate() {
    OpenLoopSchedule s = new OpenLoopSchedule(1_000, 4, 10);
    assertEquals(1_000, s.dueNanos(0));
    assertEquals(1_000 + 250_000_000, s.dueNanos(1));
    assertEquals(1_000 + 2_250_000_000L, s.dueNanos(9));
  }

  @Test
  void countsTheEventsDueAtATime() {
    OpenLoopSchedule s = new OpenLoopSchedule(1_000, 4, 10);
    assertEquals(0, s.dueBy(999));
    assertEquals(1, s.dueBy(1_000));
    assertEquals(1, s.dueBy(1_000 + 249_999_999));
    assertEquals(2, s.dueBy(1_000 + 250_000_000));
    assertEquals(10, s.dueBy(Long.MAX_VALUE / 2), "never more than the count");
  }

  @Test
  void aDurationHoldsRateTimesSecondsEvents() {
    assertEquals(2_000, OpenLoopSchedule.forDuration(0, 200, 10_000_000_000L).count());
    assertEquals(1, OpenLoopSchedule.forDuration(0, 0.1, 1_000_000_000L).count());
  }

  @Test
  void dueTimesAgreeWithDueByAtFractionalRates() {
    OpenLoopSchedule s = new OpenLoopSchedule(17, 3.7, 1_000);
    for (long k = 0; k < 1_000; k++) {
      assertEquals(k + 1, s.dueBy(s.dueNanos(k)), "event " + k + " is due at its own due time");
      assertEquals(k, s.dueBy(s.dueNanos(k) - 1), "and not a nanosecond before");
    }
  }

  @Test
  void refusesARateThatIsNotPositive() {
    assertThrows(IllegalArgumentException.class, () -> new OpenLoopSchedule(0, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new OpenLoopSchedule(0, Double.NaN, 1));
  }
}
