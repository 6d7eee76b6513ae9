package dev.roomlog.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the process when a part of it has stopped for good (the room processor in state ERROR),
 * rather than leave a process up that answers nothing: its supervisor (systemd, Kubernetes, a
 * person) sees the exit and restarts it.
 */
final class FatalExit {
  /** The exit code: EX_SOFTWARE, an internal error. */
  static final int EXIT_CODE = 70;

  private static final Logger LOG = LoggerFactory.getLogger(FatalExit.class);

  private FatalExit() {}

  /**
   * A callback that exits the JVM with {@link #EXIT_CODE} from a thread of its own: the caller (a
   * Kafka Streams thread) must not block in {@code System.exit} while the shutdown hooks close that
   * same Streams client.
   */
  static Runnable exitProcess(String what) {
    return exitProcess(what, "the room processor stopped for good (see the log above)");
  }

  /** As {@link #exitProcess(String)}, saying {@code why} in the last log line. */
  static Runnable exitProcess(String what, String why) {
    return () -> {
      Thread exit =
          new Thread(
              () -> {
                // Logged, not printed: with --log-format json every line on stderr is JSON.
                LOG.error(
                    "{}: {}; exiting with code {} so that it can be restarted",
                    what,
                    why,
                    EXIT_CODE);
                System.exit(EXIT_CODE);
              },
              "roomlog-fatal-exit");
      exit.start();
    };
  }
}
