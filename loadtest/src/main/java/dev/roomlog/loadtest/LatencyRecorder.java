package dev.roomlog.loadtest;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One latency measure of a run (ack, delivery, last member, connect, reconnect): an HdrHistogram
 * {@link Recorder} that any thread records into without locks, and the total so far, to which
 * {@link #sample()} moves each interval's values.
 *
 * <p>{@link #record} is thread-safe and wait-free; {@link #sample()} and {@link #total()} are for
 * one reader at a time (the progress tick), and are synchronized so that the final tick on the main
 * thread cannot interleave with the last one of the progress thread.
 */
final class LatencyRecorder {
  /** Values above this are recorded as this: a latency that long is a failure anyway. */
  static final long HIGHEST_NANOS = TimeUnit.MINUTES.toNanos(10);

  static final int SIGNIFICANT_DIGITS = 3;

  private final String name;
  private final Recorder recorder = new Recorder(HIGHEST_NANOS, SIGNIFICANT_DIGITS);
  private final Histogram total = new Histogram(HIGHEST_NANOS, SIGNIFICANT_DIGITS);
  private Histogram interval;

  LatencyRecorder(String name) {
    this.name = name;
  }

  String name() {
    return name;
  }

  void record(long nanos) {
    recorder.recordValue(Math.max(0, Math.min(nanos, HIGHEST_NANOS)));
  }

  /** Moves what was recorded since the last sample into the total, and returns it. */
  synchronized Histogram sample() {
    interval = recorder.getIntervalHistogram(interval);
    total.add(interval);
    return interval.copy();
  }

  /** Everything sampled so far. */
  synchronized Histogram total() {
    return total.copy();
  }
}
