package dev.roomlog.integrations;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter: after attempt n, {@code base * 2^(n-1)}, at most {@code max},
 * then a random point in its upper half ("equal jitter"), so that many rooms failing together
 * against one endpoint do not call it again in lockstep, and no wait is shorter than half the
 * schedule. The randomness is injected so tests can pin it.
 */
final class Backoff {
  private final Duration base;
  private final Duration max;
  private final DoubleSupplier random;

  Backoff(Duration base, Duration max, DoubleSupplier random) {
    if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
      throw new IllegalArgumentException(
          "backoff needs 0 < base <= max, was base " + base + ", max " + max);
    }
    this.base = base;
    this.max = max;
    this.random = random;
  }

  /** The wait after {@code attempts} failed calls (at least 1). */
  Duration after(int attempts) {
    long ceiling = max.toMillis();
    long delay = base.toMillis();
    for (int i = 1; i < attempts && delay < ceiling; i++) {
      delay *= 2;
    }
    delay = Math.min(delay, ceiling);
    double r = random.getAsDouble();
    return Duration.ofMillis(delay / 2 + (long) (r * (delay - delay / 2)));
  }

  Duration max() {
    return max;
  }
}
