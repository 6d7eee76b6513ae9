package dev.roomlog.server;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waiting, with a deadline, for a part to report that it is ready. */
final class Readiness {
  private Readiness() {}

  static void await(String what, BooleanSupplier ready, Duration atMost) {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (!ready.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            what + " was not ready within " + atMost.toSeconds() + " s");
      }
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
  }
}
