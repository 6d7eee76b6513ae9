package dev.roomlog.systemtest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code roomlog gateway}, {@code roomlog processor} or {@code roomlog integrations} in a JVM
 * of its own, from the built jar ({@code server/target/roomlog.jar}), against a Kafka it does not
 * start: the shape of a deployment, so that a test can crash one role ({@link #kill()}), stop it as
 * an operator would ({@link #stop}), bring it back as a supervisor would ({@link #restart()}: the
 * same flags, so the same state directory, gateway id and port), or freeze it ({@link #pause()}).
 *
 * <p>{@link #start()} and {@link #restart()} return once the role is ready: a gateway when it
 * prints that it listens on its port, a processor when its Kafka Streams client first goes from
 * REBALANCING to RUNNING (it has its tasks; their state may still be restoring, so the first
 * answers can take longer).
 *
 * <p>The directory the test gives belongs to this one process: its output ({@code roomlog.log},
 * appended to across restarts; failures quote its tail) and, for a processor, its state ({@code
 * state/}). Give each process a directory of its own.
 *
 * <p>Lifecycle: {@link #start()}, any sequence of {@link #kill()} or {@link #stop} then {@link
 * #restart()}, and of {@link #pause()}/{@link #resume()}, then {@link #close()}. Drive it from one
 * thread. The JVM never outlives the test JVM (see {@link ChildProcess}).
 */
public final class RoomlogProcess implements AutoCloseable {
  static final Duration START_DEADLINE = Duration.ofSeconds(90);
  private static final Logger LOG = LoggerFactory.getLogger(RoomlogProcess.class);

  /** What RoomProcessor logs when the Streams client has its tasks. */
  private static final String PROCESSOR_READY = "REBALANCING -> RUNNING";

  /**
   * Where the roles find Kafka and how Roomlog's topics are laid out on it: the flags that every
   * role takes, so that a test's gateways and processors agree.
   */
  public record KafkaFlags(
      String bootstrapServers, String topicPrefix, int partitions, short replicationFactor) {
    public KafkaFlags {
      if (bootstrapServers == null || bootstrapServers.isBlank()) {
        throw new IllegalArgumentException("bootstrapServers must name at least one broker");
      }
      if (topicPrefix == null || topicPrefix.isBlank()) {
        throw new IllegalArgumentException(
            "topicPrefix must not be blank: tests share a Kafka and keep apart by prefix");
      }
      if (partitions < 1 || replicationFactor < 1) {
        throw new IllegalArgumentException(
            "partitions and replicationFactor must be at least 1, got "
                + partitions
                + " and "
                + replicationFactor);
      }
    }

    List<String> flags() {
      return List.of(
          "--bootstrap-servers",
          bootstrapServers,
          "--topic-prefix",
          topicPrefix,
          "--partitions",
          String.valueOf(partitions),
          "--replication-factor",
          String.valueOf(replicationFactor));
    }
  }

  private final String name;
  private final List<String> command;
  private final Path dir;
  private final Path logFile;
  private final String readyLine;
  private final String stoppedLine;
  private final int port;
  private ChildProcess process;

  private RoomlogProcess(
      String name, List<String> command, Path dir, String readyLine, String stoppedLine, int port) {
    this.name = name;
    this.command = List.copyOf(command);
    this.dir = dir;
    this.logFile = dir.resolve("roomlog.log");
    this.readyLine = readyLine;
    this.stoppedLine = stoppedLine;
    this.port = port;
  }

  /**
   * A gateway node on 127.0.0.1 and a port free now (kept across restarts), accepting clients that
   * send {@code apiKey} in the x-api-key header. Not started yet.
   *
   * @param moreFlags further flags of {@code roomlog gateway}, e.g. {@code --set NAME=VALUE}
   */
  public static RoomlogProcess gateway(
      Path dir, KafkaFlags kafka, String gatewayId, String apiKey, String... moreFlags) {
    int port = KafkaNode.freePort();
    List<String> args = new ArrayList<>(kafka.flags());
    args.addAll(
        List.of(
            "--bind-host",
            KafkaNode.HOST,
            "--port",
            String.valueOf(port),
            "--admin-port",
            String.valueOf(KafkaNode.freePort()),
            "--gateway-id",
            gatewayId,
            "--api-key",
            apiKey));
    args.addAll(List.of(moreFlags));
    return new RoomlogProcess(
        "roomlog gateway " + gatewayId,
        command(dir, "gateway", args),
        dir.toAbsolutePath(),
        "listening on port " + port,
        "Roomlog gateway stopped.",
        port);
  }

  /**
   * A room processor of Streams application {@code applicationId}, its state in {@code dir/state}
   * (kept across restarts). Several processors with the same application id share the rooms. Not
   * started yet.
   *
   * @param moreFlags further flags of {@code roomlog processor}, e.g. {@code --commit-interval-ms
   *     100}
   */
  public static RoomlogProcess processor(
      Path dir, KafkaFlags kafka, String applicationId, String... moreFlags) {
    Path absolute = dir.toAbsolutePath();
    List<String> args = new ArrayList<>(kafka.flags());
    args.addAll(
        List.of(
            "--application-id",
            applicationId,
            "--state-dir",
            absolute.resolve("state").toString(),
            // several processors share a machine in tests: each takes a free query port
            "--query-port",
            "0",
            "--query-host",
            "127.0.0.1"));
    args.addAll(List.of(moreFlags));
    return new RoomlogProcess(
        "roomlog processor " + absolute.getFileName(),
        command(absolute, "processor", args),
        absolute,
        PROCESSOR_READY,
        "Roomlog processor stopped.",
        0);
  }

  /**
   * An integrations worker ({@code roomlog integrations}) of consumer group {@code groupId}; it has
   * no state of its own, so a restart resumes from the group's committed offsets. Not started yet.
   * Ready once it prints that it started: its consumers may not have their partitions yet.
   *
   * @param moreFlags further flags of {@code roomlog integrations}, e.g. {@code --webhooks-file F}
   */
  public static RoomlogProcess integrations(
      Path dir, KafkaFlags kafka, String groupId, String... moreFlags) {
    Path absolute = dir.toAbsolutePath();
    List<String> args = new ArrayList<>(kafka.flags());
    args.addAll(List.of("--integrations-group-id", groupId));
    args.addAll(List.of(moreFlags));
    return new RoomlogProcess(
        "roomlog integrations " + absolute.getFileName(),
        command(absolute, "integrations", args),
        absolute,
        "Roomlog integrations started against",
        "Roomlog integrations stopped.",
        0);
  }

  /**
   * Starts the role and returns once it is ready.
   *
   * @return this, for {@code try (RoomlogProcess p = RoomlogProcess.gateway(...).start())}
   * @throws IllegalStateException if it is already running
   * @throws AssertionError if it is not ready within 90 s or ends first (it is then killed; the
   *     message quotes its output)
   */
  public RoomlogProcess start() {
    if (isRunning()) {
      throw new IllegalStateException(name + " is already running (pid " + process.pid() + ")");
    }
    if (process != null) {
      process.close(); // the previous run's, ended: lets go of its shutdown hook
    }
    long began = System.nanoTime();
    process = ChildProcess.start(name, command, dir, logFile);
    try {
      process.awaitLine(readyLine, START_DEADLINE);
    } catch (AssertionError e) {
      process.kill();
      process.close();
      throw e;
    }
    LOG.info(
        "{} (pid {}) ready in {} ms; output in {}",
        name,
        process.pid(),
        (System.nanoTime() - began) / 1_000_000,
        logFile);
    return this;
  }

  /**
   * Starts the role again after {@link #kill()} or {@link #close()}, with the same flags: the same
   * state directory, gateway id and port. Returns once it is ready.
   *
   * @throws IllegalStateException if it is still running
   */
  public void restart() {
    start();
  }

  /**
   * Crashes the role (SIGKILL: no shutdown hook runs, nothing is flushed or committed) and returns
   * once its JVM has ended, so its port and state directory lock are free.
   */
  public void kill() {
    running().kill();
  }

  /**
   * Stops the role as an operator would (SIGTERM) and returns once its JVM has ended: it closes its
   * parts in order (see Stack; a gateway writes every open socket's {@code $disconnect} first) and
   * says so last.
   *
   * @throws AssertionError if it has not ended within {@code atMost}, or ended without saying that
   *     it stopped (the message quotes its output)
   */
  public void stop(Duration atMost) throws InterruptedException {
    ChildProcess stopping = running();
    long began = System.nanoTime();
    int exitCode = stopping.stop(atMost);
    // The output is read on another thread: wait for the last lines, not for the process.
    stopping.awaitLine(stoppedLine, Duration.ofSeconds(5));
    LOG.info(
        "{} (pid {}) stopped by SIGTERM in {} ms, exit code {}",
        name,
        stopping.pid(),
        (System.nanoTime() - began) / 1_000_000,
        exitCode);
  }

  /** Freezes the role (SIGSTOP), as a long GC pause would. */
  void pause() {
    running().pause();
  }

  /** Thaws a paused role (SIGCONT). */
  void resume() {
    running().resume();
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** The gateway's WebSocket port, the same across restarts. */
  public int port() {
    if (port == 0) {
      throw new IllegalStateException(name + " is not a gateway; it has no port");
    }
    return port;
  }

  long pid() {
    return running().pid();
  }

  Path logFile() {
    return logFile;
  }

  /**
   * Stops the role as its supervisor would (SIGTERM: it closes in order, see Stack), and by force
   * (SIGKILL) if it has not ended within 30 s. Does nothing if it is not running.
   */
  @Override
  public void close() {
    if (process != null) {
      process.close();
    }
  }

  private ChildProcess running() {
    if (!isRunning()) {
      throw new IllegalStateException(name + " is not running");
    }
    return process;
  }

  private static List<String> command(Path dir, String role, List<String> args) {
    Path jar = Checkout.root().resolve("server/target/roomlog.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing; `mvn package` (or verify) builds it");
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // Small: a fault test runs several roles beside a three-node cluster on two cores.
    command.addAll(List.of("-Xmx384m", "-XX:+UseSerialGC"));
    // RocksDB unpacks its native library into java.io.tmpdir at every start and a SIGKILL
    // leaves it there: keep it in the test's directory, which the test removes.
    command.add("-Djava.io.tmpdir=" + dir);
    command.addAll(List.of("-jar", jar.toString(), role));
    command.addAll(args);
    return command;
  }
}
