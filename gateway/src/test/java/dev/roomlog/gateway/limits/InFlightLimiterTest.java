package dev.roomlog.gateway.limits;

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

  /**
   * Threads share connections and each grabs permits until it is refused, so that together they ask
   * for far more than either bound: 3 connections x 4 threads x up to 15 permits, against 20 per
   * connection and 50 on the node. The test counts the permits it holds itself (up after a grant,
   * down before a release), so its counts never exceed what the limiter has handed out: a count
   * past a bound means the limiter granted more than the bound.
   */
  @Test
  void neverPassesItsBoundsUnderConcurrentAcquireAndRelease() throws Exception {
    int perConnection = 20;
    int node = 50;
    InFlightLimiter limiter = new InFlightLimiter(node, perConnection);
    int connections = 3;
    int threadsPerConnection = 4;
    int greed = 15;
    AtomicInteger heldOnNode = new AtomicInteger();
    AtomicInteger peakOnNode = new AtomicInteger();
    AtomicInteger peakOnAConnection = new AtomicInteger();
    AtomicInteger refusals = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(connections * threadsPerConnection);
    for (int c = 0; c < connections; c++) {
      InFlightLimiter.ConnectionPermits connection = limiter.newConnection();
      AtomicInteger heldOnConnection = new AtomicInteger();
      for (int t = 0; t < threadsPerConnection; t++) {
        new Thread(
                () -> {
                  List<InFlightLimiter.Permit> held = new ArrayList<>();
                  try {
                    start.await();
                    for (int round = 0; round < 2_000; round++) {
                      while (held.size() < greed) {
                        InFlightLimiter.Permit p = connection.tryAcquire();
                        if (p == null) {
                          refusals.incrementAndGet();
                          break;
                        }
                        held.add(p);
                        peakOnAConnection.accumulateAndGet(
                            heldOnConnection.incrementAndGet(), Math::max);
                        peakOnNode.accumulateAndGet(heldOnNode.incrementAndGet(), Math::max);
                      }
                      for (InFlightLimiter.Permit p : held) {
                        heldOnConnection.decrementAndGet();
                        heldOnNode.decrementAndGet();
                        p.release();
                      }
                      held.clear();
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  } finally {
                    done.countDown();
                  }
                })
            .start();
      }
    }

    start.countDown();

    assertTrue(done.await(30, TimeUnit.SECONDS));
    assertTrue(refusals.get() > 0, "the threads asked for more than the bounds allow");
    assertTrue(
        peakOnAConnection.get() <= perConnection,
        "a connection held " + peakOnAConnection.get() + " permits at once");
    assertTrue(peakOnNode.get() <= node, "the node held " + peakOnNode.get() + " permits at once");
    assertEquals(0, limiter.inFlight(), "every permit came back");
  }

  @Test
  void threadsSharingOneConnectionGetExactlyItsBoundBetweenThem() throws Exception {
    int perConnection = 20;
    InFlightLimiter limiter = new InFlightLimiter(1_000, perConnection);
    InFlightLimiter.ConnectionPermits connection = limiter.newConnection();
    int threads = 8;
    AtomicInteger granted = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(threads);
    for (int t = 0; t < threads; t++) {
      new Thread(
              () -> {
                try {
                  start.await();
                  // Each asks for the whole bound and keeps what it gets.
                  for (int i = 0; i < perConnection; i++) {
                    if (connection.tryAcquire() != null) {
                      granted.incrementAndGet();
                    }
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } finally {
                  done.countDown();
                }
              })
          .start();
    }

    start.countDown();

    assertTrue(done.await(30, TimeUnit.SECONDS));
    assertEquals(perConnection, granted.get(), "160 asked, exactly the bound granted");
    assertEquals(perConnection, connection.inFlight());
    assertEquals(perConnection, limiter.inFlight());
  }

  @Test
  void refusesBoundsBelowOne() {
    assertThrows(IllegalArgumentException.class, () -> new InFlightLimiter(0, 1));
    assertThrows(IllegalArgumentException.class, () -> new InFlightLimiter(1, 0));
  }
}
