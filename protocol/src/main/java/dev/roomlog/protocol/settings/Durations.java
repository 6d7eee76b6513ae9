package dev.roomlog.protocol.settings;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads durations written as operators write them: {@code 500ms}, {@code 10s}, {@code 10m}, {@code
 * 2h}.
 */
public final class Durations {
  private static final Pattern FORM = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private Durations() {}

  public static Duration parse(String setting, String text) {
    Matcher m = FORM.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          setting
              + " must be a number with a unit (ms, s, m, h or d), e.g. 10s, was '"
              + text
              + "'");
    }
    long amount = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
  }

  /**
   * The inverse of {@link #parse}: the largest unit that divides the duration exactly, so that
   * messages quote a setting as the operator wrote it ({@code 10m}, not {@code PT10M}).
   */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    if (!duration.equals(Duration.ofMillis(millis))) {
      return duration.toNanos() + "ns";
    }
    if (millis != 0 && millis % 86_400_000 == 0) {
      return millis / 86_400_000 + "d";
    }
    if (millis != 0 && millis % 3_600_000 == 0) {
      return millis / 3_600_000 + "h";
    }
    if (millis != 0 && millis % 60_000 == 0) {
      return millis / 60_000 + "m";
    }
    if (millis % 1_000 == 0) {
      return millis / 1_000 + "s";
    }
    return millis + "ms";
  }
}
