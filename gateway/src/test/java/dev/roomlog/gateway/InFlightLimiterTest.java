package dev.roomlog.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InFlightLimiterTest {

  @Test
  void refusesTheActionPastTheConnectionsBoundUntilOneIsReleased() {
    InFlightLimiter limiter = new InFlightLimiter(100, 2);
    InFlightLimiter.ConnectionPermits connection = limiter.newConnection();

    InFlightLimiter.Permit first = connection.tryAcquire();
    assertNotNull(first);
    assertNotNull(connection.tryAcquire());
    assertNull(connection.tryAcquire());
    assertEquals(2, connection.inFlight());

    first.release();

    assertNotNull(connection.tryAcquire());
    assertNull(connection.tryAcquire());
  }

  @Test
  void refusesTheActionPastTheNodesBoundAcrossConnections() {
    InFlightLimiter limiter = new InFlightLimiter(3, 2);
    InFlightLimiter.ConnectionPermits a = limiter.newConnection();
    InFlightLimiter.ConnectionPermits b = limiter.newConnection();
    InFlightLimiter.Permit a1 = a.tryAcquire();
    a.tryAcquire();
    assertNotNull(b.tryAcquire());

    assertNull(b.tryAcquire(), "b is under its own bound, the node is at its bound");
    assertEquals(1, b.inFlight(), "the refused attempt left nothing behind");
    assertEquals(3, limiter.inFlight());

    a1.release();

    assertNotNull(b.tryAcquire());
    assertEquals(3, limiter.inFlight());
  }

  @Test
  void releasingAPermitTwiceFreesItsPlaceOnce() {
    InFlightLimiter limiter = new InFlightLimiter(10, 10);
    InFlightLimiter.ConnectionPermits connection = limiter.newConnection();
    InFlightLimiter.Permit permit = connection.tryAcquire();
    connection.tryAcquire();

    permit.release();
    permit.release();

    assertEquals(1, connection.inFlight());
    assertEquals(1, limiter.inFlight());
  }

  @Test
  void neverPassesItsBoundsUnderConcurrentAcquireAndRelease() throws Exception {
    InFlightLimiter limiter = new InFlightLimiter(50, 20);
    AtomicInteger maxSeen = new AtomicInteger();
    AtomicInteger connectionOverBound = new AtomicInteger();
    int threads = 8;
    CountDownLatch done = new CountDownLatch(threads);
    for (int t = 0; t < threads; t++) {
      InFlightLimiter.ConnectionPermits connection = limiter.newConnection();
      new Thread(
              () -> {
                List<InFlightLimiter.Permit> held = new ArrayList<>();
                for (int i = 0; i < 20_000; i++) {
                  InFlightLimiter.Permit p = connection.tryAcquire();
                  if (p != null) {
                    held.add(p);
                  }
                  maxSeen.accumulateAndGet(limiter.inFlight(), Math::max);
                  if (connection.inFlight() > 20) {
                    connectionOverBound.incrementAndGet();
                  }
                  if (held.size() > 10 || (p == null && !held.isEmpty())) {
                    held.remove(0).release();
                  }
                }
                held.forEach(InFlightLimiter.Permit::release);
                done.countDown();
              })
          .start();
    }

    assertTrue(done.await(30, TimeUnit.SECONDS));
    assertTrue(maxSeen.get() <= 50, "peak " + maxSeen.get());
    assertEquals(0, connectionOverBound.get());
    assertEquals(0, limiter.inFlight(), "every permit came back");
  }

  @Test
  void refusesBoundsBelowOne() {
    assertThrows(IllegalArgumentException.class, () -> new InFlightLimiter(0, 1));
    assertThrows(IllegalArgumentException.class, () -> new InFlightLimiter(1, 0));
  }
}
