package dev.roomlog.systemtest;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * A program the test started (roomlog dev, wscat, a roomlog role, a Kafka node), with its output
 * collected line by line so the test can wait for a line with a deadline, and, when started with a
 * log file, appended to that file too (line by line, so the file is current when a failure quotes
 * it; one file can collect several runs of the same program, each opened by a header line).
 *
 * <p>The test can do to it what happens to processes in production: freeze it ({@link #pause()},
 * SIGSTOP), thaw it ({@link #resume()}, SIGCONT), crash it ({@link #kill()}, SIGKILL). Closing it
 * ends it: politely first (SIGTERM), then by force.
 *
 * <p>It never outlives the test JVM: a shutdown hook kills it (SIGKILL) if the JVM ends without
 * closing it. Drive it from one thread; {@link #lines()} and {@link #tail} may be read from any.
 */
public final class ChildProcess implements AutoCloseable {
  private static final Duration STOP_DEADLINE = Duration.ofSeconds(30);
  private static final int TAIL_LINES = 40;

  private final String name;
  private final Process process;
  private final Path logFile;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Thread reaper;
  private volatile boolean outputEnded;
  private volatile boolean paused;

  private ChildProcess(String name, String commandLine, Process process, Path logFile, Writer log) {
    this.name = name;
    this.process = process;
    this.logFile = logFile;
    this.reaper = new Thread(this::destroyForcibly, name + "-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
    Thread reader = new Thread(() -> pumpOutput(commandLine, log), name + "-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code command} in the checkout's root, its output kept in memory only. */
  public static ChildProcess start(String name, List<String> command) {
    return start(name, command, Checkout.root(), null);
  }

  /**
   * Starts {@code command} in {@code directory}, its output kept in memory and appended to {@code
   * logFile} (created if missing; null for none).
   */
  static ChildProcess start(String name, List<String> command, Path directory, Path logFile) {
    Writer log = null;
    try {
      if (logFile != null) {
        Files.createDirectories(logFile.toAbsolutePath().getParent());
        log =
            Files.newBufferedWriter(
                logFile,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
      }
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .directory(directory.toFile())
              .start();
      return new ChildProcess(name, String.join(" ", command), process, logFile, log);
    } catch (IOException e) {
      closeQuietly(log);
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
  }

  /**
   * Waits for a line containing {@code text} and returns it.
   *
   * @throws AssertionError if no such line comes within {@code atMost}, or the program ends without
   *     printing one; the message quotes the program's last lines
   */
  public String awaitLine(String text, Duration atMost) {
    try {
      await(name + " printing a line containing '" + text + "'")
          .atMost(atMost)
          .pollInterval(Duration.ofMillis(50))
          .failFast(
              name + " ended without printing it", () -> outputEnded && findLine(text) == null)
          .until(() -> findLine(text) != null);
    } catch (ConditionTimeoutException | TerminalFailureException e) {
      throw new AssertionError(e.getMessage() + "\n" + describeTail(), e);
    }
    return findLine(text);
  }

  private String findLine(String text) {
    for (String line : lines) {
      if (line.contains(text)) {
        return line;
      }
    }
    return null;
  }

  public void writeLine(String line) {
    try {
      OutputStream in = process.getOutputStream();
      in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to " + name, e);
    }
  }

  public List<String> lines() {
    return new ArrayList<>(lines);
  }

  /** The last {@code count} lines the program printed, one string. */
  String tail(int count) {
    List<String> all = lines();
    return String.join("\n", all.subList(Math.max(0, all.size() - count), all.size()));
  }

  /** Its last lines, and where the whole output is, for a failure message. */
  String describeTail() {
    return "the last lines of "
        + name
        + " (pid "
        + process.pid()
        + ")"
        + (logFile == null ? "" : "; all of them in " + logFile)
        + ":\n"
        + tail(TAIL_LINES);
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Freezes the program (SIGSTOP): its sockets stay open and the kernel still accepts bytes for it,
   * but nothing answers, as with a long GC pause or a hung machine.
   */
  void pause() {
    signal("STOP");
    paused = true;
  }

  /** Thaws a paused program (SIGCONT); it carries on where it stopped. */
  void resume() {
    signal("CONT");
    paused = false;
  }

  /**
   * Crashes the program (SIGKILL: no shutdown hook, no flush) and returns once it has ended, so
   * that its ports and file locks are free. Also works on a paused program.
   */
  void kill() {
    // Through the handle: Process.destroyForcibly() would also close our end of its output,
    // losing the last lines it printed.
    process.toHandle().destroyForcibly();
    paused = false;
    if (!waitFor(STOP_DEADLINE)) {
      throw new IllegalStateException(
          name + " (pid " + pid() + ") outlived SIGKILL by " + STOP_DEADLINE);
    }
  }

  /**
   * Waits for the program to end by itself and returns its exit code.
   *
   * @throws AssertionError if it is still running after {@code atMost}
   */
  public int awaitExit(Duration atMost) throws InterruptedException {
    if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(name + " did not end within " + atMost + "; " + describeTail());
    }
    return process.exitValue();
  }

  /** Asks the program to stop as Ctrl-C would (SIGTERM), waits, and returns its exit code. */
  public int stop(Duration atMost) throws InterruptedException {
    if (paused) {
      resume();
    }
    // Through the handle: Process.destroy() would also close our end of its output, and we
    // want to read what it prints while it stops.
    process.toHandle().destroy();
    return awaitExit(atMost);
  }

  /**
   * Ends the program if it is still running: SIGTERM (after SIGCONT if paused: a stopped process
   * would not act on it), then SIGKILL if it has not ended within 30 s.
   */
  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        if (paused) {
          resume();
        }
        process.toHandle().destroy();
        if (!waitFor(STOP_DEADLINE)) {
          destroyForcibly();
        }
      }
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(reaper);
      } catch (IllegalStateException shuttingDown) {
        // The JVM is already ending; the hook runs anyway and finds nothing to kill.
      }
    }
  }

  /** The reader thread's loop: every line into memory and the log file, until the program ends. */
  private void pumpOutput(String commandLine, Writer log) {
    LogFile file = new LogFile(log);
    file.append(
        "===== " + now() + " " + name + " started, pid " + process.pid() + ": " + commandLine);
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lines.add(line);
        file.append(line);
      }
      if (file.isOpen()) {
        process.waitFor();
        file.append(
            "===== "
                + now()
                + " "
                + name
                + " (pid "
                + process.pid()
                + ") ended, exit code "
                + process.exitValue());
      }
    } catch (IOException e) {
      lines.add("[output unreadable: " + e.getMessage() + "]");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      file.close();
      outputEnded = true;
    }
  }

  /**
   * The copy of the output on disk. Flushed line by line, so that it is current when a failure
   * points at it. A write that fails ends the copy, not the reading: a program whose output is no
   * longer read blocks once the pipe is full.
   */
  private final class LogFile {
    private Writer writer;

    LogFile(Writer writer) {
      this.writer = writer;
    }

    boolean isOpen() {
      return writer != null;
    }

    void append(String line) {
      if (writer == null) {
        return;
      }
      try {
        writer.write(line);
        writer.write(System.lineSeparator());
        writer.flush();
      } catch (IOException e) {
        lines.add("[" + logFile + " unwritable, no longer copied there: " + e.getMessage() + "]");
        close();
      }
    }

    void close() {
      closeQuietly(writer);
      writer = null;
    }
  }

  private void signal(String signal) {
    if (!process.isAlive()) {
      throw new IllegalStateException(name + " is not running; cannot send it SIG" + signal);
    }
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid()))
              .redirectErrorStream(true)
              .start();
      String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (kill.waitFor() != 0) {
        throw new IllegalStateException(
            "kill -" + signal + " " + process.pid() + " failed: " + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run kill -" + signal, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending SIG" + signal + " to " + name, e);
    }
  }

  /** SIGKILL to the program and anything it started; the shutdown hook's last resort. */
  private void destroyForcibly() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.toHandle().destroyForcibly();
    waitFor(STOP_DEADLINE);
  }

  private boolean waitFor(Duration atMost) {
    try {
      return process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * The wall clock for the log file's header lines, to the millisecond as the programs' own lines.
   */
  private static LocalTime now() {
    return LocalTime.now().truncatedTo(ChronoUnit.MILLIS);
  }

  private static void closeQuietly(Writer log) {
    if (log != null) {
      try {
        log.close();
      } catch (IOException ignored) {
        // Only the log file's last lines are lost; the lines in memory are complete.
      }
    }
  }
}
