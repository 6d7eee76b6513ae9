package dev.roomlog.server;

/**
 * Ends the process when a part of it has stopped for good (the room processor in state ERROR),
 * rather than leave a process up that answers nothing: its supervisor (systemd, Kubernetes, a
 * person) sees the exit and restarts it.
 */
final class FatalExit {
  /** The exit code: EX_SOFTWARE, an internal error. */
  static final int EXIT_CODE = 70;

  private FatalExit() {}

  /**
   * A callback that exits the JVM with {@link #EXIT_CODE} from a thread of its own: the caller
   * (a Kafka Streams thread) must not block in {@code System.exit} while the shutdown hooks close
   * that same Streams client.
   */
  static Runnable exitProcess(String what) {
    return () -> {
      Thread exit =
          new Thread(
              () -> {
                System.err.println(
                    what + ": the room processor stopped for good (see the log above); exiting"
                        + " with code " + EXIT_CODE + " so that it can be restarted");
                System.exit(EXIT_CODE);
              },
              "roomlog-fatal-exit");
      exit.start();
    };
  }
}
