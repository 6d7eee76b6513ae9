package dev.roomlog.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CommitPacingTest {
  private static final long SHORT = 10;
  private static final long LONG = 100;

  private final CommitPacing pacer = new CommitPacing(SHORT, LONG);
  private final Object stageA = "stage A";
  private final Object stageB = "stage B";

  @Test
  void aFreshActionStartsTheThreadsOneTimer() {
    assertTrue(pacer.afterAction(stageA, 1_000, 1_005));
    assertEquals(SHORT, pacer.intervalMs());
    // Another task of the same thread: the pending commit will carry its actions too.
    assertFalse(pacer.afterAction(stageB, 1_001, 1_006));
    assertFalse(pacer.afterAction(stageA, 1_002, 1_007));
  }

  @Test
  void afterTheTimerFiresTheNextFreshActionStartsAnother() {
    assertTrue(pacer.afterAction(stageA, 1_000, 1_005));
    pacer.timerFired(stageA);
    assertTrue(pacer.afterAction(stageB, 1_014, 1_016));
  }

  @Test
  void anActionThatWaitedLongerThanTheLongIntervalMeansABacklog() {
    assertTrue(pacer.afterAction(stageA, 1_000, 1_000 + LONG), "at the long interval: fresh");
    pacer.timerFired(stageA);
    assertFalse(pacer.afterAction(stageA, 1_000, 1_000 + LONG + 1), "past it: behind");
    // Caught up again: back to short commits.
    assertTrue(pacer.afterAction(stageA, 2_000, 2_003));
  }

  @Test
  void aTimerThatNeverFiredIsForgottenAfterTwoShortIntervals() {
    assertTrue(pacer.afterAction(stageA, 1_000, 1_000));
    assertFalse(pacer.afterAction(stageB, 1_000 + 2 * SHORT, 1_000 + 2 * SHORT));
    assertTrue(pacer.afterAction(stageB, 1_001 + 2 * SHORT, 1_001 + 2 * SHORT));
    // The forgotten owner's late report does not release the new owner's timer.
    pacer.timerFired(stageA);
    assertFalse(pacer.afterAction(stageA, 1_002 + 2 * SHORT, 1_002 + 2 * SHORT));
  }

  @Test
  void aClosingStageReleasesItsTimer() {
    assertTrue(pacer.afterAction(stageA, 1_000, 1_001));
    pacer.closed(stageA);
    assertTrue(pacer.afterAction(stageB, 1_002, 1_003));
  }

  @Test
  void refusesALongIntervalShorterThanTheShortOne() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new CommitPacing(50, 49));
    assertTrue(e.getMessage().contains("commitIntervalUnderLoadMs"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new CommitPacing(0, 100));
    new CommitPacing(50, 50); // equal: Kafka Streams' schedule alone, as before the pacer
  }
}
