package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.processor.ProcessorSettings;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.protocol.settings.Setting;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/** The flags made from the settings' declarations: help, variables, and earlier names. */
class SettingFlagsTest {
  @TempDir Path stateDir;

  private static <T> T parse(Class<T> mixin, String... args) {
    ParseResult parsed = new CommandLine(new RoomlogCommand()).parseArgs(args).subcommand();
    return parsed.commandSpec().mixins().values().stream()
        .map(spec -> spec.userObject())
        .filter(mixin::isInstance)
        .map(mixin::cast)
        .findFirst()
        .orElseThrow();
  }

  private static String help(String command) {
    StringWriter out = new StringWriter();
    CommandLine roomlog = RoomlogCommand.commandLine();
    roomlog.setOut(new PrintWriter(out));
    assertEquals(0, roomlog.execute(command, "--help"));
    return out.toString();
  }

  private static List<String> warningsWhile(Class<?> logger, Runnable run) {
    Logger log = (Logger) LoggerFactory.getLogger(logger);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    log.addAppender(appender);
    try {
      run.run();
    } finally {
      log.detachAppender(appender);
    }
    return appender.list.stream()
        .filter(e -> e.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  private ProcessorSettings processorSettings(ProcessorOptions options) {
    return options.settings("broker:9092", stateDir, TopicSet.DEFAULT, 1);
  }

  @Test
  void theProcessorFlagsAreTheDeclaredSettings() {
    ProcessorSettings s =
        processorSettings(
            parse(
                ProcessorOptions.class,
                "processor",
                "--history-size",
                "250",
                "--dedup-window",
                "30m",
                "--query-port",
                "7171",
                "--query-host",
                "processor-1"));

    assertEquals(250, s.historySize());
    assertEquals(30, s.dedupWindow().toMinutes());
    assertEquals(7171, s.queryPort());
    assertEquals("processor-1", s.queryHost());
    assertEquals(ProcessorSettings.DEFAULT_MAX_ROOM_MEMBERS, s.maxRoomMembers());
  }

  @Test
  void aBadProcessorValueIsNamedByItsFlag() {
    String message =
        org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class,
                () ->
                    processorSettings(
                        parse(ProcessorOptions.class, "dev", "--gateway-timeout", "15")))
            .getMessage();

    assertTrue(message.startsWith("--gateway-timeout must be a number with a unit"), message);
  }

  @Test
  void theRpcPortFlagStillSetsTheQueryPortAndIsReportedOnceAsDeprecated() {
    ProcessorOptions options = parse(ProcessorOptions.class, "processor", "--rpc-port", "7072");
    List<ProcessorSettings> settings = new java.util.ArrayList<>();

    List<String> warnings =
        warningsWhile(ProcessorOptions.class, () -> settings.add(processorSettings(options)));

    assertEquals(7072, settings.get(0).queryPort());
    assertEquals(
        List.of(
            "--rpc-port / ROOMLOG_RPC_PORT is deprecated and will be removed: use --query-port"
                + " / ROOMLOG_QUERY_PORT"),
        warnings);
  }

  @Test
  void theQueryPortWinsOverItsEarlierName() {
    ProcessorSettings s =
        processorSettings(
            parse(
                ProcessorOptions.class, "processor", "--rpc-port", "7072", "--query-port", "7073"));

    assertEquals(7073, s.queryPort());
  }

  @Test
  void theBindFlagStillSetsTheBindHostAndIsReportedOnceAsDeprecated() {
    GatewayOptions options =
        parse(GatewayOptions.class, "gateway", "--bind", "127.0.0.2", "--api-key", "k");
    List<GatewaySettings> settings = new java.util.ArrayList<>();

    List<String> warnings =
        warningsWhile(GatewayOptions.class, () -> settings.add(options.settings(List.of())));

    assertEquals("127.0.0.2", settings.get(0).bindHost());
    assertEquals(
        List.of(
            "--bind / ROOMLOG_BIND is deprecated and will be removed: use --bind-host"
                + " / ROOMLOG_BIND_HOST"),
        warnings);
  }

  @Test
  void gatewayHelpListsEverySettingWithItsDefaultAndVariable() {
    String help = help("gateway").replaceAll("\\s+", " ");

    for (Setting<?> s : GatewaySettings.DEFS.all()) {
      assertTrue(help.contains(s.name()), s.name());
      assertTrue(help.contains(s.env()), s.env());
    }
    assertTrue(help.contains("--bind-host"), help);
    assertTrue(!help.contains("--bind="), "deprecated flags are hidden");
    assertTrue(help.contains("(default 50000)"), help);
  }

  @Test
  void processorHelpDescribesEveryFlagWithItsVariableAndDefault() {
    String help = help("processor").replaceAll("\\s+", " ");

    for (Setting<?> s : ProcessorSettings.DEFS.all()) {
      assertTrue(help.contains(s.flag() + "="), s.flag());
      assertTrue(help.contains("env " + s.env() + "; default " + s.defaultText()), s.env());
    }
    assertTrue(!help.contains("--rpc-port"), "deprecated flags are hidden");
  }

  @Test
  void theGatewaysNamedFlagsAreTheDeclaredFlagsAndVariables() {
    CommandSpec gateway =
        new CommandLine(new RoomlogCommand()).getSubcommands().get("gateway").getCommandSpec();

    for (Setting<?> s : GatewaySettings.DEFS.all()) {
      if (s.flag() != null) {
        OptionSpec option = gateway.findOption(s.flag());
        assertTrue(option != null, s.flag());
        gateway.interpolateVariables(false);
        assertTrue(option.defaultValue().startsWith("${env:" + s.env()), s.flag());
        gateway.interpolateVariables(true);
      }
    }
  }

  @Test
  void everyFlagVariableIsOneTheDeploymentCheckSees() {
    List<String> read =
        List.copyOf(RoomlogCli.variablesRead(RoomlogCli.path(List.of("processor")).orElseThrow()));

    for (Setting<?> s : ProcessorSettings.DEFS.all()) {
      assertTrue(read.contains(s.env()), s.env());
      if (s.deprecatedEnv() != null) {
        assertTrue(read.contains(s.deprecatedEnv()), s.deprecatedEnv());
      }
    }
  }
}
