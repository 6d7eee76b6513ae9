package dev.roomlog.loadtest.report;

import java.util.ArrayList;
import java.util.List;

/**
 * One step of bench/run.sh's search for a scenario's maximum sustained rate: a line of {@code
 * roomlog-<scenario>-search.tsv} (header: step, targetRate, achievedRate, deliveriesPerSecond,
 * roomSize, timeouts, errors, latencyP99Ms, sustained, and since issue 18 logRate: the server's
 * count of actions Kafka acknowledged, per second). Values the step could not give are "-" in the
 * file and kept as text.
 */
record SearchStep(
    int step,
    double targetRate,
    double achievedRate,
    double deliveriesPerSecond,
    String timeouts,
    String errors,
    String latencyP99Ms,
    boolean sustained,
    String logRate) {

  static List<SearchStep> parse(List<String> lines) {
    List<SearchStep> steps = new ArrayList<>();
    for (String line : lines) {
      String[] f = line.split("\t", -1);
      if (f.length < 9 || f[0].equals("step") || line.isBlank()) {
        continue;
      }
      steps.add(
          new SearchStep(
              Integer.parseInt(f[0].trim()),
              number(f[1]),
              number(f[2]),
              number(f[3]),
              f[5].trim(),
              f[6].trim(),
              f[7].trim(),
              f[8].trim().equals("yes"),
              f.length > 9 ? f[9].trim() : "-"));
    }
    return steps;
  }

  private static double number(String s) {
    try {
      return Double.parseDouble(s.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
