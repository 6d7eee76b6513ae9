package dev.roomlog.gateway.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.roomlog.gateway.limits.MessageRateLimiter.Decision;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MessageRateLimiterTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  private final AtomicLong now = new AtomicLong();

  private TokenBucket bucket(int rate, int capacity) {
    return new TokenBucket(rate, capacity, now::get);
  }

  /** Own: 10/s burst 2; flood tolerance 3 at 10/s. */
  private MessageRateLimiter limit(TokenBucket key) {
    return new MessageRateLimiter(
        bucket(10, 2), MessageRateLimiter.SharedBucket.of(key), bucket(10, 3), "own", "key");
  }

  @Test
  void admitsTheBurstAndRefusesTheNextWithTheTimeUntilATokenRoundedUp() {
    MessageRateLimiter limit = limit(bucket(1_000, 1_000));
    assertSame(MessageRateLimiter.ADMIT, limit.onMessage());
    assertSame(MessageRateLimiter.ADMIT, limit.onMessage());

    Decision.Refuse refused = assertInstanceOf(Decision.Refuse.class, limit.onMessage());

    assertEquals("own", refused.message());
    assertEquals(100, refused.retryAfterMs());
    now.addAndGet(99 * MS + 1);
    assertEquals(1, assertInstanceOf(Decision.Refuse.class, limit.onMessage()).retryAfterMs());
    now.addAndGet(MS);
    assertSame(MessageRateLimiter.ADMIT, limit.onMessage());
  }

  /** A message that parses as a valid action: its own bucket, then (if admitted) its key's. */
  private static Decision validAction(MessageRateLimiter limit) {
    Decision own = limit.onMessage();
    return own == MessageRateLimiter.ADMIT ? limit.onAction() : own;
  }

  @Test
  void refusesWhenTheKeysSharedBucketIsEmptyWithTheKeysWait() {
    TokenBucket key = bucket(4, 1);
    MessageRateLimiter first = limit(key);
    MessageRateLimiter second = limit(key);
    assertSame(MessageRateLimiter.ADMIT, validAction(first));

    Decision.Refuse refused = assertInstanceOf(Decision.Refuse.class, validAction(second));

    assertEquals("key", refused.message());
    assertEquals(250, refused.retryAfterMs());
  }

  @Test
  void aConnectionPastItsOwnRateSpendsNoneOfItsKeysBudget() {
    TokenBucket key = bucket(1, 3);
    MessageRateLimiter limit = limit(key);
    for (int i = 0; i < 5; i++) {
      validAction(limit);
    }

    assertEquals(1, key.tokens(), "only the two admitted messages took key tokens");
  }

  @Test
  void aMessageThatIsNotAValidActionTakesOnlyItsOwnToken() {
    TokenBucket own = bucket(10, 2);
    TokenBucket key = bucket(1, 3);
    MessageRateLimiter limit =
        new MessageRateLimiter(
            own, MessageRateLimiter.SharedBucket.of(key), bucket(10, 3), "own", "key");

    assertSame(MessageRateLimiter.ADMIT, limit.onMessage());

    assertEquals(1, own.tokens());
    assertEquals(3, key.tokens(), "the key's bucket is asked only after parsing");
  }

  @Test
  void aRefusalDecidedElsewhereCountsTowardsTheFloodTolerance() {
    MessageRateLimiter limit = limit(bucket(1_000, 1_000));
    for (int i = 0; i < 3; i++) {
      Decision.Refuse refused = assertInstanceOf(Decision.Refuse.class, limit.refuse("debt", 70));
      assertEquals("debt", refused.message());
      assertEquals(70, refused.retryAfterMs());
    }

    assertSame(MessageRateLimiter.CLOSE, limit.refuse("debt", 70));
    assertSame(MessageRateLimiter.CLOSE, limit.onMessage());
  }

  @Test
  void closesAfterFloodToleranceRefusalsAndStaysClosed() {
    MessageRateLimiter limit = limit(bucket(1_000, 1_000));
    limit.onMessage();
    limit.onMessage();
    for (int i = 0; i < 3; i++) {
      assertInstanceOf(Decision.Refuse.class, limit.onMessage());
    }

    assertSame(MessageRateLimiter.CLOSE, limit.onMessage());
    now.addAndGet(TimeUnit.HOURS.toNanos(1));
    assertSame(MessageRateLimiter.CLOSE, limit.onMessage());
  }

  @Test
  void refusalsByTheKeysBucketCountTowardsThisConnectionsFloodTolerance() {
    MessageRateLimiter limit =
        new MessageRateLimiter(
            bucket(1_000, 1_000),
            MessageRateLimiter.SharedBucket.of(bucket(1, 1)),
            bucket(10, 3),
            "own",
            "key");
    validAction(limit);
    for (int i = 0; i < 3; i++) {
      assertEquals("key", assertInstanceOf(Decision.Refuse.class, validAction(limit)).message());
    }

    assertSame(MessageRateLimiter.CLOSE, validAction(limit));
  }

  @Test
  void aClientThatWaitsRetryAfterIsNeverClosed() {
    MessageRateLimiter limit = limit(bucket(1_000, 1_000));
    for (int i = 0; i < 1_000; i++) {
      Decision decision = limit.onMessage();
      if (decision instanceof Decision.Refuse refused) {
        now.addAndGet(refused.retryAfterMs() * MS);
      }
      assertNotSame(MessageRateLimiter.CLOSE, decision, "closed at message " + i);
    }
  }
}
