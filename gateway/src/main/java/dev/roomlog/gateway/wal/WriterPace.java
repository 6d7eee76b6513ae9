package dev.roomlog.gateway.wal;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Admission by time: whether the one writer thread ({@link WalWriter}) can still take a client
 * action appended now within {@code maxWait}, so that the gateway refuses it at once (503 {@code
 * overloaded}) instead of queueing it, letting the client wait seconds, and then failing it unsent
 * as {@code logUnavailable} when it outstays the {@link WriteBudget#queue() queue budget}.
 *
 * <p>The estimate is the records queued ahead of the new one times the writer's recent time per
 * record, plus how long the record it is writing now has taken so far. Why not the age of the
 * oldest queued record (CoDel's sojourn time)? Because under a burst it lags behind the wait it is
 * meant to predict: records offered at rate {@code a} to a writer that drains {@code d < a} make
 * the record at the head {@code t(1 - d/a)} old after {@code t} seconds, while a record offered
 * then waits {@code t(a/d - 1)}. In the measured huge-room setup (joins offered at 20,000/s, a
 * writer at about 5,500/s) that is 0.73 t against 2.6 t: by the time the head's age said "too
 * late", the queue already held actions that would wait 3.6 times as long, and the writer would
 * fail them all. The queue's length divided by the drain rate is the new record's own wait, from
 * the first record of the burst. The time of the record being written covers a writer stuck in a
 * send (a full producer buffer blocks for max.block.ms): no time per record is measured while it is
 * stuck, but that send's own age grows, and once it passes {@code maxWait} actions are refused.
 *
 * <p>The time per record is the mean of the writer's last {@value #WINDOW} cycles: from taking a
 * record to having handed it to the producer, and, when the next record was already queued, from
 * the end of the previous one. So a writer thread that waits for a core between two records (the
 * machine is busy) is seen as the slower writer it is, while one that waited for records to come
 * (idle) is not. The writer's first {@value #SKIPPED} records are left out (class loading and the
 * producer's first batch make them hundreds of times slower than the rest: a mean that held one
 * would refuse the first burst of a young gateway); from the next one the mean is over the cycles
 * there are, so that a burst that comes to a new gateway (the bench's huge room) is judged after a
 * few records, not a full window. A long stall counts while it lasts instead, through the stall
 * term: the time since the writer last finished a record while it had work (stuck in a send, or
 * waiting for a core between records); zero while it waits for records. Lifecycle records are in
 * the queue and in the mean like any record (a {@code $disconnect} is one send per partition): they
 * are never refused, but the writer must write them before what comes after.
 *
 * <p>Threading: {@link #idle}, {@link #taken} and {@link #written} are called by the writer thread
 * only; {@link #admits} and {@link #expectedWaitNanos} by any thread, which read volatile fields
 * without a lock: a reader that sees one field of a record's cycle but not the other errs by about
 * one record's time, which the estimate does not pretend to beat. Time is the injected monotonic
 * {@code nanoTime}, moved by hand in tests.
 */
final class WriterPace {
  /**
   * How many of the latest cycles the mean is taken over: a few hundred milliseconds of a busy
   * writer, long enough to span the swings of a busy machine's scheduler (with 64, about 10 ms,
   * issue 18's reproduction admitted actions that then waited 2-4 times the estimate).
   */
  static final int WINDOW = 512;

  /** The writer's first records, left out of the mean: they are not its pace. */
  static final int SKIPPED = 8;

  private static final long IDLE = Long.MIN_VALUE;

  private final long maxWaitNanos;
  private final LongSupplier nanoTime;

  /** The latest cycles (writer thread only), and where the next one goes. */
  private final long[] cycles = new long[WINDOW];

  private int nextCycle;

  /** The sum of {@link #cycles}, and how many records the writer has written (writer only). */
  private long windowNanos;

  private long recordsWritten;

  /** The mean of the cycles in the window; 0 until the first one after the skipped. */
  private volatile long nanosPerRecord;

  /**
   * Since when the writer has had work without finishing a record: it took one after waiting, or
   * finished the previous one; {@link #IDLE} while it waits for records.
   */
  private volatile long busySince = IDLE;

  /**
   * @param maxWait the longest an admitted client action is expected to wait for the writer
   * @param nanoTime a monotonic time (System::nanoTime; moved by hand in tests)
   */
  WriterPace(Duration maxWait, LongSupplier nanoTime) {
    Objects.requireNonNull(maxWait, "maxWait");
    if (maxWait.isNegative() || maxWait.isZero()) {
      throw new IllegalArgumentException("maxWait must be positive, was " + maxWait);
    }
    this.maxWaitNanos = maxWait.toNanos();
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
  }

  /** The writer found the queue empty and waits for a record: that time is not its slowness. */
  void idle() {
    busySince = IDLE;
  }

  /**
   * The writer took a record. {@code waitedForIt}: it waited for this record ({@link #idle}), so
   * its cycle starts now; otherwise it started when the previous record was written (the time in
   * between is the writer's too, whatever kept it).
   */
  void taken(boolean waitedForIt) {
    if (waitedForIt || busySince == IDLE) {
      busySince = nanoTime.getAsLong();
    }
  }

  /**
   * The writer is done with the record it took: its cycle ends. {@code sent}: it was handed to the
   * producer; an action failed unsent (past its queue budget) takes the writer next to no time, and
   * is left out of the mean, which would otherwise fall just as the writer is behind.
   */
  void written(boolean sent) {
    long now = nanoTime.getAsLong();
    long started = busySince;
    long cycle = started == IDLE ? 0 : Math.max(0, now - started);
    // The next cycle starts now: if the next record is queued, the time until the writer takes
    // it is the writer's (idle() says otherwise if it is not).
    busySince = now;
    if (!sent) {
      return;
    }
    recordsWritten++;
    if (recordsWritten <= SKIPPED) {
      return;
    }
    windowNanos += cycle - cycles[nextCycle];
    cycles[nextCycle] = cycle;
    nextCycle = (nextCycle + 1) % WINDOW;
    nanosPerRecord = windowNanos / Math.min(recordsWritten - SKIPPED, WINDOW);
  }

  /**
   * How long a record appended now is expected to wait before the writer takes it, with {@code
   * queued} records ahead of it: the time the writer has been on its current record so far, plus
   * those records at its recent time per record.
   */
  long expectedWaitNanos(int queued) {
    long since = busySince;
    long stalled = since == IDLE ? 0 : Math.max(0, nanoTime.getAsLong() - since);
    long perRecord = nanosPerRecord();
    if (queued > 0 && perRecord > (Long.MAX_VALUE - stalled) / queued) {
      return Long.MAX_VALUE; // far past any limit; not worth an overflow
    }
    return stalled + queued * perRecord;
  }

  /**
   * Whether a client action appended now, with {@code queued} records ahead of it, is expected to
   * be taken by the writer within {@code maxWait} (at exactly {@code maxWait}: yes).
   */
  boolean admits(int queued) {
    return expectedWaitNanos(queued) <= maxWaitNanos;
  }

  /** The writer's recent time per record, in nanoseconds; 0 until it is past its first records. */
  long nanosPerRecord() {
    return nanosPerRecord;
  }
}
