package dev.roomlog.server;

import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.TypeConversionException;

/** The {@code roomlog} command: one jar, one role per subcommand. */
@Command(
    name = "roomlog",
    mixinStandardHelpOptions = true,
    version = "roomlog 0.1.0",
    description = "Event-sourced chat rooms over WebSocket, on Apache Kafka.",
    subcommands = {
      DevCommand.class,
      GatewayCommand.class,
      ProcessorCommand.class,
      IntegrationsCommand.class,
      TopicsCommand.class,
      TailCommand.class,
      ReplayCommand.class,
      TokenCommand.class
    })
public final class RoomlogCommand implements Runnable {
  // Inherited: each subcommand takes them too (`roomlog tail --log-format json`), and they
  // land here whichever command they were given to.
  @Option(
      names = "--log-format",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:ROOMLOG_LOG_FORMAT:-text}",
      converter = FormatConverter.class,
      paramLabel = "text|json",
      description =
          "Log lines as text or as one JSON object per line, on stderr (env ROOMLOG_LOG_FORMAT; default ${DEFAULT-VALUE}).")
  Logging.Format logFormat;

  @Option(
      names = "--log-level",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:ROOMLOG_LOG_LEVEL:-info}",
      converter = LevelsConverter.class,
      paramLabel = "[LOGGER=]LEVEL[,...]",
      description =
          "Log levels: a bare LEVEL is Roomlog's own loggers' (default info), LOGGER=LEVEL any logger's, root=LEVEL every other logger's (default warn); LEVEL is trace, debug, info, warn, error or off (env ROOMLOG_LOG_LEVEL; default ${DEFAULT-VALUE}).")
  Logging.Levels logLevels;

  public static void main(String[] args) {
    int exit = commandLine().execute(args);
    if (exit != 0) {
      System.exit(exit);
    }
  }

  /** The command line with Roomlog's error handling; tests execute it without exiting. */
  static CommandLine commandLine() {
    RoomlogCommand roomlog = new RoomlogCommand();
    CommandLine commandLine = new CommandLine(roomlog);
    // Logging is set up once the flags are read and before any command runs, whichever it is.
    commandLine.setExecutionStrategy(
        parsed -> {
          Logging.configure(roomlog.logFormat, roomlog.logLevels);
          return new CommandLine.RunLast().execute(parsed);
        });
    // A bad setting is the user's mistake: say what was wrong, no stack trace. Anything else
    // (a broker that cannot start, a port in use) is logged whole, since its cause matters.
    commandLine.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          if (e instanceof IllegalArgumentException) {
            cmd.getErr().println("roomlog: " + e.getMessage());
            return 2;
          }
          LoggerFactory.getLogger(RoomlogCommand.class).error("roomlog could not start", e);
          return 1;
        });
    return commandLine;
  }

  static final class FormatConverter implements ITypeConverter<Logging.Format> {
    @Override
    public Logging.Format convert(String value) {
      try {
        return Logging.Format.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  static final class LevelsConverter implements ITypeConverter<Logging.Levels> {
    @Override
    public Logging.Levels convert(String value) {
      try {
        return Logging.Levels.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
