package dev.roomlog.delivery;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The delivery consumer's "stop now": raised once by {@link DeliveryConsumer#close()}, read by the
 * consumer thread between steps, and waited on instead of sleeping so that a back-off ends as soon
 * as the consumer closes. No Kafka, no clock.
 *
 * <p>Thread-safe: raised from any thread, read and awaited on the consumer's.
 */
final class StopSignal {
  private final CountDownLatch raised = new CountDownLatch(1);

  StopSignal() {}

  /** Idempotent. */
  void raise() {
    raised.countDown();
  }

  boolean isRaised() {
    return raised.getCount() == 0;
  }

  /**
   * Waits up to {@code timeout}, returning early once the signal is raised. An interrupt raises it:
   * whoever interrupts the consumer thread wants it to stop.
   */
  void await(Duration timeout) {
    try {
      raised.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      raised.countDown();
    }
  }
}
