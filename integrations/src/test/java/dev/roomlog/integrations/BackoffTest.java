package dev.roomlog.integrations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private static final Duration BASE = Duration.ofMillis(500);
  private static final Duration MAX = Duration.ofSeconds(10);

  @Test
  void doublesFromTheBaseUpToTheMaximumAtTheTopOfTheJitter() {
    Backoff backoff = new Backoff(BASE, MAX, () -> 1.0);

    assertEquals(Duration.ofMillis(500), backoff.after(1));
    assertEquals(Duration.ofMillis(1000), backoff.after(2));
    assertEquals(Duration.ofMillis(2000), backoff.after(3));
    assertEquals(Duration.ofMillis(8000), backoff.after(5));
    assertEquals(Duration.ofSeconds(10), backoff.after(6));
    assertEquals(Duration.ofSeconds(10), backoff.after(1_000));
  }

  @Test
  void jitterKeepsEveryWaitInTheUpperHalfOfTheSchedule() {
    assertEquals(Duration.ofMillis(1000), new Backoff(BASE, MAX, () -> 0.0).after(3));
    assertEquals(Duration.ofMillis(1500), new Backoff(BASE, MAX, () -> 0.5).after(3));
  }

  @Test
  void refusesAMaximumBelowTheBase() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), () -> 0.0));
  }
}
