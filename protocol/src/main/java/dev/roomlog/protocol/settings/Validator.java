package dev.roomlog.protocol.settings;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A check of one setting's value (after its default was filled in), failing with a message that
 * names the setting, says what was expected and what it was.
 */
@FunctionalInterface
public interface Validator<T> {
  /** Throws {@link IllegalArgumentException} (naming {@code setting}) if {@code value} is bad. */
  void check(String setting, T value);

  /** Accepts anything, null included. */
  static <T> Validator<T> any() {
    return (setting, value) -> {};
  }

  /** "{@code setting} must be {@code expected}, was {@code value}" unless {@code ok}. */
  static <T> Validator<T> expect(Predicate<T> ok, String expected) {
    return (setting, value) -> {
      if (!ok.test(value)) {
        throw new IllegalArgumentException(setting + " must be " + expected + ", was " + value);
      }
    };
  }

  static Validator<Integer> atLeast(int min) {
    return expect(value -> value >= min, "at least " + min);
  }

  static Validator<Integer> between(int min, int max) {
    return Validator.<Integer>atLeast(min).and(expect(value -> value <= max, "at most " + max));
  }

  /** Set, not blank. */
  static Validator<String> required() {
    return (setting, value) -> {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(setting + " is required and must not be blank");
      }
    };
  }

  /** Set and longer than zero. */
  static Validator<Duration> positive() {
    return (setting, value) -> {
      Objects.requireNonNull(value, setting);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(setting + " must be longer than zero, was " + value);
      }
    };
  }

  /** This check, then {@code next}. */
  default Validator<T> and(Validator<T> next) {
    return (setting, value) -> {
      check(setting, value);
      next.check(setting, value);
    };
  }
}
