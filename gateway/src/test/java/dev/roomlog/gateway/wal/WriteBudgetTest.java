package dev.roomlog.gateway.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.settings.GatewaySettings;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The split of logWriteTimeout (W), as plain arithmetic. */
class WriteBudgetTest {

  @Test
  void queueMaxBlockAndDeliveryAddUpToTheLogWriteTimeout() {
    WriteBudget budget = WriteBudget.of(Duration.ofSeconds(15));
    assertEquals(
        Duration.ofSeconds(15), budget.queue().plus(budget.maxBlock()).plus(budget.delivery()));

    for (Duration w : List.of(Duration.ofMillis(1_000), Duration.ofMillis(1_003))) {
      WriteBudget b = WriteBudget.of(w);
      assertEquals(w, b.queue().plus(b.maxBlock()).plus(b.delivery()), w.toString());
    }
  }

  @Test
  void deliveryIsHalfMaxBlockAQuarterAndTheQueueTakesWhatRoundingLeaves() {
    WriteBudget budget = WriteBudget.of(Duration.ofMillis(1_003));

    assertEquals(Duration.ofMillis(501), budget.delivery());
    assertEquals(Duration.ofMillis(250), budget.maxBlock());
    assertEquals(Duration.ofMillis(252), budget.queue());
  }

  @Test
  void requestTimeoutIsDeliveryLessLingerAndAtMostKafkasDefault30Seconds() {
    assertEquals(
        Duration.ofMillis(7_500 - WriteBudget.LINGER_MS),
        WriteBudget.of(Duration.ofSeconds(15)).request());
    assertEquals(
        Duration.ofMillis(500 - WriteBudget.LINGER_MS),
        WriteBudget.of(Duration.ofSeconds(1)).request());

    WriteBudget hour = WriteBudget.of(Duration.ofHours(1));
    assertEquals(Duration.ofMinutes(30), hour.delivery());
    assertEquals(Duration.ofSeconds(30), hour.request());
  }

  @Test
  void theDeadlineLeavesTheSweepIntervalToSpareWithinTheLogWriteTimeout() {
    WriteBudget budget = WriteBudget.of(Duration.ofSeconds(15));

    assertEquals(Duration.ofMillis(1_500), budget.sweep());
    assertEquals(Duration.ofMillis(13_500), budget.overdueAfter());
  }

  @Test
  void admissionWaitsAtMostHalfTheQueueBudgetWhateverMaxLogQueueWaitSays() {
    WriteBudget budget = WriteBudget.of(Duration.ofSeconds(15));

    assertEquals(Duration.ofSeconds(1), budget.admissionLimit(Duration.ofSeconds(1)));
    assertEquals(Duration.ofMillis(1_875), budget.admissionLimit(Duration.ofMillis(1_875)));
    assertEquals(
        Duration.ofMillis(1_875),
        budget.admissionLimit(Duration.ofMillis(1_876)),
        "half the queue budget: room for the estimate's error before the writer fails it unsent");
  }

  @Test
  void logWriteTimeoutUnderOneSecondIsRefusedWithTheSettingsName() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> WriteBudget.of(Duration.ofMillis(999)));

    assertTrue(e.getMessage().contains(GatewaySettings.LOG_WRITE_TIMEOUT), e.getMessage());
  }
}
