package dev.roomlog.server;

import dev.roomlog.integrations.IntegrationsSettings;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.protocol.settings.Setting;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * The integrations worker's flags, one per setting declared in {@link IntegrationsSettings#DEFS},
 * each with its environment variable: made from the declarations when the command is built.
 */
@Command(modelTransformer = SettingFlags.Transformer.class)
final class IntegrationsOptions {
  final SettingFlags flags = new SettingFlags(IntegrationsSettings.DEFS);

  /** The worker's settings from the flags, for this cluster; a bad value fails naming its flag. */
  IntegrationsSettings settings(String bootstrapServers, TopicSet topics) {
    IntegrationsSettings settings = IntegrationsSettings.of(bootstrapServers, topics);
    for (Map.Entry<String, String> given : flags.given().entrySet()) {
      Setting<?> setting = IntegrationsSettings.DEFS.get(given.getKey());
      settings =
          settings.with(
              given.getKey(), setting.type().parse(setting.flag(), given.getValue().strip()));
    }
    return settings;
  }
}
