package dev.roomlog.loadtest.report;

import java.util.Locale;
import java.util.OptionalDouble;

/** How the report writes numbers: grouped thousands, no locale of the machine's. */
final class Fmt {
  private Fmt() {}

  /** A rate or a count: 123,456 (one decimal under 100). */
  static String rate(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    return Math.abs(v) < 100 && v != Math.rint(v)
        ? String.format(Locale.ROOT, "%,.1f", v)
        : String.format(Locale.ROOT, "%,.0f", v);
  }

  /** A rate or a count if there is one, else "-". */
  static String rate(OptionalDouble v) {
    return v.isPresent() ? rate(v.getAsDouble()) : "-";
  }

  /** A run's figure by its result-file name, as a rate or a count, or "-" if the run has none. */
  static String figure(LoadRun run, String name) {
    return rate(run.figure(name));
  }

  /** Milliseconds: three significant digits, at least one decimal. */
  static String ms(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    if (Math.abs(v) >= 100) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    return Math.abs(v) >= 10
        ? String.format(Locale.ROOT, "%.1f", v)
        : String.format(Locale.ROOT, "%.2f", v);
  }

  /** A share: 73%, or 0.7% under 10%. */
  static String percent(double ratio) {
    double p = ratio * 100;
    return Math.abs(p) < 10
        ? String.format(Locale.ROOT, "%.1f%%", p)
        : String.format(Locale.ROOT, "%.0f%%", p);
  }

  /** A multiple: 14.6×, or 0.93×. */
  static String times(double ratio) {
    return Math.abs(ratio) < 10
        ? String.format(Locale.ROOT, "%.2f×", ratio)
        : String.format(Locale.ROOT, "%.1f×", ratio);
  }

  static String bytes(double v) {
    if (Math.abs(v) >= 1 << 20) {
      return String.format(Locale.ROOT, "%.1f MiB", v / (1 << 20));
    }
    if (Math.abs(v) >= 1 << 10) {
      return String.format(Locale.ROOT, "%.1f KiB", v / (1 << 10));
    }
    return String.format(Locale.ROOT, "%.0f B", v);
  }
}
