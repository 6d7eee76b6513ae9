package dev.roomlog.protocol.settings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * How a setting's value is written as text (in a properties file, an environment variable or a
 * flag) and shown in help and docs. The forms are the ones operators already write: {@code 50_000},
 * {@code on}, {@code 15s}, {@code a,b}.
 *
 * @param label what the value looks like, for help text ({@code INT}, {@code DURATION}, ...)
 * @param parser text (already stripped, not blank) to value; a bad text fails naming the setting
 * @param formatter value to text, for help and docs
 * @param <T> the value's type
 */
public record SettingType<T>(String label, Parser<T> parser, Function<T, String> formatter) {

  /** Text to value; throws {@link IllegalArgumentException} naming {@code setting}. */
  @FunctionalInterface
  public interface Parser<T> {
    T parse(String setting, String text);
  }

  /** A whole number; {@code _} may group digits ({@code 50_000}). */
  public static final SettingType<Integer> INT =
      new SettingType<>(
          "INT", (setting, text) -> (int) whole(setting, text, true), String::valueOf);

  /** A whole number that may not fit an int. */
  public static final SettingType<Long> LONG =
      new SettingType<>("LONG", (setting, text) -> whole(setting, text, false), String::valueOf);

  /** A count of bytes, written as a plain number; shown as {@code 32 KiB} when it is whole KiB. */
  public static final SettingType<Integer> BYTES =
      new SettingType<>("BYTES", INT.parser(), SettingType::bytes);

  /** {@code true}/{@code on}/{@code yes} or {@code false}/{@code off}/{@code no}. */
  public static final SettingType<Boolean> BOOLEAN =
      new SettingType<>("BOOLEAN", SettingType::bool, value -> value ? "on" : "off");

  public static final SettingType<String> STRING =
      new SettingType<>("TEXT", (setting, text) -> text, Function.identity());

  /** {@code 500ms}, {@code 10s}, {@code 10m}, {@code 2h} or {@code 1d}. */
  public static final SettingType<Duration> DURATION =
      new SettingType<>("DURATION", Durations::parse, Durations::format);

  public static final SettingType<Path> PATH =
      new SettingType<>("FILE", (setting, text) -> Path.of(text), Path::toString);

  /** Comma-separated; blank items are dropped, the others stripped. */
  public static final SettingType<List<String>> LIST =
      new SettingType<>(
          "A,B,...", (setting, text) -> List.copyOf(items(text)), list -> String.join(",", list));

  /** The value {@code text} stands for. */
  public T parse(String setting, String text) {
    return parser.parse(setting, text);
  }

  /** The value as an operator would write it. */
  public String format(T value) {
    return formatter.apply(value);
  }

  /** Comma-separated items, stripped, blank ones dropped. */
  public static List<String> items(String text) {
    List<String> items = new ArrayList<>();
    for (String item : text.split(",")) {
      if (!item.isBlank()) {
        items.add(item.strip());
      }
    }
    return items;
  }

  private static long whole(String setting, String text, boolean intRange) {
    try {
      String digits = text.replace("_", "");
      return intRange ? Integer.parseInt(digits) : Long.parseLong(digits);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(setting + " must be an integer, was '" + text + "'", e);
    }
  }

  private static Boolean bool(String setting, String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "true", "on", "yes" -> true;
      case "false", "off", "no" -> false;
      default ->
          throw new IllegalArgumentException(
              setting + " must be true or false, was '" + text + "'");
    };
  }

  private static String bytes(Integer value) {
    if (value != 0 && value % (1024 * 1024) == 0) {
      return value / (1024 * 1024) + " MiB";
    }
    if (value != 0 && value % 1024 == 0) {
      return value / 1024 + " KiB";
    }
    return String.valueOf(value);
  }
}
