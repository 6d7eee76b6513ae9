package dev.roomlog.gateway.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  /** Starts at an arbitrary origin, as System.nanoTime may. */
  private final AtomicLong now = new AtomicLong(-5_000 * MS);

  private TokenBucket bucket(int ratePerSecond, int capacity) {
    return new TokenBucket(ratePerSecond, capacity, now::get);
  }

  @Test
  void startsFullAndRefusesTheTokenPastItsCapacity() {
    TokenBucket bucket = bucket(10, 3);

    assertTrue(bucket.tryTake());
    assertTrue(bucket.tryTake());
    assertTrue(bucket.tryTake());
    assertFalse(bucket.tryTake());
    assertEquals(0, bucket.tokens(), "a refusal takes nothing");
  }

  @Test
  void saysExactlyHowLongUntilTheNextToken() {
    TokenBucket bucket = bucket(10, 1);
    bucket.tryTake();
    assertEquals(100 * MS, bucket.nanosUntilToken());

    now.addAndGet(30 * MS);
    assertEquals(70 * MS, bucket.nanosUntilToken());
    assertFalse(bucket.tryTake());

    now.addAndGet(70 * MS - 1);
    assertFalse(bucket.tryTake(), "one nanosecond early");
    now.addAndGet(1);
    assertEquals(0, bucket.nanosUntilToken());
    assertTrue(bucket.tryTake(), "exactly one interval later");
    assertFalse(bucket.tryTake());
  }

  @Test
  void earnsOneTokenPerIntervalAndKeepsThePartialOne() {
    TokenBucket bucket = bucket(4, 10);
    for (int i = 0; i < 10; i++) {
      bucket.tryTake();
    }

    now.addAndGet(625 * MS); // 2.5 intervals of 250 ms

    assertEquals(2, bucket.tokens());
    bucket.tryTake();
    bucket.tryTake();
    assertEquals(125 * MS, bucket.nanosUntilToken(), "the half-earned third token is kept");
  }

  @Test
  void neverHoldsMoreThanItsCapacityAfterALongIdle() {
    TokenBucket bucket = bucket(10, 3);
    bucket.tryTake();

    now.addAndGet(TimeUnit.HOURS.toNanos(1));

    assertEquals(3, bucket.tokens());
    bucket.tryTake();
    bucket.tryTake();
    bucket.tryTake();
    assertFalse(bucket.tryTake());
    assertEquals(100 * MS, bucket.nanosUntilToken(), "a full bucket banked no partial token");
  }

  @Test
  void aClockSteppingBackwardsDoesNotStallTheBucket() {
    TokenBucket bucket = bucket(10, 1);
    bucket.tryTake();

    now.addAndGet(-TimeUnit.HOURS.toNanos(1));
    assertFalse(bucket.tryTake());
    now.addAndGet(100 * MS);

    assertTrue(bucket.tryTake(), "one interval after the step, not an hour");
  }

  @Test
  void refusesNonsenseRatesAndCapacities() {
    assertThrows(IllegalArgumentException.class, () -> bucket(0, 1));
    assertThrows(IllegalArgumentException.class, () -> bucket(1, 0));
  }
}
