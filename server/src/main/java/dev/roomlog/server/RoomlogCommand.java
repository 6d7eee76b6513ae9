package dev.roomlog.server;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code roomlog} command: one jar, one role per subcommand. */
@Command(
    name = "roomlog",
    mixinStandardHelpOptions = true,
    version = "roomlog 0.1.0",
    description = "Event-sourced chat rooms over WebSocket, on Apache Kafka.",
    subcommands = {DevCommand.class, GatewayCommand.class, ProcessorCommand.class})
public final class RoomlogCommand implements Runnable {

  public static void main(String[] args) {
    CommandLine commandLine = new CommandLine(new RoomlogCommand());
    // A bad flag value is the user's mistake: say what was wrong, no stack trace.
    commandLine.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          cmd.getErr().println("roomlog: " + e.getMessage());
          return 2;
        });
    int exit = commandLine.execute(args);
    if (exit != 0) {
      System.exit(exit);
    }
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
