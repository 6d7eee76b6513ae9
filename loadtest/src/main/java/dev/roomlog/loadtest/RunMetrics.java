package dev.roomlog.loadtest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * Everything a run counts: the counters (any thread), the latency recorders, and the per-interval
 * throughput that {@link #tick} turns them into.
 *
 * <p>Counters and recorders are written by event-loop threads and the sending thread without locks.
 * {@link #tick} is called once a second by the progress thread and once more by the main thread at
 * the end; it is synchronized.
 */
final class RunMetrics {
  /** What the progress line shows after a tick. */
  record Progress(
      double elapsedSeconds,
      String phase,
      long sent,
      long acked,
      long delivered,
      long errors,
      double sentPerSecond,
      double deliveredPerSecond,
      String latencyName,
      long latencyP99Nanos) {}

  final LongAdder sent = new LongAdder();
  final LongAdder acked = new LongAdder();
  final LongAdder delivered = new LongAdder();
  final LongAdder duplicates = new LongAdder();
  final ErrorCounts errors = new ErrorCounts();

  private final long startNanos;
  private final Map<String, LatencyRecorder> latencies = new LinkedHashMap<>();
  private final List<ThroughputSample> throughput = new ArrayList<>();
  private volatile String phase = "starting";
  private volatile String primary;
  private long lastTickNanos;
  private long lastSent;
  private long lastAcked;
  private long lastDelivered;

  RunMetrics(long startNanos) {
    this.startNanos = startNanos;
    this.lastTickNanos = startNanos;
  }

  long startNanos() {
    return startNanos;
  }

  /**
   * The recorder of this name, made on first use; the first one made is the run's headline latency
   * unless {@link #primary(String)} says otherwise.
   */
  synchronized LatencyRecorder latency(String name) {
    if (primary == null) {
      primary = name;
    }
    return latencies.computeIfAbsent(name, LatencyRecorder::new);
  }

  synchronized void primary(String name) {
    latency(name);
    primary = name;
  }

  String primaryName() {
    return primary;
  }

  void phase(String phase) {
    this.phase = phase;
  }

  String phase() {
    return phase;
  }

  /** Closes the interval since the last tick: samples every recorder and the counters. */
  synchronized Progress tick(long nowNanos) {
    for (LatencyRecorder r : latencies.values()) {
      r.sample();
    }
    long s = sent.sum();
    long a = acked.sum();
    long d = delivered.sum();
    double seconds = Math.max(1e-9, (nowNanos - lastTickNanos) / 1e9);
    double elapsed = (nowNanos - startNanos) / 1e9;
    ThroughputSample sample =
        new ThroughputSample(
            elapsed,
            phase,
            (s - lastSent) / seconds,
            (a - lastAcked) / seconds,
            (d - lastDelivered) / seconds);
    throughput.add(sample);
    lastTickNanos = nowNanos;
    lastSent = s;
    lastAcked = a;
    lastDelivered = d;
    long p99 = -1;
    if (primary != null) {
      Histogram total = latencies.get(primary).total();
      p99 = total.getTotalCount() == 0 ? -1 : total.getValueAtPercentile(99.0);
    }
    return new Progress(
        elapsed,
        phase,
        s,
        a,
        d,
        errors.total(),
        sample.sentPerSecond(),
        sample.deliveredPerSecond(),
        primary,
        p99);
  }

  /** Each recorder's total so far, in the order they were made. */
  synchronized Map<String, Histogram> histograms() {
    Map<String, Histogram> copy = new LinkedHashMap<>();
    latencies.forEach((name, r) -> copy.put(name, r.total()));
    return copy;
  }

  synchronized List<ThroughputSample> throughput() {
    return Collections.unmodifiableList(new ArrayList<>(throughput));
  }
}
