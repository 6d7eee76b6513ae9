package dev.roomlog.loadtest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code roomlog dev} (server/target/roomlog.jar) in a JVM of its own, on free ports and a
 * data directory of the test's, with its output kept for failure messages. Closing it stops it
 * (SIGTERM, then by force); it never outlives the test.
 */
final class RoomlogDev implements AutoCloseable {
  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final int port;

  private RoomlogDev(Process process, int port) {
    this.process = process;
    this.port = port;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  lines.add(line);
                  synchronized (lines) {
                    lines.notifyAll();
                  }
                }
              } catch (IOException e) {
                lines.add("[output unreadable: " + e.getMessage() + "]");
              }
            },
            "roomlog-dev-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** The checkout's root, where server/target/ is. */
  static Path projectHome() {
    String home = System.getProperty("roomlog.home");
    return home != null ? Path.of(home) : Path.of("..").toAbsolutePath().normalize();
  }

  /**
   * Starts it with this API key and the gateway settings given as {@code --set} values, and waits
   * until it says it is ready.
   */
  static RoomlogDev start(Path dataDir, String apiKey, List<String> settings, Duration atMost)
      throws Exception {
    Path jar = projectHome().resolve("server/target/roomlog.jar");
    assertTrue(Files.exists(jar), "the build makes " + jar + " (mvn package -pl server -am)");
    int port = freePort();
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-Xmx512m");
    command.add("-jar");
    command.add(jar.toString());
    command.add("dev");
    command.addAll(List.of("--data-dir", dataDir.toString()));
    command.addAll(List.of("--port", String.valueOf(port)));
    command.addAll(List.of("--kafka-port", String.valueOf(freePort())));
    command.addAll(List.of("--controller-port", "0"));
    command.addAll(List.of("--query-port", "0"));
    command.addAll(List.of("--api-key", apiKey));
    for (String s : settings) {
      command.add("--set");
      command.add(s);
    }
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .directory(projectHome().toFile())
            .start();
    RoomlogDev dev = new RoomlogDev(p, port);
    try {
      dev.awaitLine("Roomlog dev is ready.", atMost);
    } catch (AssertionError | RuntimeException e) {
      dev.close();
      throw e;
    }
    return dev;
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  String output() {
    return String.join("\n", lines);
  }

  private void awaitLine(String text, Duration atMost) throws InterruptedException {
    long deadline = System.nanoTime() + atMost.toNanos();
    synchronized (lines) {
      while (lines.stream().noneMatch(l -> l.contains(text))) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !process.isAlive()) {
          throw new AssertionError(
              "roomlog dev did not print '"
                  + text
                  + "' within "
                  + atMost
                  + " (alive: "
                  + process.isAlive()
                  + "); it printed:\n"
                  + output());
        }
        lines.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
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
