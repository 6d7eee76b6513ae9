package dev.roomlog.protocol.settings;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The settings of one role, in the order docs list them: the one place each is declared (in the
 * manner of Kafka's {@code ConfigDef}), from which values are read and checked, and help text and
 * the docs' tables are generated. Not thread-safe while settings are defined (in a static
 * initializer); immutable in use after that.
 */
public final class SettingDefs {
  private final String namePrefix;
  private final String envPrefix;
  private final boolean flagPerSetting;
  private final Map<String, Setting<?>> settings = new LinkedHashMap<>();

  private SettingDefs(String namePrefix, String envPrefix, boolean flagPerSetting) {
    this.namePrefix = namePrefix;
    this.envPrefix = envPrefix;
    this.flagPerSetting = flagPerSetting;
  }

  /**
   * Settings named as properties ({@code roomlog.gateway.maxConnections}), each also set by the
   * variable named after it ({@code ROOMLOG_GATEWAY_MAX_CONNECTIONS}); a flag only where given.
   */
  public static SettingDefs properties(String namePrefix, String envPrefix) {
    return new SettingDefs(namePrefix, envPrefix, false);
  }

  /**
   * Settings that are flags: {@code historySize} is {@code --history-size} and {@code
   * ROOMLOG_HISTORY_SIZE}.
   */
  public static SettingDefs flags(String envPrefix) {
    return new SettingDefs("", envPrefix, true);
  }

  /** Adds a setting and returns its full name. */
  public String define(Setting<?> setting) {
    String name = namePrefix + setting.name();
    String env = envPrefix + upperSnake(setting.name());
    Setting<?> named = setting.named(name, setting.env() != null ? setting.env() : env);
    if (flagPerSetting && setting.flag() == null) {
      named = named.withFlag("--" + kebab(setting.name()), named.env());
    }
    if (settings.putIfAbsent(name, named) != null) {
      throw new IllegalStateException(name + " is defined twice");
    }
    return name;
  }

  public List<Setting<?>> all() {
    return List.copyOf(settings.values());
  }

  public List<String> names() {
    return List.copyOf(settings.keySet());
  }

  public Setting<?> get(String name) {
    Setting<?> setting = settings.get(name);
    if (setting == null) {
      throw new IllegalArgumentException("no setting " + name);
    }
    return setting;
  }

  /** The variable named after the setting ({@code ROOMLOG_GATEWAY_MAX_CONNECTIONS}). */
  public String propertyVariable(String name) {
    return envPrefix + upperSnake(name.substring(namePrefix.length()));
  }

  /**
   * The values of the properties given (and not blank) in {@code text}, parsed; others left out.
   */
  public Map<String, Object> parse(Map<String, String> text) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (Setting<?> setting : settings.values()) {
      String value = text.get(setting.name());
      if (value != null && !value.isBlank()) {
        values.put(setting.name(), setting.parse(value));
      }
    }
    return values;
  }

  /**
   * Every setting's value: the one given, or its default; each checked in the order defined, so the
   * first bad one fails. Unmodifiable; a value may be null.
   */
  public Map<String, Object> complete(Map<String, ?> given) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (Setting<?> setting : settings.values()) {
      String name = setting.name();
      values.put(
          name, setting.check(given.containsKey(name) ? given.get(name) : setting.defaultValue()));
    }
    return Collections.unmodifiableMap(values);
  }

  /**
   * The settings as a Markdown table: setting, flag, environment variable, default, what. Docs
   * include it as generated; a test compares them.
   */
  public String markdownTable() {
    StringBuilder table = new StringBuilder();
    table.append("| setting | flag | env | default | what |\n");
    table.append("| --- | --- | --- | --- | --- |\n");
    for (Setting<?> s : settings.values()) {
      table
          .append("| `")
          .append(s.name().substring(namePrefix.length()))
          .append("` | ")
          .append(s.flag() == null ? "" : "`" + s.flag() + "`")
          .append(" | `")
          .append(s.env())
          .append("` | ")
          .append(s.defaultText())
          .append(" | ")
          .append(s.doc())
          .append(" |\n");
    }
    return table.toString();
  }

  /** The settings for a terminal: name, flag, variable and default, then what it does. */
  public String help() {
    StringBuilder help = new StringBuilder();
    for (Setting<?> s : settings.values()) {
      help.append("  ").append(s.name());
      if (s.flag() != null) {
        help.append(", ").append(s.flag());
      }
      help.append(", env ").append(s.env()).append(" (default ").append(s.defaultText());
      help.append(")\n      ").append(s.doc()).append('\n');
    }
    return help.toString();
  }

  /** {@code maxConnections} as {@code MAX_CONNECTIONS}. */
  public static String upperSnake(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
  }

  /** {@code maxConnections} as {@code max-connections}. */
  public static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }
}
