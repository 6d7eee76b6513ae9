package dev.roomlog.loadtest;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The two plots of a run ({@code --plots DIR}): latency by percentile, on HdrHistogram's log axis
 * where 90%, 99%, 99.9%... are equally spaced so the tail is visible, and throughput over time, one
 * point per progress interval.
 */
final class Plots {
  static final String LATENCY_FILE = "latency-by-percentile.png";
  static final String THROUGHPUT_FILE = "throughput.png";

  private Plots() {}

  /** Writes both plots into {@code dir}, named after the scenario; returns their paths. */
  static List<Path> write(RunResult r, Path dir) throws IOException {
    Path latency = dir.resolve(r.scenario() + "-" + LATENCY_FILE);
    Path throughput = dir.resolve(r.scenario() + "-" + THROUGHPUT_FILE);
    latencyByPercentile(
        r.scenario() + " (" + r.protocol() + "): latency by percentile", r.latencies(), latency);
    throughputOverTime(
        r.scenario() + " (" + r.protocol() + "): throughput", r.throughput(), throughput);
    return List.of(latency, throughput);
  }

  /**
   * The position of a percentile on the log axis: {@code log10(1 / (1 - p))}, so 90% is 1, 99% is
   * 2. 100% would be infinitely far; it is drawn where one in {@code count} is, the finest step the
   * data can show.
   */
  static double logPercentileX(double percentile, long count) {
    double end = Math.log10(Math.max(count, 10));
    if (percentile >= 100) {
      return end;
    }
    return Math.min(end, -Math.log10(1 - percentile / 100));
  }

  static void latencyByPercentile(String title, Map<String, Histogram> latencies, Path png)
      throws IOException {
    Chart chart = new Chart(title, "percentile", "latency (ms)");
    double xMax = 2;
    for (Map.Entry<String, Histogram> e : latencies.entrySet()) {
      Histogram h = e.getValue();
      if (h.getTotalCount() == 0) {
        continue;
      }
      List<double[]> points = new ArrayList<>();
      for (HistogramIterationValue v : h.percentiles(5)) {
        points.add(
            new double[] {
              logPercentileX(v.getPercentileLevelIteratedTo(), h.getTotalCount()),
              v.getValueIteratedTo() / 1e6
            });
      }
      double[] xs = new double[points.size()];
      double[] ys = new double[points.size()];
      for (int i = 0; i < points.size(); i++) {
        xs[i] = points.get(i)[0];
        ys[i] = points.get(i)[1];
        xMax = Math.max(xMax, xs[i]);
      }
      chart.line(e.getKey(), xs, ys);
    }
    List<Chart.Tick> ticks = new ArrayList<>();
    String[] labels = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%", "99.9999%", "99.99999%"};
    for (int i = 0; i < labels.length && i <= Math.ceil(xMax); i++) {
      ticks.add(new Chart.Tick(i, labels[i]));
    }
    chart.xTicks(ticks).write(png);
  }

  static void throughputOverTime(String title, List<ThroughputSample> samples, Path png)
      throws IOException {
    double[] xs = new double[samples.size()];
    double[] sent = new double[samples.size()];
    double[] acked = new double[samples.size()];
    double[] delivered = new double[samples.size()];
    for (int i = 0; i < samples.size(); i++) {
      ThroughputSample s = samples.get(i);
      xs[i] = s.atSeconds();
      sent[i] = s.sentPerSecond();
      acked[i] = s.ackedPerSecond();
      delivered[i] = s.deliveredPerSecond();
    }
    Chart chart = new Chart(title, "seconds since start", "per second");
    lineUnlessZero(chart, "sent", xs, sent);
    lineUnlessZero(chart, "acked", xs, acked);
    lineUnlessZero(chart, "delivered", xs, delivered);
    chart.write(png);
  }

  private static void lineUnlessZero(Chart chart, String name, double[] xs, double[] ys) {
    for (double y : ys) {
      if (y != 0) {
        chart.line(name, xs, ys);
        return;
      }
    }
  }
}
