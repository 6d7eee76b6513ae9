package dev.roomlog.server;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A program the test started (roomlog dev, wscat), with its output collected line by line so
 * the test can wait for a line with a deadline. Closing it ends it: politely first (SIGTERM),
 * then by force; it never outlives the test.
 */
final class ChildProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();

  private ChildProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  lines.add(line);
                }
              } catch (IOException e) {
                lines.add("[output unreadable: " + e.getMessage() + "]");
              }
            },
            name + "-output");
    reader.setDaemon(true);
    reader.start();
  }

  static ChildProcess start(String name, List<String> command) {
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .directory(InProcessRoomlog.projectHome().toFile())
              .start();
      return new ChildProcess(name, process);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  /** Waits for a line containing {@code text} and returns it. */
  String awaitLine(String text, Duration atMost) {
    String[] found = new String[1];
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(50))
        .alias(name + " printing '" + text + "'; it printed:\n" + String.join("\n", lines))
        .until(
            () -> {
              for (String line : lines) {
                if (line.contains(text)) {
                  found[0] = line;
                  return true;
                }
              }
              return false;
            });
    return found[0];
  }

  void writeLine(String line) {
    try {
      OutputStream in = process.getOutputStream();
      in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to " + name, e);
    }
  }

  List<String> lines() {
    return new ArrayList<>(lines);
  }

  /** Waits for the program to end by itself and returns its exit code. */
  int awaitExit(Duration atMost) throws InterruptedException {
    if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(name + " did not end within " + atMost + "; it printed:\n" + lines);
    }
    return process.exitValue();
  }

  /** Asks the program to stop as Ctrl-C would (SIGTERM), waits, and returns its exit code. */
  int stop(Duration atMost) throws InterruptedException {
    // Through the handle: Process.destroy() would also close our end of its output, and we
    // want to read what it prints while it stops.
    process.toHandle().destroy();
    return awaitExit(atMost);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
