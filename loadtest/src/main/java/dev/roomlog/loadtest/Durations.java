package dev.roomlog.loadtest;

import java.time.Duration;
import java.util.Locale;

/** Durations as the flags write them: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}. */
final class Durations {
  private Durations() {}

  static Duration parse(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    int unitAt = 0;
    while (unitAt < t.length()
        && (Character.isDigit(t.charAt(unitAt)) || t.charAt(unitAt) == '.')) {
      unitAt++;
    }
    if (unitAt == 0 || unitAt == t.length()) {
      throw bad(text);
    }
    double amount;
    try {
      amount = Double.parseDouble(t.substring(0, unitAt));
    } catch (NumberFormatException e) {
      throw bad(text);
    }
    double nanosPerUnit;
    switch (t.substring(unitAt)) {
      case "ms":
        nanosPerUnit = 1e6;
        break;
      case "s":
        nanosPerUnit = 1e9;
        break;
      case "m":
        nanosPerUnit = 60e9;
        break;
      case "h":
        nanosPerUnit = 3600e9;
        break;
      default:
        throw bad(text);
    }
    return Duration.ofNanos(Math.round(amount * nanosPerUnit));
  }

  /** The shortest of the flag forms that says this duration exactly, e.g. {@code 1500ms}. */
  static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 1000 != 0) {
      return ms + "ms";
    }
    return ms / 1000 + "s";
  }

  private static IllegalArgumentException bad(String text) {
    return new IllegalArgumentException(
        "'" + text + "' is not a duration; write a number and a unit: 500ms, 10s, 2m, 1h");
  }
}
