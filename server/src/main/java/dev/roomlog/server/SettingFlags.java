package dev.roomlog.server;

import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.protocol.settings.Setting;
import dev.roomlog.protocol.settings.SettingDefs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListResourceBundle;
import java.util.Map;
import java.util.ResourceBundle;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Command-line flags made from settings' declarations ({@link SettingDefs}): each flag reads its
 * environment variable when not given, and its description (what, env, default) is the
 * declaration's, so {@code --help} and docs/OPERATIONS.md say the same. A setting's earlier flag
 * and variable still work, as hidden flags, and are reported by {@link #deprecations}.
 */
final class SettingFlags {
  /** The text given by flag or environment, by setting name; earlier names apart. */
  private final Map<String, String> given = new LinkedHashMap<>();

  private final Map<String, String> givenByOldName = new LinkedHashMap<>();
  private final SettingDefs defs;

  /**
   * Completes a command that has the processor's, the integrations worker's or the gateway's
   * options: picocli applies it when it builds the command's model (a command has one transformer,
   * so one serves both mixins).
   */
  static final class Transformer implements IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec command) {
      for (CommandSpec mixin : command.mixins().values()) {
        if (mixin.userObject() instanceof ProcessorOptions processor) {
          processor.flags.addTo(command);
        }
        if (mixin.userObject() instanceof IntegrationsOptions integrations) {
          integrations.flags.addTo(command);
        }
        if (mixin.userObject() instanceof GatewayOptions) {
          command.resourceBundle(
              help(
                  GatewaySettings.DEFS,
                  "Gateway settings (--set NAME=VALUE, the --gateway-config file, or the"
                      + " variable):"));
        }
      }
      return command;
    }
  }

  SettingFlags(SettingDefs defs) {
    this.defs = defs;
  }

  /** Adds a flag for each declared setting that has one to {@code spec}. */
  void addTo(CommandSpec spec) {
    for (Setting<?> setting : defs.all()) {
      if (setting.flag() == null) {
        continue;
      }
      spec.addOption(
          option(setting.flag(), setting.env(), setting, given)
              .description(description(setting))
              .build());
      if (setting.deprecatedFlag() != null) {
        spec.addOption(
            option(setting.deprecatedFlag(), setting.deprecatedEnv(), setting, givenByOldName)
                .hidden(true)
                .build());
      }
    }
  }

  /**
   * The text of every setting given by flag or variable, by setting name: the current name wins
   * over an earlier one.
   */
  Map<String, String> given() {
    Map<String, String> text = new LinkedHashMap<>(givenByOldName);
    text.putAll(given);
    return text;
  }

  /** One warning for each earlier flag or variable name used. */
  List<String> deprecations() {
    List<String> warnings = new ArrayList<>();
    for (String name : givenByOldName.keySet()) {
      Setting<?> s = defs.get(name);
      warnings.add(deprecation(s));
    }
    return warnings;
  }

  static String deprecation(Setting<?> s) {
    return s.deprecatedFlag()
        + " / "
        + s.deprecatedEnv()
        + " is deprecated and will be removed: use "
        + s.flag()
        + " / "
        + s.env();
  }

  /** The flag's description in --help: the declaration's doc, its variable and default. */
  static String description(Setting<?> s) {
    // Picocli reads descriptions as format strings; the docs' Markdown is for the docs.
    return (s.doc() + " (env " + s.env() + "; default " + s.defaultText() + ").")
        .replace("`", "")
        .replace("%", "%%");
  }

  /**
   * Descriptions for annotated flags that set declared settings (the key is the flag without its
   * dashes, as picocli looks it up), and a footer listing every setting of {@code defs}.
   */
  static ResourceBundle help(SettingDefs defs, String footerHeading) {
    List<Object[]> entries = new ArrayList<>();
    for (Setting<?> s : defs.all()) {
      if (s.flag() != null) {
        entries.add(new Object[] {s.flag().substring(2), description(s)});
      }
    }
    entries.add(new Object[] {"usage.footerHeading", "%n" + footerHeading + "%n"});
    entries.add(new Object[] {"usage.footer", defs.help().replace("`", "").replace("%", "%%")});
    Object[][] contents = entries.toArray(Object[][]::new);
    return new ListResourceBundle() {
      @Override
      protected Object[][] getContents() {
        return contents;
      }
    };
  }

  private static OptionSpec.Builder option(
      String flag, String env, Setting<?> setting, Map<String, String> into) {
    return OptionSpec.builder(flag)
        .type(String.class)
        .paramLabel(setting.type().label())
        .defaultValue("${env:" + env + "}")
        .setter(
            new ISetter() {
              @Override
              public <T> T set(T value) {
                if (value != null && !value.toString().isBlank()) {
                  into.put(setting.name(), value.toString());
                }
                return null;
              }
            })
        .getter(
            new IGetter() {
              @Override
              @SuppressWarnings("unchecked")
              public <T> T get() {
                return (T) into.get(setting.name());
              }
            });
  }
}
