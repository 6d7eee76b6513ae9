package dev.roomlog.gateway.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.limits.ConnectionLimiter.Admitted;
import dev.roomlog.gateway.limits.ConnectionLimiter.Permit;
import dev.roomlog.gateway.limits.ConnectionLimiter.Reason;
import dev.roomlog.gateway.limits.ConnectionLimiter.Refused;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConnectionLimiterTest {
  private static Permit admit(ConnectionLimiter limiter, String ip) {
    return assertInstanceOf(Admitted.class, limiter.tryAcquire(ip)).permit();
  }

  private static Reason refuse(ConnectionLimiter limiter, String ip) {
    return assertInstanceOf(Refused.class, limiter.tryAcquire(ip)).reason();
  }

  @Test
  void admitsUpToMaxConnectionsAndRefusesTheNext() {
    ConnectionLimiter limiter = new ConnectionLimiter(3, 10);
    admit(limiter, "a");
    admit(limiter, "b");
    admit(limiter, "c");

    assertEquals(Reason.NODE_FULL, refuse(limiter, "d"));
    assertEquals(3, limiter.total());
  }

  @Test
  void admitsUpToMaxPerIpAndRefusesTheNextFromThatIpOnly() {
    ConnectionLimiter limiter = new ConnectionLimiter(10, 2);
    admit(limiter, "a");
    admit(limiter, "a");

    assertEquals(Reason.IP_FULL, refuse(limiter, "a"));
    admit(limiter, "b");
    assertEquals(2, limiter.count("a"));
    assertEquals(3, limiter.total());
  }

  @Test
  void releaseFreesTheSlotForTheNextConnection() {
    ConnectionLimiter limiter = new ConnectionLimiter(1, 1);
    Permit permit = admit(limiter, "a");
    refuse(limiter, "a");

    permit.release();

    admit(limiter, "a");
  }

  @Test
  void secondReleaseOfAPermitDoesNothing() {
    ConnectionLimiter limiter = new ConnectionLimiter(5, 5);
    Permit first = admit(limiter, "a");
    admit(limiter, "a");

    first.release();
    first.release();

    assertEquals(1, limiter.total());
    assertEquals(1, limiter.count("a"));
  }

  @Test
  void refusalsTakeNoSlot() {
    ConnectionLimiter limiter = new ConnectionLimiter(2, 1);
    admit(limiter, "a");
    for (int i = 0; i < 5; i++) {
      refuse(limiter, "a");
    }

    assertEquals(1, limiter.total());
    admit(limiter, "b");
  }

  @Test
  void anIpWithNoOpenConnectionsIsForgotten() {
    ConnectionLimiter limiter = new ConnectionLimiter(10, 10);
    Permit a = admit(limiter, "a");
    Permit b = admit(limiter, "b");

    a.release();
    b.release();

    assertEquals(0, limiter.trackedIps());
    assertEquals(0, limiter.total());
  }

  @Test
  void limitsBelowOneAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new ConnectionLimiter(0, 1));
    assertThrows(IllegalArgumentException.class, () -> new ConnectionLimiter(1, 0));
  }

  @Test
  void underContentionTheLimitIsNeverPassedAndEverySlotComesBack() throws Exception {
    int max = 8;
    int threads = 16;
    int rounds = 2_000;
    ConnectionLimiter limiter = new ConnectionLimiter(max, max);
    AtomicInteger open = new AtomicInteger();
    AtomicInteger mostOpen = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String ip = t % 2 == 0 ? "even" : "odd";
        done.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int i = 0; i < rounds; i++) {
                    if (limiter.tryAcquire(ip) instanceof Admitted admitted) {
                      mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
                      open.decrementAndGet();
                      admitted.permit().release();
                      admitted.permit().release();
                    }
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertTrue(mostOpen.get() <= max, "at most " + max + " at once, saw " + mostOpen.get());
    assertEquals(0, limiter.total());
    assertEquals(0, limiter.trackedIps());
  }
}
