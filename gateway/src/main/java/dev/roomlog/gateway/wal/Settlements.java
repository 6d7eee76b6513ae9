package dev.roomlog.gateway.wal;

import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.RequestContext.EventType;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.ObjLongConsumer;

/**
 * The records accepted and not yet settled, and what is decided from them: whether a new
 * connection's {@code $connect} can still be taken ({@link #acceptingConnections()}), and which
 * client actions are past their deadline ({@link #forEachOverdueAction}). Each {@link
 * PendingRecord} it accepts is settled once, and its time from append to settlement goes to the
 * {@link SettleTimer}.
 *
 * <p>Plain Java over an injected monotonic time ({@code nanoTime}, moved by hand in tests); safe
 * for any thread.
 */
final class Settlements {

  /** Told each record's time from append to settlement (the gateway's metrics). */
  @FunctionalInterface
  interface SettleTimer {
    void settled(EventType kind, boolean acknowledged, long nanos);
  }

  private final int maxPendingLifecycleRecords;
  private final LongSupplier nanoTime;
  private final SettleTimer timer;

  /** Client actions accepted and not yet settled: what the deadline sweep looks at. */
  private final Set<PendingRecord> unsettledActions = ConcurrentHashMap.newKeySet();

  /** {@code $connect}/{@code $disconnect} records accepted and not yet settled. */
  private final AtomicInteger unsettledLifecycle = new AtomicInteger();

  /**
   * @param maxPendingLifecycleRecords unsettled lifecycle records at which {@link
   *     #acceptingConnections()} turns false
   * @param nanoTime when a record was accepted and settled (tests move it by hand)
   */
  Settlements(int maxPendingLifecycleRecords, LongSupplier nanoTime, SettleTimer timer) {
    if (maxPendingLifecycleRecords < 1) {
      throw new IllegalArgumentException(
          "maxPendingLifecycleRecords must be at least 1, was " + maxPendingLifecycleRecords);
    }
    this.maxPendingLifecycleRecords = maxPendingLifecycleRecords;
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.timer = Objects.requireNonNull(timer, "timer");
  }

  /** One {@code $connect} and one {@code $disconnect} for each of {@code maxConnections}. */
  static int lifecycleBound(int maxConnections) {
    return (int) Math.min(Integer.MAX_VALUE, 2L * maxConnections);
  }

  /**
   * Counts a record as accepted now. Counted before the caller queues it, so that it cannot be
   * settled before it is counted.
   */
  PendingRecord accept(WalRecord record, WalAppender.Callback callback) {
    PendingRecord pending = new PendingRecord(record, callback, nanoTime.getAsLong(), this);
    if (pending.clientAction) {
      unsettledActions.add(pending);
    } else {
      unsettledLifecycle.incrementAndGet();
    }
    return pending;
  }

  /** Called once per record, by the record itself, when it is settled. */
  void settled(PendingRecord pending, boolean acknowledged) {
    if (pending.clientAction) {
      unsettledActions.remove(pending);
    } else {
      unsettledLifecycle.decrementAndGet();
    }
    timer.settled(pending.record.requestContext().eventType(), acknowledged, waitedNanos(pending));
  }

  /** How long, in nanoseconds, the record has waited since it was accepted. */
  long waitedNanos(PendingRecord pending) {
    return nanoTime.getAsLong() - pending.acceptedAt;
  }

  /**
   * False while {@code maxPendingLifecycleRecords} or more {@code $connect}/{@code $disconnect}
   * records are unsettled: Kafka is not keeping up with them, and a new connection's {@code
   * $connect} would only queue up behind them.
   */
  boolean acceptingConnections() {
    return unsettledLifecycle.get() < maxPendingLifecycleRecords;
  }

  /** {@code $connect}/{@code $disconnect} records accepted and not yet settled. */
  int pendingLifecycleRecords() {
    return unsettledLifecycle.get();
  }

  /**
   * Calls {@code overdue} with each client action unsettled for {@code overdueAfterNanos} or more,
   * and how long it has waited. Lifecycle records have no deadline.
   */
  void forEachOverdueAction(long overdueAfterNanos, ObjLongConsumer<PendingRecord> overdue) {
    long now = nanoTime.getAsLong();
    for (PendingRecord pending : unsettledActions) {
      long waited = now - pending.acceptedAt;
      if (waited >= overdueAfterNanos) {
        overdue.accept(pending, waited);
      }
    }
  }
}
