package dev.roomlog.server;

import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

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
      TopicsCommand.class,
      TailCommand.class,
      ReplayCommand.class
    })
public final class RoomlogCommand implements Runnable {

  public static void main(String[] args) {
    int exit = commandLine().execute(args);
    if (exit != 0) {
      System.exit(exit);
    }
  }

  /** The command line with Roomlog's error handling; tests execute it without exiting. */
  static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new RoomlogCommand());
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

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
