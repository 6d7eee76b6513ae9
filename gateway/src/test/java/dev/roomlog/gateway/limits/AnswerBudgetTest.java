package dev.roomlog.gateway.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AnswerBudgetTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  private final AtomicLong now = new AtomicLong(5_000 * MS);

  /** 1000 bytes per second, bursts of 2000. */
  private final AnswerBudget budget = new AnswerBudget(1_000, 2_000, now::get);

  @Test
  void answersUpToTheBurstLeaveItOutOfDebt() {
    budget.charge(1_500);
    budget.charge(500);

    assertEquals(0, budget.millisUntilOutOfDebt());
  }

  @Test
  void oneByteMoreThanTheBurstIsADebtOfOneMillisecondAtThisRate() {
    budget.charge(2_001);

    assertEquals(1, budget.millisUntilOutOfDebt());
    now.addAndGet(MS);
    assertEquals(0, budget.millisUntilOutOfDebt());
  }

  @Test
  void aDebtIsPaidOffAtTheRateAndRoundedUpToTheMillisecond() {
    budget.charge(2_000 + 300);

    assertEquals(300, budget.millisUntilOutOfDebt());
    now.addAndGet(299 * MS + 1);
    assertEquals(1, budget.millisUntilOutOfDebt());
    now.addAndGet(MS);
    assertEquals(0, budget.millisUntilOutOfDebt());
  }

  @Test
  void timeSpentOutOfDebtRefillsNoMoreThanTheBurst() {
    budget.charge(2_000);
    now.addAndGet(TimeUnit.HOURS.toNanos(1));

    budget.charge(2_000);
    assertEquals(0, budget.millisUntilOutOfDebt());
    budget.charge(1);
    assertEquals(1, budget.millisUntilOutOfDebt());
  }

  @Test
  void aHugeAnswerSaturatesInsteadOfWrappingRound() {
    budget.charge(Long.MAX_VALUE);
    budget.charge(Long.MAX_VALUE);

    assertEquals(true, budget.millisUntilOutOfDebt() > TimeUnit.DAYS.toMillis(365));
  }

  @Test
  void refusesARateOrBurstBelowOne() {
    assertThrows(IllegalArgumentException.class, () -> new AnswerBudget(0, 1, now::get));
    assertThrows(IllegalArgumentException.class, () -> new AnswerBudget(1, 0, now::get));
  }
}
