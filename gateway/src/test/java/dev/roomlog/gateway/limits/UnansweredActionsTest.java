package dev.roomlog.gateway.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.GatewayPipelineTest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class UnansweredActionsTest {
  private static final Instant T0 = Instant.parse("2024-04-01T12:00:00Z");
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final GatewayPipelineTest.MutableClock clock = new GatewayPipelineTest.MutableClock(T0);

  private UnansweredActions actions(int max) {
    return new UnansweredActions(max, TIMEOUT, clock);
  }

  private void at(Duration sinceT0) {
    clock.set(T0.plus(sinceT0));
  }

  @Test
  void acceptsUpToTheBoundAndRefusesOnePastItUntilAnAnswer() {
    UnansweredActions actions = actions(3);

    assertTrue(actions.tryAdd());
    assertTrue(actions.tryAdd());
    assertTrue(actions.tryAdd(), "the third is at the bound");
    assertFalse(actions.tryAdd(), "one past the bound");
    assertEquals(3, actions.count(), "a refused action is not counted");

    actions.answered();

    assertEquals(2, actions.count());
    assertTrue(actions.tryAdd());
    assertFalse(actions.tryAdd());
  }

  @Test
  void anActionWithdrawnNoLongerCounts() {
    UnansweredActions actions = actions(1);
    assertTrue(actions.tryAdd());

    actions.withdraw();

    assertEquals(0, actions.count());
    assertTrue(actions.tryAdd());
  }

  @Test
  void anAnswerOrAWithdrawalWithNothingCountedChangesNothing() {
    UnansweredActions actions = actions(1);

    actions.answered();
    actions.withdraw();

    assertEquals(0, actions.count());
    assertTrue(actions.tryAdd());
    assertFalse(actions.tryAdd(), "no credit was kept for the early answer");
  }

  @Test
  void eachActionCountsForAtMostTheTimeout() {
    UnansweredActions actions = actions(2);
    assertTrue(actions.tryAdd());
    at(Duration.ofSeconds(10));
    assertTrue(actions.tryAdd());

    at(TIMEOUT.minusMillis(1));
    assertFalse(actions.tryAdd(), "both still count just before the first one's timeout");
    at(TIMEOUT);
    assertEquals(1, actions.count(), "the first no longer counts");
    assertTrue(actions.tryAdd());
    assertFalse(actions.tryAdd());

    at(TIMEOUT.plusSeconds(10));
    assertEquals(1, actions.count(), "then the second");
  }

  @Test
  void aLateAnswerEndsAYoungerActionSoTheCountNeverRefusesMoreThanTheBound() {
    UnansweredActions actions = actions(2);
    assertTrue(actions.tryAdd());
    at(TIMEOUT);
    assertTrue(actions.tryAdd());
    assertTrue(actions.tryAdd(), "the first timed out");

    actions.answered(); // the first one's answer, late

    assertEquals(1, actions.count());
    assertTrue(actions.tryAdd());
  }

  @Test
  void refusesABoundOrTimeoutThatCannotWork() {
    assertThrows(IllegalArgumentException.class, () -> actions(0));
    assertThrows(
        IllegalArgumentException.class,
        () -> new UnansweredActions(1, Duration.ZERO, Clock.systemUTC()));
  }
}
