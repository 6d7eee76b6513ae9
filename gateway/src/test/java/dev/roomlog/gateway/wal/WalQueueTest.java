package dev.roomlog.gateway.wal;

import static dev.roomlog.gateway.wal.WalFixtures.action;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.wal.WalFixtures.Outcome;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The hand-off to the writer: never full, closed once, and what a closed queue still gives. */
class WalQueueTest {
  private final Settlements settlements = new Settlements(1, () -> 0L, (k, a, n) -> {});
  private final WalQueue queue = new WalQueue();

  @Test
  void refusesAfterCloseWithoutMakingTheRecord() {
    AtomicInteger made = new AtomicInteger();
    assertTrue(queue.close());

    boolean accepted =
        queue.offer(
            () -> {
              made.incrementAndGet();
              return settlements.accept(action("c1", "a"), new Outcome());
            });

    assertFalse(accepted);
    assertEquals(0, made.get());
    assertTrue(queue.isClosed());
    assertFalse(queue.close(), "closed once");
  }

  @Test
  void aClosedQueueStillGivesWhatWasQueuedThenNull() throws InterruptedException {
    PendingRecord first = settlements.accept(action("c1", "a"), new Outcome());
    PendingRecord second = settlements.accept(action("c1", "b"), new Outcome());
    assertTrue(queue.offer(() -> first));
    assertTrue(queue.offer(() -> second));
    queue.close();

    assertSame(first, queue.take());
    assertEquals(List.of(second), queue.drain());
    assertNull(queue.take(), "closed and empty: the writer may stop");
    assertEquals(0, queue.size());
  }
}
