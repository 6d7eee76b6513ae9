package dev.roomlog.gateway.wal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The hand-off from the threads that append (Netty event loops) to the one writer thread. It never
 * refuses a record for lack of room, so a {@code $disconnect} is never dropped (what waits here is
 * bounded before it gets here); it refuses every record once closed.
 *
 * <p>Offers hold the read side of {@code closing} while they check {@code closed} and enqueue;
 * {@link #close()} takes the write side to set it. So once {@code closed} is true no offer is still
 * half-way, and the queue holds every record that will ever be accepted: a writer that finds it
 * closed and empty may stop. Safe for any thread; {@link #take()} is for the one writer.
 */
final class WalQueue {
  private static final long IDLE_POLL_MILLIS = 100;

  private final BlockingQueue<PendingRecord> queue = new LinkedBlockingQueue<>();
  private final ReadWriteLock closing = new ReentrantReadWriteLock();
  private volatile boolean closed;

  /**
   * Queues the record {@code accept} makes, unless closed. {@code accept} runs inside the closed
   * check, so a record it counts is always queued; it is not called once closed.
   *
   * @return false, without calling {@code accept}, once closed
   */
  boolean offer(Supplier<PendingRecord> accept) {
    closing.readLock().lock();
    try {
      if (closed) {
        return false;
      }
      return queue.add(accept.get());
    } finally {
      closing.readLock().unlock();
    }
  }

  /**
   * Refuses every later offer, once any offer half-way is queued.
   *
   * @return true for the call that closed it, false if it was already closed
   */
  boolean close() {
    closing.writeLock().lock();
    try {
      if (closed) {
        return false;
      }
      closed = true;
      return true;
    } finally {
      closing.writeLock().unlock();
    }
  }

  boolean isClosed() {
    return closed;
  }

  /**
   * The next record, waiting for one as long as the queue is open.
   *
   * @return null once the queue is closed and empty: no record will ever come
   */
  PendingRecord take() throws InterruptedException {
    while (true) {
      PendingRecord next = queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
      if (next != null) {
        return next;
      }
      if (closed) {
        // closed is set only once no offer is half-way, so an empty queue now stays empty.
        return queue.poll();
      }
    }
  }

  /** The next record if one is queued now, else null at once; for the one writer. */
  PendingRecord poll() {
    return queue.poll();
  }

  /** Takes every record still queued; each record goes to one taker only. */
  List<PendingRecord> drain() {
    List<PendingRecord> left = new ArrayList<>();
    queue.drainTo(left);
    return left;
  }

  /** Records queued and not yet taken. */
  int size() {
    return queue.size();
  }
}
