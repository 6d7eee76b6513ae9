package dev.roomlog.loadtest;

import java.util.Locale;

/**
 * The live progress line, e.g. {@code [ 12s running] sent 12000 (1000/s) recv 119000 (9990/s)
 * errors 0 p99(delivery) 3.21 ms}.
 */
final class ProgressLine {
  private ProgressLine() {}

  static String format(RunMetrics.Progress p) {
    String p99 =
        p.latencyP99Nanos() < 0
            ? "-"
            : String.format(Locale.ROOT, "%.2f ms", p.latencyP99Nanos() / 1e6);
    return String.format(
        Locale.ROOT,
        "[%4.0fs %-12s] sent %d (%.0f/s) recv %d (%.0f/s) acked %d errors %d p99(%s) %s",
        p.elapsedSeconds(),
        p.phase(),
        p.sent(),
        p.sentPerSecond(),
        p.delivered(),
        p.deliveredPerSecond(),
        p.acked(),
        p.errors(),
        p.latencyName(),
        p99);
  }
}
