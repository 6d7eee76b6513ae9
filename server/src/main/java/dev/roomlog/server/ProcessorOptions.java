package dev.roomlog.server;

import dev.roomlog.processor.ProcessorSettings;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.protocol.settings.Setting;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;

/**
 * The room processor's flags, one per setting declared in {@link ProcessorSettings#DEFS}, each with
 * its environment variable: made from the declarations when the command is built (picocli's model
 * transformer), so there is no flag to keep in step by hand.
 */
@Command(modelTransformer = SettingFlags.Transformer.class)
final class ProcessorOptions {
  final SettingFlags flags = new SettingFlags(ProcessorSettings.DEFS);

  /**
   * The processor's settings from the flags (and their variables; earlier names logged as
   * deprecated), for this cluster. A bad value fails naming the setting.
   */
  ProcessorSettings settings(
      String bootstrapServers, Path stateDir, TopicSet topics, int replicationFactor) {
    flags.deprecations().forEach(LoggerFactory.getLogger(ProcessorOptions.class)::warn);
    ProcessorSettings settings =
        ProcessorSettings.defaults(bootstrapServers, stateDir)
            .withReplicationFactor(replicationFactor)
            .withTopics(topics);
    for (Map.Entry<String, Object> value : values().entrySet()) {
      settings = settings.with(value.getKey(), value.getValue());
    }
    return settings;
  }

  /** The application id the processor will use, as {@link #settings} reads it. */
  String applicationId() {
    Object id = values().get(ProcessorSettings.APPLICATION_ID);
    return id != null ? (String) id : ProcessorSettings.DEFAULT_APPLICATION_ID;
  }

  private Map<String, Object> values() {
    Map<String, Object> values = new HashMap<>();
    flags
        .given()
        .forEach(
            (name, text) -> {
              Setting<?> setting = ProcessorSettings.DEFS.get(name);
              // A bad value is named as the operator wrote it: by its flag.
              values.put(name, setting.type().parse(setting.flag(), text.strip()));
            });
    return values;
  }

  /** The host other processors reach this one by: the setting, or this machine's name. */
  static String queryHost(ProcessorSettings settings) {
    if (settings.queryHost() != null) {
      return settings.queryHost();
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(
          "this machine's host name does not resolve (" + e.getMessage() + "): set --query-host");
    }
  }
}
