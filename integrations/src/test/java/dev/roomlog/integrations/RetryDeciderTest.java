package dev.roomlog.integrations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryDeciderTest {
  private static final Instant NOW = Instant.parse("2025-11-26T10:00:00Z");
  private static final Duration HOURS = Duration.ofHours(6);

  private final RetryDecider decider =
      new RetryDecider(
          new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), () -> 1.0),
          3,
          Duration.ofSeconds(30));

  @Test
  void aSuccessIsDone() {
    assertInstanceOf(
        Outcome.Done.class, decider.decide(Answer.of(204, null), 1, NOW, false, HOURS, NOW));
  }

  @Test
  void aFailureIsRetriedAfterTheBackoffWhileTheInMemoryBudgetLasts() {
    Outcome first = decider.decide(Answer.of(500, null), 1, NOW, false, HOURS, NOW);
    Outcome second =
        decider.decide(Answer.none("no answer within PT1S"), 2, NOW, false, HOURS, NOW);

    assertEquals(new Outcome.RetryAt(NOW.plusSeconds(1)), first);
    assertEquals(new Outcome.RetryAt(NOW.plusSeconds(2)), second);
  }

  @Test
  void theLastInMemoryAttemptParks() {
    assertInstanceOf(
        Outcome.Park.class, decider.decide(Answer.of(500, null), 3, NOW, false, HOURS, NOW));
  }

  @Test
  void retryAfterOn429And503IsHonoured() {
    assertEquals(
        new Outcome.RetryAt(NOW.plusSeconds(7)),
        decider.decide(Answer.of(429, "7"), 1, NOW, false, HOURS, NOW));
    assertEquals(
        new Outcome.RetryAt(NOW.plusSeconds(20)),
        decider.decide(Answer.of(503, "Wed, 26 Nov 2025 10:00:20 GMT"), 1, NOW, false, HOURS, NOW));
  }

  @Test
  void retryAfterOnOtherStatusesIsNotAnInstruction() {
    assertEquals(
        new Outcome.RetryAt(NOW.plusSeconds(1)),
        decider.decide(Answer.of(500, "120"), 1, NOW, false, HOURS, NOW));
  }

  @Test
  void aRetryAfterLongerThanMemoryMayWaitParksAtOnce() {
    assertInstanceOf(
        Outcome.Park.class, decider.decide(Answer.of(429, "60"), 1, NOW, false, HOURS, NOW));
  }

  @Test
  void aRetryAfterIsCappedAtTheBackoffMaximum() {
    Outcome outcome = decider.decide(Answer.of(429, "86400"), 9, NOW, true, HOURS, NOW);

    assertEquals(new Outcome.RetryAt(NOW.plus(Duration.ofMinutes(5))), outcome);
  }

  @Test
  void aParkedCallIsRetriedUntilItsPeriodIsOverThenDeadLettered() {
    Instant first = NOW.minus(Duration.ofHours(5));
    assertInstanceOf(
        Outcome.RetryAt.class, decider.decide(Answer.of(500, null), 40, first, true, HOURS, NOW));

    Instant longAgo = NOW.minus(HOURS).plusSeconds(60);
    Outcome outcome = decider.decide(Answer.of(500, null), 41, longAgo, true, HOURS, NOW);

    Outcome.DeadLetter dead = assertInstanceOf(Outcome.DeadLetter.class, outcome);
    assertTrue(dead.reason().contains("41 attempts"), dead.reason());
    assertTrue(dead.reason().contains("HTTP 500"), dead.reason());
  }

  @Test
  void retryAfterParsesSecondsAndDatesAndRejectsNoise() {
    assertEquals(Duration.ofSeconds(3), RetryDecider.retryAfter("3", NOW));
    assertEquals(Duration.ZERO, RetryDecider.retryAfter("-3", NOW));
    assertEquals(Duration.ZERO, RetryDecider.retryAfter("Wed, 26 Nov 2025 09:00:00 GMT", NOW));
    assertNull(RetryDecider.retryAfter("soon", NOW));
  }
}
