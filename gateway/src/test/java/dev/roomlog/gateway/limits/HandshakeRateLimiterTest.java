package dev.roomlog.gateway.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HandshakeRateLimiterTest {
  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong now = new AtomicLong(123 * SECOND);

  @Test
  void anAddressMayStartItsBurstAtOnceThenOnePerIntervalAndIsToldHowLongToWait() {
    HandshakeRateLimiter limiter = new HandshakeRateLimiter(10, 20, 100, now::get);
    for (int i = 0; i < 20; i++) {
      assertEquals(0, limiter.tryStart("192.0.2.1"), "handshake " + i + " of the burst");
    }

    assertEquals(
        SECOND / 10, limiter.tryStart("192.0.2.1"), "past the burst: one interval to wait");
    assertEquals(0, limiter.tryStart("192.0.2.2"), "another address has its own bucket");
    now.addAndGet(SECOND / 10 - 1);
    assertEquals(1, limiter.tryStart("192.0.2.1"));
    now.addAndGet(1);
    assertEquals(0, limiter.tryStart("192.0.2.1"));
    assertEquals(SECOND / 10, limiter.tryStart("192.0.2.1"));
  }

  @Test
  void aSprayOfAddressesNeverHoldsMoreThanTheCap() {
    HandshakeRateLimiter limiter = new HandshakeRateLimiter(10, 20, 1_000, now::get);
    // All at the same instant: none has refilled, so only the cap forgets them.
    for (int i = 0; i < 50_000; i++) {
      limiter.tryStart("10." + (i >> 16) + "." + ((i >> 8) & 0xFF) + "." + (i & 0xFF));
      assertTrue(limiter.trackedAddresses() <= 1_000);
    }
    assertEquals(1_000, limiter.trackedAddresses());
  }

  @Test
  void anAddressWhoseBucketHasFilledAgainIsForgottenSoIdleOnesDoNotPileUp() {
    HandshakeRateLimiter limiter = new HandshakeRateLimiter(10, 20, 1_000_000, now::get);
    for (int i = 0; i < 500; i++) {
      limiter.tryStart("198.51.100." + (i % 250) + "-" + i);
    }
    assertEquals(500, limiter.trackedAddresses());

    // 2 s later every bucket is full again (20 tokens at 10/s): each new handshake forgets up to
    // two of the idle addresses, so a steady trickle of new ones keeps the map small.
    now.addAndGet(2 * SECOND);
    for (int i = 0; i < 500; i++) {
      limiter.tryStart("203.0.113." + i);
      now.addAndGet(SECOND / 1000);
    }

    assertTrue(limiter.trackedAddresses() < 520, "tracked: " + limiter.trackedAddresses());
  }

  @Test
  void anAddressStillRefillingIsKeptAndStillLimited() {
    HandshakeRateLimiter limiter = new HandshakeRateLimiter(1, 1, 1_000, now::get);
    assertEquals(0, limiter.tryStart("192.0.2.1"));
    now.addAndGet(SECOND / 2);
    // Other addresses come and go; the half-refilled one must not be forgotten.
    for (int i = 0; i < 100; i++) {
      limiter.tryStart("203.0.113." + i);
    }

    assertEquals(SECOND / 2, limiter.tryStart("192.0.2.1"));
  }
}
