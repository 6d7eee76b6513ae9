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
 * <p>The time per record is a moving average (weight 1/8 for each new record, as TCP's smoothed
 * round-trip time) of the writer's cycle: from taking a record to having handed it to the producer,
 * and, when the next record was already queued, from the end of the previous one. So a writer
 * thread that waits for a core between two records (the machine is busy) is seen as the slower
 * writer it is, while one that waited for records to come (idle) is not. Lifecycle records are in
 * the queue and in the average like any record (a {@code $disconnect} is one send per partition):
 * they are never refused, but the writer must write them before what comes after.
 *
 * <p>Threading: {@link #taken} and {@link #written} are called by the writer thread only; {@link
 * #admits} and {@link #expectedWaitNanos} by any thread. The fields are volatile and read without a
 * lock: a reader that sees one field of a record's cycle but not the other errs by about one
 * record's time, which the estimate does not pretend to beat. Time is the injected monotonic {@code
 * nanoTime}, moved by hand in tests.
 */
final class WriterPace {
  /** The new sample's weight in the moving average: 1/2^3. */
  private static final int WEIGHT_SHIFT = 3;

  private final long maxWaitNanos;
  private final LongSupplier nanoTime;

  /** The moving average of a record's cycle; 0 until the first record is written. */
  private volatile long nanosPerRecord;

  /** When the cycle of the record being written started; meaningful while {@link #writing}. */
  private volatile long cycleStartedAt;

  private volatile boolean writing;

  /** When the last record was handed to the producer. */
  private long lastWrittenAt;

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

  /**
   * The writer took a record. {@code waitedForIt}: the queue was empty and the writer waited for
   * this record, so its cycle starts now; otherwise it started when the previous record was written
   * (the time in between is the writer's too, whatever kept it).
   */
  void taken(boolean waitedForIt) {
    cycleStartedAt = waitedForIt ? nanoTime.getAsLong() : lastWrittenAt;
    writing = true;
  }

  /** The writer handed the record it took to the producer (or failed it): its cycle ends. */
  void written() {
    // First: should the time fail to come, the writer is not taken for stuck in this record.
    writing = false;
    long now = nanoTime.getAsLong();
    long cycle = Math.max(0, now - cycleStartedAt);
    long average = nanosPerRecord;
    nanosPerRecord = average == 0 ? cycle : average + ((cycle - average) >> WEIGHT_SHIFT);
    lastWrittenAt = now;
  }

  /**
   * How long a record appended now is expected to wait before the writer takes it, with {@code
   * queued} records ahead of it: those records at the recent time per record, plus the time the
   * record being written has taken so far.
   */
  long expectedWaitNanos(int queued) {
    long inProgress = writing ? Math.max(0, nanoTime.getAsLong() - cycleStartedAt) : 0;
    long perRecord = nanosPerRecord;
    if (queued > 0 && perRecord > (Long.MAX_VALUE - inProgress) / queued) {
      return Long.MAX_VALUE; // far past any limit; not worth an overflow
    }
    return inProgress + queued * perRecord;
  }

  /**
   * Whether a client action appended now, with {@code queued} records ahead of it, is expected to
   * be taken by the writer within {@code maxWait} (at exactly {@code maxWait}: yes).
   */
  boolean admits(int queued) {
    return expectedWaitNanos(queued) <= maxWaitNanos;
  }

  /** The recent time per record, in nanoseconds (0 before the first); for the metrics. */
  long nanosPerRecord() {
    return nanosPerRecord;
  }
}
