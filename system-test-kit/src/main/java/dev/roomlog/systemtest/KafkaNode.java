package dev.roomlog.systemtest;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka node (KRaft) in a JVM of its own: the piece that {@link KafkaBrokerProcess} (one node)
 * and {@link KafkaClusterProcess} (three) are made of. It runs from the jars the build copies to
 * {@code system-test-kit/target/kafka-broker} at {@code package} (the broker and its storage tool,
 * which this module gets through embedded-kafka), on 127.0.0.1.
 *
 * <p>Its directory holds everything: {@code server.properties} (written at each start from the
 * configuration given here, with {@code log.dirs} pointing at {@code data/}), the data, and the
 * node's output ({@code node.log}, appended to across restarts; failures quote its tail).
 *
 * <p>Lifecycle: {@link #format} once (the owner decides the cluster id), then {@link #launch} and
 * {@link #awaitReady}, any sequence of {@link #pause}/{@link #resume}, {@link #kill} and launch
 * again, then {@link #close}. Drive it from one thread. The node's JVM never outlives the test JVM
 * (see {@link ChildProcess}).
 */
public final class KafkaNode {
  public static final String HOST = "127.0.0.1";
  static final Duration START_DEADLINE = Duration.ofSeconds(60);
  private static final Logger LOG = LoggerFactory.getLogger(KafkaNode.class);
  private static final String JAVA =
      Path.of(System.getProperty("java.home"), "bin", "java").toString();

  private final String name;
  private final int nodeId;
  private final int port;
  private final Path dir;
  private final Path dataDir;
  private final Path logFile;
  private final Properties config;
  private ChildProcess process;
  private long launchedAt;

  /**
   * @param name how logs and failures call it, e.g. "Kafka node 2"
   * @param port its client (PLAINTEXT) port, which {@link #awaitReady} connects to
   * @param config its {@code server.properties}, except {@code log.dirs}
   */
  KafkaNode(String name, int nodeId, int port, Path dir, Properties config) {
    this.name = name;
    this.nodeId = nodeId;
    this.port = port;
    this.dir = dir.toAbsolutePath();
    this.dataDir = this.dir.resolve("data");
    this.logFile = this.dir.resolve("node.log");
    this.config = new Properties();
    this.config.putAll(config);
    this.config.put("log.dirs", dataDir.toString());
  }

  int nodeId() {
    return nodeId;
  }

  /** The address clients connect to; the same across restarts. */
  String address() {
    return HOST + ":" + port;
  }

  Path logFile() {
    return logFile;
  }

  boolean isFormatted() {
    return Files.exists(dataDir.resolve("meta.properties"));
  }

  boolean isRunning() {
    return process != null && process.isAlive();
  }

  /**
   * Formats the storage for cluster {@code clusterId}, in a JVM of its own: StorageTool ends its
   * JVM with System.exit, which in the test JVM would end the test run.
   */
  void format(String clusterId) {
    Path configFile = writeConfig();
    try (ChildProcess formatter =
        ChildProcess.start(
            name + " format",
            java("kafka.tools.StorageTool", "format", "-t", clusterId, "-c", configFile.toString()),
            dir,
            logFile)) {
      int exitCode = formatter.awaitExit(START_DEADLINE);
      if (exitCode != 0) {
        throw new IllegalStateException(
            "formatting "
                + dataDir
                + " failed with exit code "
                + exitCode
                + "; "
                + formatter.describeTail());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while formatting " + dataDir, e);
    }
  }

  /**
   * Starts the node's JVM and returns at once; {@link #awaitReady} waits for it to serve.
   *
   * @throws IllegalStateException if it is already running, or its storage is not formatted
   */
  void launch() {
    if (isRunning()) {
      throw new IllegalStateException(name + " is already running (pid " + process.pid() + ")");
    }
    if (!isFormatted()) {
      throw new IllegalStateException(name + ": " + dataDir + " is not formatted");
    }
    if (process != null) {
      process.close(); // the previous run's, ended: lets go of its shutdown hook
    }
    Path configFile = writeConfig();
    launchedAt = System.nanoTime();
    process = ChildProcess.start(name, java("kafka.Kafka", configFile.toString()), dir, logFile);
  }

  /**
   * Returns once the node launched last serves clients: first its port accepts connections (a plain
   * connect, so the wait does not fill the test's output with the Kafka client's connection
   * warnings), then an Admin that knows only this node's address gets an answer that lists the
   * node. Only the new process can answer on that address, and a Kafka node opens it to clients
   * only once its controller has unfenced it, so a stale view of a previous run of the same node
   * cannot satisfy the wait.
   *
   * @throws IllegalStateException if it is not serving within 60 s (it is then killed; the message
   *     quotes its output)
   */
  void awaitReady() {
    ChildProcess p = process;
    try {
      await(name + " accepting connections on " + address())
          .atMost(START_DEADLINE)
          .pollInterval(Duration.ofMillis(50))
          .failFast(name + " ended", () -> !p.isAlive())
          .until(this::acceptsConnections);
      Map<String, Object> adminConfig =
          Map.of(
              AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, address(),
              AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
              AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
      try (Admin admin = Admin.create(adminConfig)) {
        await(name + " on " + address() + " answering as node " + nodeId + " of its cluster")
            .atMost(START_DEADLINE)
            .pollInterval(Duration.ofMillis(100))
            .pollInSameThread()
            .ignoreExceptions()
            .failFast(name + " ended", () -> !p.isAlive())
            .until(
                () ->
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).stream()
                        .anyMatch(node -> node.id() == nodeId));
      }
    } catch (RuntimeException e) {
      p.kill();
      throw new IllegalStateException(
          name + " did not become ready (" + e.getMessage() + "); " + p.describeTail(), e);
    }
    LOG.info(
        "{} (pid {}) ready on {} in {} ms; output in {}",
        name,
        p.pid(),
        address(),
        (System.nanoTime() - launchedAt) / 1_000_000,
        logFile);
  }

  /**
   * Freezes the node (SIGSTOP), as a long GC pause or a hung machine would. Paused past its broker
   * session timeout, the controller fences it: it leaves every ISR and its leaderships move. The
   * quorum's controllers elect another leader if it was the active one.
   */
  void pause() {
    running().pause();
  }

  /**
   * Thaws a paused node (SIGCONT); it carries on, is unfenced at its next heartbeat, and catches
   * up.
   */
  void resume() {
    running().resume();
  }

  /**
   * Crashes the node (SIGKILL: no controlled shutdown, no flush beyond what the OS already has) and
   * returns once its process has ended, so that its ports and data directory lock are free for
   * {@link #launch}.
   */
  void kill() {
    running().kill();
  }

  /**
   * Stops the node as an operator would (SIGTERM, Kafka's controlled shutdown), and by force if it
   * has not ended within 30 s. Does nothing if it is not running.
   */
  void close() {
    if (process != null) {
      long began = System.nanoTime();
      boolean wasRunning = process.isAlive();
      process.close();
      if (wasRunning) {
        LOG.info(
            "{} (pid {}) stopped in {} ms",
            name,
            process.pid(),
            (System.nanoTime() - began) / 1_000_000);
      }
    }
  }

  /** Ends the node by SIGKILL if it is running, and forgets its process. */
  void killAndClose() {
    if (process != null) {
      if (process.isAlive()) {
        process.kill();
      }
      process.close();
    }
  }

  private ChildProcess running() {
    if (!isRunning()) {
      throw new IllegalStateException(name + " is not running");
    }
    return process;
  }

  private Path writeConfig() {
    Path configFile = dir.resolve("server.properties");
    try {
      Files.createDirectories(dataDir);
      try (OutputStream out = Files.newOutputStream(configFile)) {
        config.store(out, "written by KafkaNode for " + name);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + configFile, e);
    }
    return configFile;
  }

  /** The command line of a JVM on Kafka's jars. */
  private static List<String> java(String mainClass, String... args) {
    Path lib = Checkout.root().resolve("system-test-kit/target/kafka-broker");
    if (!Files.isDirectory(lib)) {
      throw new IllegalStateException(
          lib + " is missing; `mvn package` (or verify) copies Kafka's jars there");
    }
    List<String> command = new ArrayList<>();
    command.add(JAVA);
    // Small and frugal: tests run three of these beside gateways and processors on two
    // cores. A test node holds little (the log cleaner's buffer is set small in its config);
    // the serial collector has no GC threads to compete for the cores, and stopping at the
    // C1 compiler starts a node about a second sooner at a throughput no test comes near.
    command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    // slf4j-simple is the logging binding on this classpath; timestamps make node.log
    // readable next to the test's own output.
    command.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
    command.add("-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS");
    command.addAll(List.of("-cp", lib + "/*", mainClass));
    command.addAll(List.of(args));
    return command;
  }

  private boolean acceptsConnections() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(HOST, port), 1_000);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  /** A port free on 127.0.0.1 now; chosen once, at construction, so it stays across restarts. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port", e);
    }
  }
}
