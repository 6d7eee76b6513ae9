package dev.roomlog.server;

import dev.roomlog.gateway.settings.GatewaySettings;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * What the {@code roomlog} command reads, taken from picocli's model of {@link RoomlogCommand}: a
 * new subcommand, mixin or flag is seen here without anyone listing it. For the deployment files'
 * test, which starts no process: it parses a command and its environment the way the command would
 * at start-up.
 */
final class RoomlogCli {
  /** An environment variable named in an option's default value: {@code ${env:NAME...}}. */
  private static final Pattern ENV_DEFAULT = Pattern.compile("\\$\\{env:([A-Za-z0-9_]+)");

  private RoomlogCli() {}

  /** The names of roomlog's commands. */
  static Set<String> commandNames() {
    return new CommandLine(new RoomlogCommand()).getSubcommands().keySet();
  }

  /**
   * The command lines from the root to the (sub)command that {@code words} start with, in a model
   * of their own; empty unless the first word names a command. Words after the command are its
   * arguments.
   */
  static Optional<List<CommandLine>> path(List<String> words) {
    List<CommandLine> path = new ArrayList<>(List.of(new CommandLine(new RoomlogCommand())));
    for (String word : words) {
      CommandLine next = path.get(path.size() - 1).getSubcommands().get(word);
      if (next == null) {
        break;
      }
      path.add(next);
    }
    return path.size() > 1 ? Optional.of(path) : Optional.empty();
  }

  /** {@code gateway}, {@code topics create}: the command a path leads to. */
  static String commandName(List<CommandLine> path) {
    return path.stream().skip(1).map(CommandLine::getCommandName).collect(Collectors.joining(" "));
  }

  /**
   * The environment variables a command reads: those in its options' default values (its parents'
   * and its mixins' included), and every gateway setting's variable when it has the gateway's
   * options.
   */
  static Set<String> variablesRead(List<CommandLine> path) {
    Set<String> names = new LinkedHashSet<>();
    for (CommandLine command : path) {
      CommandSpec spec = command.getCommandSpec();
      for (OptionSpec option : spec.options()) {
        environmentVariable(option).ifPresent(names::add);
      }
      if (spec.mixins().values().stream().anyMatch(m -> m.userObject() instanceof GatewayOptions)) {
        GatewaySettings.PROPERTY_NAMES.stream()
            .map(GatewaySettings::environmentVariable)
            .forEach(names::add);
      }
    }
    return names;
  }

  /**
   * Parses {@code command} with {@code environment} the way the command starts, and validates its
   * Kafka and gateway options as the commands do before they connect to anything. Picocli reads
   * {@code ${env:...}} defaults from this JVM's environment, not the container's, so each variable
   * the command reads is given as the flag it is the default of.
   *
   * @throws IllegalArgumentException with what the code refused: a value of the wrong type, a bad
   *     duration, no client key, ...
   */
  static Started start(List<String> command, Map<String, String> environment) {
    List<CommandLine> path =
        path(command).orElseThrow(() -> new IllegalArgumentException("no roomlog command"));
    List<String> args = new ArrayList<>();
    for (int i = 1; i < path.size(); i++) {
      args.add(command.get(i - 1));
      for (OptionSpec option : path.get(i).getCommandSpec().options()) {
        environmentVariable(option)
            .map(environment::get)
            .ifPresent(value -> args.addAll(flag(option, value)));
      }
    }
    args.addAll(command.subList(path.size() - 1, command.size()));

    List<Object> mixins = new ArrayList<>();
    try {
      ParseResult level =
          new CommandLine(new RoomlogCommand()).parseArgs(args.toArray(String[]::new));
      for (; level != null; level = level.subcommand()) {
        level.commandSpec().mixins().values().forEach(m -> mixins.add(m.userObject()));
      }
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    Started started = new Started(environment, mixins);
    started.mixin(KafkaOptions.class).ifPresent(KafkaOptions::validate);
    started.gatewaySettings();
    return started;
  }

  /** A parsed command: its options objects ({@link KafkaOptions}, {@link GatewayOptions}, ...). */
  record Started(Map<String, String> environment, List<Object> mixins) {
    <T> Optional<T> mixin(Class<T> type) {
      return mixins.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    /** The gateway's settings as {@code roomlog gateway} builds them, if it is a gateway. */
    Optional<GatewaySettings> gatewaySettings() {
      return mixin(GatewayOptions.class).map(options -> settingsOf(options, environment));
    }
  }

  private static GatewaySettings settingsOf(GatewayOptions options, Map<String, String> env) {
    Map<String, String> props = options.properties(env);
    // A key file is on the container's file system, not here: it counts as a key, unread.
    if (props.remove(GatewaySettings.API_KEYS_FILE) != null
        && props.getOrDefault(GatewaySettings.API_KEYS, "").isBlank()) {
      props.put(GatewaySettings.API_KEYS, "from-a-file:not-read-here");
    }
    // roomlog gateway makes up an id when none is set.
    props.putIfAbsent(GatewaySettings.GATEWAY_ID, "made-up-at-start");
    return GatewaySettings.fromProperties(props);
  }

  private static List<String> flag(OptionSpec option, String value) {
    if (option.arity().max() == 0) {
      return Boolean.parseBoolean(value.strip()) ? List.of(option.longestName()) : List.of();
    }
    return List.of(option.longestName() + "=" + value);
  }

  /** The variable named in the option's default value as written, before picocli resolves it. */
  private static Optional<String> environmentVariable(OptionSpec option) {
    CommandSpec spec = option.command();
    boolean interpolating = spec.interpolateVariables();
    spec.interpolateVariables(false);
    try {
      Matcher m = ENV_DEFAULT.matcher(String.valueOf(option.defaultValue()));
      return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    } finally {
      spec.interpolateVariables(interpolating);
    }
  }
}
