package dev.roomlog.protocol.settings;

/**
 * One setting, declared once: its name, type, default, check and documentation, and the flag and
 * environment variable that set it. {@link SettingDefs} gives it its full name and derives what is
 * not given; help text and the docs' tables are generated from these.
 *
 * @param name the property name ({@code roomlog.gateway.maxConnections}) once defined
 * @param type how it is written as text
 * @param defaultValue the value when none is given; null for none
 * @param validator checks the value (the default included)
 * @param doc one or two sentences for operators: what it does, what happens past it
 * @param flag the command-line flag ({@code --history-size}), or null for none
 * @param env the environment variable
 * @param defaultText how docs show the default when it is not a value ({@code random per start})
 * @param deprecatedFlag an earlier name of the flag that still works, with a warning; or null
 * @param deprecatedEnv an earlier name of the variable that still works, with a warning; or null
 */
public record Setting<T>(
    String name,
    SettingType<T> type,
    T defaultValue,
    Validator<T> validator,
    String doc,
    String flag,
    String env,
    String defaultText,
    String deprecatedFlag,
    String deprecatedEnv) {

  /** A setting named {@code name} within its {@link SettingDefs}; no flag unless given. */
  public static <T> Setting<T> of(
      String name, SettingType<T> type, T defaultValue, Validator<T> validator, String doc) {
    return new Setting<>(name, type, defaultValue, validator, doc, null, null, null, null, null);
  }

  /** Also set by {@code flag}, and by {@code env} rather than the derived variable. */
  public Setting<T> withFlag(String flag, String env) {
    return new Setting<>(
        name,
        type,
        defaultValue,
        validator,
        doc,
        flag,
        env,
        defaultText,
        deprecatedFlag,
        deprecatedEnv);
  }

  /** What docs show as the default, when there is no value to show. */
  public Setting<T> withDefaultText(String text) {
    return new Setting<>(
        name, type, defaultValue, validator, doc, flag, env, text, deprecatedFlag, deprecatedEnv);
  }

  /** Earlier names that still work, with a warning at start-up. */
  public Setting<T> deprecating(String oldFlag, String oldEnv) {
    return new Setting<>(
        name, type, defaultValue, validator, doc, flag, env, defaultText, oldFlag, oldEnv);
  }

  Setting<T> named(String fullName, String envName) {
    return new Setting<>(
        fullName,
        type,
        defaultValue,
        validator,
        doc,
        flag,
        envName,
        defaultText,
        deprecatedFlag,
        deprecatedEnv);
  }

  /** The default as docs and help show it. */
  public String defaultText() {
    if (defaultText != null) {
      return defaultText;
    }
    String text = defaultValue == null ? "" : type.format(defaultValue);
    return text.isEmpty() ? "none" : text;
  }

  /** {@code text} (not blank) as this setting's value. */
  public T parse(String text) {
    return type.parse(name, text.strip());
  }

  /** The value, strings stripped and blank ones null, after the validator accepted it. */
  @SuppressWarnings("unchecked")
  T check(Object value) {
    if (value instanceof String s) {
      value = s.isBlank() ? null : s.strip();
    }
    validator.check(name, (T) value);
    return (T) value;
  }
}
