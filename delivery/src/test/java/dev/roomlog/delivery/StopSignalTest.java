package dev.roomlog.delivery;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The stop signal that cuts the consumer's back-offs short. */
class StopSignalTest {
  private final StopSignal stop = new StopSignal();

  @Test
  void awaitReturnsAtOnceOnceRaised() {
    assertFalse(stop.isRaised());

    stop.raise();

    assertTrue(stop.isRaised());
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> stop.await(Duration.ofHours(1)));
  }

  @Test
  void anInterruptWhileWaitingRaisesItAndKeepsTheInterruptFlag() {
    Thread.currentThread().interrupt();
    try {
      stop.await(Duration.ofHours(1));

      assertTrue(stop.isRaised());
      assertTrue(Thread.currentThread().isInterrupted());
    } finally {
      Thread.interrupted();
    }
  }
}
