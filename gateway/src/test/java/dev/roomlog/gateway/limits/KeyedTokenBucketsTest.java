package dev.roomlog.gateway.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class KeyedTokenBucketsTest {
  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong now = new AtomicLong(42 * SECOND);

  @Test
  void eachKeyHasItsOwnBucketAndIsToldHowLongToWait() {
    KeyedTokenBuckets buckets = new KeyedTokenBuckets(10, 2, 100, now::get);
    assertEquals(0, buckets.tryTake("alice"));
    assertEquals(0, buckets.tryTake("alice"));

    assertEquals(SECOND / 10, buckets.tryTake("alice"), "one past the burst");
    assertEquals(0, buckets.tryTake("bob"));
    now.addAndGet(SECOND / 10);
    assertEquals(0, buckets.tryTake("alice"));
  }

  @Test
  void atTheBoundTheLeastRecentlySeenKeyIsForgottenAndOnlyItStartsAgainFull() {
    KeyedTokenBuckets buckets = new KeyedTokenBuckets(1, 1, 2, now::get);
    buckets.tryTake("alice");
    buckets.tryTake("bob");
    assertEquals(SECOND, buckets.tryTake("alice"), "alice is now the most recently seen");

    assertEquals(0, buckets.tryTake("carol"), "a third key: bob, least recently seen, goes");

    assertEquals(2, buckets.tracked());
    assertEquals(SECOND, buckets.tryTake("alice"), "alice is still limited");
    assertEquals(0, buckets.tryTake("bob"), "bob starts again with a full bucket: looser for him");
  }

  @Test
  void aFloodOfDistinctKeysStaysWithinTheBoundAndCannotResetAnActiveKeysLimit() {
    KeyedTokenBuckets buckets = new KeyedTokenBuckets(1, 1, 1_000, now::get);
    assertEquals(0, buckets.tryTake("alice"));
    // All at the same instant: no bucket refills, so only the bound forgets keys.
    for (int i = 0; i < 50_000; i++) {
      buckets.tryTake("sub-" + i);
      assertTrue(buckets.tracked() <= 1_000, "tracked: " + buckets.tracked());
      if (i % 100 == 0) {
        assertEquals(SECOND, buckets.tryTake("alice"), "alice, active, is never forgotten");
      }
    }
    assertEquals(1_000, buckets.tracked());
  }

  @Test
  void aKeyWhoseBucketHasFilledAgainIsForgotten() {
    KeyedTokenBuckets buckets = new KeyedTokenBuckets(10, 20, 1_000_000, now::get);
    for (int i = 0; i < 500; i++) {
      buckets.tryTake("idle-" + i);
    }
    now.addAndGet(2 * SECOND);
    for (int i = 0; i < 500; i++) {
      buckets.tryTake("new-" + i);
      now.addAndGet(SECOND / 1000);
    }

    assertTrue(buckets.tracked() < 520, "tracked: " + buckets.tracked());
  }
}
