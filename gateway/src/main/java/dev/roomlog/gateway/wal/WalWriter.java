package dev.roomlog.gateway.wal;

import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one writer thread ({@code roomlog-wal-writer}): takes records from the {@link WalQueue} in
 * the order they were accepted and hands each to the {@link WalSender}. One thread and one
 * idempotent producer keep each connection's records in that order. A client action that waited in
 * the queue past the {@link WriteBudget#queue() queue budget} is failed unsent: it could no longer
 * be sent and acknowledged within {@code logWriteTimeout}. Lifecycle records are always sent. It
 * tells the {@link WriterPace} when it takes and writes each record, which is how the appender
 * knows, when an action comes, whether the writer will take it in time.
 *
 * <p>Lifecycle: {@link #start()} once; the thread ends by itself once the queue is closed and empty
 * ({@link #awaitEnd}).
 */
final class WalWriter {
  private static final Logger log = LoggerFactory.getLogger(WalWriter.class);

  private final WalQueue queue;
  private final WalSender sender;
  private final Settlements settlements;
  private final WriterPace pace;
  private final long queueBudgetNanos;
  private final Thread thread;

  /**
   * @param pace told when each record is taken and written, so that it knows the writer's pace
   */
  WalWriter(
      WalQueue queue,
      WalSender sender,
      Settlements settlements,
      WriteBudget budget,
      WriterPace pace) {
    this.queue = queue;
    this.sender = sender;
    this.settlements = settlements;
    this.pace = pace;
    this.queueBudgetNanos = budget.queue().toNanos();
    this.thread = new Thread(this::writeLoop, "roomlog-wal-writer");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /**
   * Waits until the thread has ended or {@code System.nanoTime()} reaches {@code deadlineNanos};
   * returns at once if it was never started.
   */
  void awaitEnd(long deadlineNanos) {
    if (!thread.isAlive()) {
      return;
    }
    try {
      thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void writeLoop() {
    while (true) {
      PendingRecord next = queue.poll();
      boolean waited = next == null;
      try {
        if (waited) {
          pace.idle();
          next = queue.take();
        }
        if (next == null) {
          return;
        }
      } catch (InterruptedException e) {
        // Nobody is meant to interrupt this thread; stopping would strand every later record.
        log.warn("the WAL writer was interrupted; it goes on until the appender is closed");
        continue;
      }
      try {
        pace.taken(waited);
        write(next);
      } catch (RuntimeException e) {
        // A bug, not Kafka being down (the sender handles that): tell this record's client and
        // keep writing the others rather than let every later client wait for nothing.
        log.error("the WAL writer failed unexpectedly on one record; it goes on", e);
        next.failed(e);
      } finally {
        endCycle();
      }
    }
  }

  /** Tells the pace the record is done; a failure here must not stop the writer either. */
  private void endCycle() {
    try {
      pace.written(sent);
    } catch (RuntimeException e) {
      log.error("the WAL writer could not time a record; it goes on", e);
    }
  }

  /** Whether the record it is on was sent, or failed unsent (which takes the writer no time). */
  private boolean sent;

  private void write(PendingRecord pending) {
    sent = false;
    long waited = settlements.waitedNanos(pending);
    if (pending.clientAction && waited > queueBudgetNanos) {
      pending.failed(
          new TimeoutException(
              "the action waited "
                  + TimeUnit.NANOSECONDS.toMillis(waited)
                  + " ms for the WAL writer and was not sent"));
      return;
    }
    sender.send(pending);
    sent = true;
  }
}
