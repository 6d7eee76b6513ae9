package dev.roomlog.gateway.wal;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deadline thread ({@code roomlog-wal-deadlines}): every {@link WriteBudget#sweep()} it fails
 * each client action unsettled for {@link WriteBudget#overdueAfter()} or more, wherever it is
 * (queued, blocked in send, or sent), so that a client gets its answer or a 503 within {@code
 * logWriteTimeout} even while the writer is stuck behind blocked sends.
 *
 * <p>Lifecycle: {@link #start()} once, {@link #close()} once (after the producer is closed, so that
 * actions still with it keep their deadline while close waits for them).
 */
final class DeadlineSweep implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DeadlineSweep.class);

  private final Settlements settlements;
  private final long overdueAfterNanos;
  private final long intervalNanos;
  private ScheduledExecutorService thread;

  DeadlineSweep(Settlements settlements, WriteBudget budget) {
    this.settlements = settlements;
    this.overdueAfterNanos = budget.overdueAfter().toNanos();
    this.intervalNanos = budget.sweep().toNanos();
  }

  synchronized void start() {
    thread =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread t = new Thread(task, "roomlog-wal-deadlines");
              t.setDaemon(true);
              return t;
            });
    thread.scheduleAtFixedRate(this::sweep, intervalNanos, intervalNanos, TimeUnit.NANOSECONDS);
  }

  /**
   * Fails every client action unsettled for {@code W - sweep} or more. Runs every {@code sweep} on
   * the deadline thread; package-private so that tests can run it at a time of their choosing.
   */
  void failOverdueActions() {
    settlements.forEachOverdueAction(
        overdueAfterNanos,
        (pending, waited) ->
            pending.failed(
                new TimeoutException(
                    "the log did not acknowledge the action within "
                        + TimeUnit.NANOSECONDS.toMillis(waited)
                        + " ms")));
  }

  private void sweep() {
    // An exception escaping a scheduled task would silently cancel every later sweep.
    try {
      failOverdueActions();
    } catch (RuntimeException e) {
      log.error("the WAL deadline sweep failed; it runs again", e);
    }
  }

  @Override
  public synchronized void close() {
    if (thread != null) {
      thread.shutdownNow();
    }
  }
}
