package dev.roomlog.processor;

import static dev.roomlog.processor.CommitPacing.COMMIT_NOW;
import static dev.roomlog.processor.CommitPacing.NO_COMMIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
  void aFreshActionAfterAQuietSpellIsCommittedAtOnce() {
    assertEquals(COMMIT_NOW, pacer.afterAction(stageA, 1_000, 1_005));
    // Another task of the thread, appended exactly an interval later: quiet again.
    assertEquals(COMMIT_NOW, pacer.afterAction(stageB, 1_010, 1_015));
  }

  @Test
  void inAStreamOfActionsTheFirstStartsTheThreadsOneTimerAndTheOthersShareIt() {
    assertEquals(COMMIT_NOW, pacer.afterAction(stageA, 1_000, 1_005));
    assertEquals(SHORT, pacer.afterAction(stageA, 1_009, 1_014), "one ms short of a quiet spell");
    // Another task of the same thread: the pending commit will carry its actions too.
    assertEquals(NO_COMMIT, pacer.afterAction(stageB, 1_015, 1_016));
    pacer.timerFired(stageA);
    // Still a stream (appended 4 ms after the last): a timer again, not a commit at once.
    assertEquals(SHORT, pacer.afterAction(stageB, 1_019, 1_020));
  }

  @Test
  void quietIsReadFromAppendTimesSoActionsThatArrivedTogetherDuringALongCommitShareATimer() {
    assertEquals(COMMIT_NOW, pacer.afterAction(stageA, 1_000, 1_001));
    // The thread was busy for 30 ms (a slow commit); these were appended 2 ms after the first.
    assertEquals(SHORT, pacer.afterAction(stageA, 1_002, 1_031));
    assertEquals(NO_COMMIT, pacer.afterAction(stageB, 1_003, 1_032));
  }

  @Test
  void anActionThatWaitedLongerThanTheLongIntervalMeansABacklog() {
    assertEquals(
        COMMIT_NOW, pacer.afterAction(stageA, 1_000, 1_000 + LONG), "at the long interval");
    assertEquals(NO_COMMIT, pacer.afterAction(stageA, 1_000, 1_000 + LONG + 1), "past it");
    // Caught up again: back to short commits.
    assertEquals(COMMIT_NOW, pacer.afterAction(stageA, 2_000, 2_003));
  }

  @Test
  void aTimerThatNeverFiredIsForgottenAfterTwoShortIntervals() {
    assertEquals(COMMIT_NOW, pacer.afterAction(stageA, 1_000, 1_000));
    assertEquals(SHORT, pacer.afterAction(stageA, 1_001, 1_001));
    assertEquals(NO_COMMIT, pacer.afterAction(stageB, 1_009, 1_009));
    assertEquals(NO_COMMIT, pacer.afterAction(stageB, 1_001 + 2 * SHORT, 1_001 + 2 * SHORT));
    assertEquals(SHORT, pacer.afterAction(stageB, 1_002 + 2 * SHORT, 1_002 + 2 * SHORT));
    // The forgotten owner's late report does not release the new owner's timer.
    pacer.timerFired(stageA);
    assertEquals(NO_COMMIT, pacer.afterAction(stageA, 1_003 + 2 * SHORT, 1_003 + 2 * SHORT));
  }

  @Test
  void aClosingStageReleasesItsTimer() {
    assertEquals(COMMIT_NOW, pacer.afterAction(stageA, 1_000, 1_000));
    assertEquals(SHORT, pacer.afterAction(stageA, 1_001, 1_001));
    pacer.closed(stageA);
    assertEquals(SHORT, pacer.afterAction(stageB, 1_002, 1_002));
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
