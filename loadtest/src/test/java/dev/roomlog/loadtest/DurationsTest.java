package dev.roomlog.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void readsTheUnitsTheFlagsUse() {
    assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
    assertEquals(Duration.ofSeconds(10), Durations.parse("10s"));
    assertEquals(Duration.ofMillis(1500), Durations.parse("1.5s"));
    assertEquals(Duration.ofMinutes(2), Durations.parse("2m"));
    assertEquals(Duration.ofHours(1), Durations.parse("1H"));
  }

  @Test
  void refusesANumberWithoutAUnitAndSaysHowToWriteOne() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("10"));
    assertEquals(
        "'10' is not a duration; write a number and a unit: 500ms, 10s, 2m, 1h", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("s"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("1.2.3s"));
  }

  @Test
  void writesTheShortestForm() {
    assertEquals("10s", Durations.format(Duration.ofSeconds(10)));
    assertEquals("1500ms", Durations.format(Duration.ofMillis(1500)));
  }
}
