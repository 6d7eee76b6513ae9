package dev.roomlog.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/** The table printed at the end of a run, then the scenario's own figures, one per line. */
final class ResultTable {
  private static final String[] HEADERS = {
    "scenario",
    "protocol",
    "target/s",
    "achieved/s",
    "deliveries/s",
    "errors",
    "timeouts",
    "latency",
    "p50 ms",
    "p90 ms",
    "p99 ms",
    "p99.9 ms",
    "max ms"
  };

  private ResultTable() {}

  static String format(RunResult r) {
    Histogram h = r.headline();
    boolean empty = h.getTotalCount() == 0;
    String[] row = {
      r.scenario(),
      r.protocol(),
      number(r.targetRate()),
      number(r.achievedRate()),
      number(r.deliveriesPerSecond()),
      errors(r.errors()),
      Long.toString(r.timeouts()),
      r.latencyName(),
      empty ? "-" : ms(h.getValueAtPercentile(50)),
      empty ? "-" : ms(h.getValueAtPercentile(90)),
      empty ? "-" : ms(h.getValueAtPercentile(99)),
      empty ? "-" : ms(h.getValueAtPercentile(99.9)),
      empty ? "-" : ms(h.getMaxValue()),
    };
    List<String[]> rows = List.of(HEADERS, row);
    int[] widths = new int[HEADERS.length];
    for (String[] cells : rows) {
      for (int i = 0; i < cells.length; i++) {
        widths[i] = Math.max(widths[i], cells[i].length());
      }
    }
    StringBuilder b = new StringBuilder();
    for (String[] cells : rows) {
      List<String> padded = new ArrayList<>();
      for (int i = 0; i < cells.length; i++) {
        // Text left, numbers right, as a reader scans them.
        padded.add(
            i < 2 || i == 7 ? pad(cells[i], widths[i], false) : pad(cells[i], widths[i], true));
      }
      b.append(String.join("  ", padded).stripTrailing()).append('\n');
    }
    if (r.expectedDeliveries() > 0) {
      b.append(
          String.format(
              Locale.ROOT,
              "sent %d, acked %d, delivered %d of %d expected, duplicates %d, missing deliveries %d, max send lag %.1f ms%n",
              r.sent(),
              r.acked(),
              r.delivered(),
              r.expectedDeliveries(),
              r.duplicates(),
              r.missingDeliveries(),
              r.maxSendLagMs()));
    }
    r.figures()
        .forEach((name, value) -> b.append(name).append(' ').append(figure(value)).append('\n'));
    return b.toString();
  }

  private static String errors(Map<String, Long> errors) {
    if (errors.isEmpty()) {
      return "0";
    }
    return errors.entrySet().stream()
        .map(e -> e.getKey() + ": " + e.getValue())
        .collect(Collectors.joining(", "));
  }

  private static String figure(Number n) {
    return n instanceof Double || n instanceof Float ? number(n.doubleValue()) : n.toString();
  }

  private static String number(double v) {
    return v == Math.rint(v)
        ? String.format(Locale.ROOT, "%.0f", v)
        : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
  }

  private static String pad(String s, int width, boolean right) {
    String fill = " ".repeat(width - s.length());
    return right ? fill + s : s + fill;
  }
}
