package dev.roomlog.server;

import static org.awaitility.Awaitility.await;

import dev.roomlog.kafka.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one node) in a JVM of its
 * own, so that a test can do to it what happens to brokers in production: freeze it ({@link
 * #pause()}, SIGSTOP), thaw it ({@link #resume()}, SIGCONT), crash it ({@link #kill()},
 * SIGKILL) and bring it back on the same data ({@link #start()} again). The in-process {@link
 * dev.roomlog.kafka.EmbeddedKafkaBroker} cannot serve for this: a signal reaches the whole JVM,
 * test included.
 *
 * <p>The broker runs from the jars the build copies to {@code server/target/kafka-tools} at
 * {@code package} (Kafka's tools plus the broker, which this module gets through
 * embedded-kafka). It listens on 127.0.0.1, on two ports chosen once, at construction, so that
 * clients keep their bootstrap address across restarts. The directory the test gives holds
 * everything: {@code server.properties}, the data ({@code data/}) and the broker's output
 * ({@code broker.log}, appended to across restarts; failures quote its tail).
 *
 * <p>Lifecycle: {@link #start()}, then any sequence of {@link #pause()}/{@link #resume()},
 * {@link #kill()} and {@link #start()} again, then {@link #close()}. The storage is formatted
 * on the first start only; later starts reuse it, so topics and records survive.
 *
 * <p>Threading: drive it from one thread (the test's). A JVM shutdown hook kills the broker if
 * the test JVM ends without closing it, so that no broker outlives the test run holding ports.
 */
final class KafkaBrokerProcess implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokerProcess.class);
  private static final String HOST = "127.0.0.1";
  private static final Duration START_DEADLINE = Duration.ofSeconds(60);
  private static final Duration STOP_DEADLINE = Duration.ofSeconds(30);
  private static final String JAVA =
      Path.of(System.getProperty("java.home"), "bin", "java").toString();

  private final Path dir;
  private final Path dataDir;
  private final Path logFile;
  private final int port;
  private final int controllerPort;
  private final Thread reaper = new Thread(this::destroyForcibly, "kafka-broker-process-reaper");
  private volatile Process process;
  private boolean reaperRegistered;
  private boolean paused;

  private KafkaBrokerProcess(Path dir, int port, int controllerPort) {
    this.dir = dir.toAbsolutePath();
    this.dataDir = this.dir.resolve("data");
    this.logFile = this.dir.resolve("broker.log");
    this.port = port;
    this.controllerPort = controllerPort;
  }

  /** A broker on free ports that keeps its configuration, data and output in {@code dir}. */
  static KafkaBrokerProcess onFreePorts(Path dir) {
    return new KafkaBrokerProcess(dir, freePort(), freePort());
  }

  /**
   * Starts the broker (formatting its storage first if this directory has never held one) and
   * returns once it accepts connections and answers a metadata request.
   *
   * @throws IllegalStateException if it is already running, or does not become ready within
   *     60 s (it is then killed; the message quotes its output)
   */
  void start() {
    if (isRunning()) {
      throw new IllegalStateException("the broker is already running (pid " + process.pid() + ")");
    }
    long began = System.nanoTime();
    try {
      Files.createDirectories(dataDir);
      Path config = writeConfig();
      if (!Files.exists(dataDir.resolve("meta.properties"))) {
        format(config);
      }
      if (!reaperRegistered) {
        Runtime.getRuntime().addShutdownHook(reaper);
        reaperRegistered = true;
      }
      process = java("kafka.Kafka", config.toString()).start();
      paused = false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a Kafka broker in " + dir, e);
    }
    try {
      awaitReady();
    } catch (RuntimeException e) {
      destroyForcibly();
      throw new IllegalStateException(
          "the Kafka broker in " + dir + " did not become ready (" + e.getMessage()
              + "); the end of " + logFile + ":\n" + logTail(),
          e);
    }
    LOG.info(
        "Kafka broker (pid {}) ready on {} in {} ms; output in {}",
        process.pid(), bootstrapServers(), (System.nanoTime() - began) / 1_000_000, logFile);
  }

  /** The address clients connect to; the same across restarts. */
  String bootstrapServers() {
    return HOST + ":" + port;
  }

  boolean isRunning() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /**
   * Freezes the broker (SIGSTOP): its sockets stay open and the kernel still accepts bytes for
   * it, but nothing answers, as with a long GC pause or a hung machine. After a pause longer
   * than the 2 s broker session, its own controller fences it for a moment on resume, so
   * clients may see NOT_LEADER_OR_FOLLOWER briefly (they retry).
   */
  void pause() {
    signal("STOP");
    paused = true;
  }

  /** Thaws a paused broker (SIGCONT); it carries on where it stopped. */
  void resume() {
    signal("CONT");
    paused = false;
  }

  /**
   * Crashes the broker (SIGKILL: no shutdown, no flush beyond what the OS already has) and
   * returns once its process has ended, so its ports and data directory lock are free for
   * {@link #start()}.
   */
  void kill() {
    signal("KILL");
    paused = false;
    awaitExit(STOP_DEADLINE);
  }

  /**
   * Stops the broker as an operator would (SIGTERM, Kafka's controlled shutdown), and by force
   * (SIGKILL) if it has not ended within 30 s. A paused broker is resumed first: a stopped
   * process would not act on SIGTERM. Does nothing if it is not running.
   */
  @Override
  public void close() {
    try {
      if (isRunning()) {
        long began = System.nanoTime();
        if (paused) {
          resume();
        }
        process.destroy();
        if (waitFor(process, STOP_DEADLINE)) {
          LOG.info(
              "Kafka broker (pid {}) stopped in {} ms",
              process.pid(), (System.nanoTime() - began) / 1_000_000);
        } else {
          LOG.warn(
              "Kafka broker (pid {}) ignored SIGTERM for {}; killing it",
              process.pid(), STOP_DEADLINE);
          destroyForcibly();
        }
      }
    } finally {
      if (reaperRegistered) {
        try {
          Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
          // The JVM is already ending; the hook runs anyway and finds nothing to kill.
        }
        reaperRegistered = false;
      }
    }
  }

  private Path writeConfig() throws IOException {
    // The embedded broker's settings, so both kinds of test broker behave alike.
    Properties p = EmbeddedKafkaBroker.singleNodeProperties(dataDir, port, controllerPort);
    // After a SIGKILL the controller (restored from its log) still holds the dead broker's
    // registration and refuses the new one until that session expires: 9 s by default, which
    // made a restart take 13 s instead of 4. The flip side: a pause longer than the session
    // can get the broker fenced by its own controller right after resume, until its next
    // heartbeat, as a real broker frozen past its session would be.
    p.put("broker.session.timeout.ms", "2000");
    p.put("broker.heartbeat.interval.ms", "500");
    Path config = dir.resolve("server.properties");
    try (OutputStream out = Files.newOutputStream(config)) {
      p.store(out, "written by KafkaBrokerProcess");
    }
    return config;
  }

  /**
   * Formats the storage in a JVM of its own: StorageTool ends its JVM with System.exit, which
   * in the test JVM would end the test run.
   */
  private void format(Path config) throws IOException {
    String clusterId = Uuid.randomUuid().toString();
    Process formatter =
        java("kafka.tools.StorageTool", "format", "-t", clusterId, "-c", config.toString()).start();
    if (!waitFor(formatter, START_DEADLINE)) {
      formatter.destroyForcibly();
      throw new IllegalStateException("formatting " + dataDir + " took over " + START_DEADLINE);
    }
    if (formatter.exitValue() != 0) {
      throw new IllegalStateException(
          "formatting " + dataDir + " failed with exit code " + formatter.exitValue()
              + "; the end of " + logFile + ":\n" + logTail());
    }
  }

  /** A JVM on Kafka's jars whose output is appended to {@link #logFile}. */
  private ProcessBuilder java(String mainClass, String... args) {
    Path lib = InProcessRoomlog.projectHome().resolve("server/target/kafka-tools");
    if (!Files.isDirectory(lib)) {
      throw new IllegalStateException(
          lib + " is missing; `mvn package` (or verify) copies Kafka's jars there");
    }
    List<String> command = new ArrayList<>();
    command.add(JAVA);
    command.add("-Xmx512m");
    // slf4j-simple is the logging binding on this classpath; timestamps make broker.log
    // readable next to the test's own output.
    command.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
    command.add("-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS");
    command.addAll(List.of("-cp", lib + "/*", mainClass));
    command.addAll(List.of(args));
    return new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(Redirect.appendTo(logFile.toFile()));
  }

  /**
   * First the port (a plain connect, so the wait does not fill the test's output with the Kafka
   * client's connection warnings), then a metadata request, which only a broker that has joined
   * its own cluster answers with itself in it.
   */
  private void awaitReady() {
    Process p = process;
    await("the Kafka broker accepting connections on " + bootstrapServers())
        .atMost(START_DEADLINE)
        .pollInterval(Duration.ofMillis(50))
        .failFast("the Kafka broker process ended", () -> !p.isAlive())
        .until(this::acceptsConnections);
    Map<String, Object> config =
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
    try (Admin admin = Admin.create(config)) {
      await("the Kafka broker on " + bootstrapServers() + " answering a metadata request")
          .atMost(START_DEADLINE)
          .pollInterval(Duration.ofMillis(100))
          .pollInSameThread()
          .ignoreExceptions()
          .failFast("the Kafka broker process ended", () -> !p.isAlive())
          .until(() -> admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() == 1);
    }
  }

  private boolean acceptsConnections() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(HOST, port), 1_000);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  private void signal(String name) {
    if (!isRunning()) {
      throw new IllegalStateException("the broker is not running; cannot send it SIG" + name);
    }
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid()))
              .redirectErrorStream(true)
              .start();
      String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (kill.waitFor() != 0) {
        throw new IllegalStateException(
            "kill -" + name + " " + process.pid() + " failed: " + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run kill -" + name, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending SIG" + name, e);
    }
  }

  private void awaitExit(Duration atMost) {
    if (!waitFor(process, atMost)) {
      throw new IllegalStateException(
          "the Kafka broker (pid " + process.pid() + ") did not end within " + atMost);
    }
  }

  private void destroyForcibly() {
    Process p = process;
    if (p != null && p.isAlive()) {
      p.destroyForcibly();
      waitFor(p, STOP_DEADLINE);
    }
  }

  private static boolean waitFor(Process p, Duration atMost) {
    try {
      return p.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "[" + logFile + " unreadable: " + e.getMessage() + "]";
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port", e);
    }
  }
}
