package dev.roomlog.loadtest.report;

import java.util.ArrayList;
import java.util.List;

/**
 * The machine's load average as bench/run.sh noted it before each step: a line of loadavg.txt,
 * {@code <seconds since start> <1 min> <5 min> <15 min> <step>}.
 */
record LoadSample(
    long atSeconds, double oneMinute, double fiveMinutes, double fifteenMinutes, String step) {
  static List<LoadSample> parse(List<String> lines) {
    List<LoadSample> samples = new ArrayList<>();
    for (String line : lines) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 5) {
        continue;
      }
      try {
        samples.add(
            new LoadSample(
                Long.parseLong(f[0]),
                Double.parseDouble(f[1]),
                Double.parseDouble(f[2]),
                Double.parseDouble(f[3]),
                f[4]));
      } catch (NumberFormatException e) {
        // Not a sample line: skipped.
      }
    }
    return samples;
  }
}
