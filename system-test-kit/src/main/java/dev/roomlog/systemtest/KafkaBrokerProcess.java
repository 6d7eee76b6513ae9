package dev.roomlog.systemtest;

import dev.roomlog.kafka.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one node) in a JVM of its own,
 * so that a test can do to it what happens to brokers in production: freeze it ({@link #pause()},
 * SIGSTOP), thaw it ({@link #resume()}, SIGCONT), crash it ({@link #kill()}, SIGKILL) and bring it
 * back on the same data ({@link #start()} again). The in-process {@link
 * dev.roomlog.kafka.EmbeddedKafkaBroker} cannot serve for this: a signal reaches the whole JVM,
 * test included. For faults that a single broker cannot survive but a cluster can (a leader lost
 * while producing), see {@link KafkaClusterProcess}.
 *
 * <p>It is one {@link KafkaNode}: it listens on 127.0.0.1, on two ports chosen once, at
 * construction, so that clients keep their bootstrap address across restarts. The directory the
 * test gives holds everything: {@code server.properties}, the data ({@code data/}) and the broker's
 * output ({@code node.log}, appended to across restarts; failures quote its tail).
 *
 * <p>Lifecycle: {@link #start()}, then any sequence of {@link #pause()}/{@link #resume()}, {@link
 * #kill()} and {@link #start()} again, then {@link #close()}. The storage is formatted on the first
 * start only; later starts reuse it, so topics and records survive.
 *
 * <p>Threading: drive it from one thread (the test's). A JVM shutdown hook kills the broker if the
 * test JVM ends without closing it, so that no broker outlives the test run holding ports.
 */
public final class KafkaBrokerProcess implements AutoCloseable {
  private static final int NODE_ID = 1;

  private final KafkaNode node;

  private KafkaBrokerProcess(Path dir, int port, int controllerPort) {
    Path dataDir = dir.toAbsolutePath().resolve("data");
    // The embedded broker's settings, so both kinds of test broker behave alike.
    Properties config = EmbeddedKafkaBroker.singleNodeProperties(dataDir, port, controllerPort);
    // After a SIGKILL the controller (restored from its log) still holds the dead broker's
    // registration and refuses the new one until that session expires: 9 s by default, which
    // made a restart take 13 s instead of 4. The flip side: a pause longer than the session
    // can get the broker fenced by its own controller right after resume, until its next
    // heartbeat, as a real broker frozen past its session would be.
    config.put("broker.session.timeout.ms", "2000");
    config.put("broker.heartbeat.interval.ms", "500");
    this.node = new KafkaNode("Kafka broker", NODE_ID, port, dir, config);
  }

  /** A broker on free ports that keeps its configuration, data and output in {@code dir}. */
  public static KafkaBrokerProcess onFreePorts(Path dir) {
    return new KafkaBrokerProcess(dir, KafkaNode.freePort(), KafkaNode.freePort());
  }

  /**
   * Starts the broker (formatting its storage first if this directory has never held one) and
   * returns once it accepts connections and answers a metadata request.
   *
   * @throws IllegalStateException if it is already running, or does not become ready within 60 s
   *     (it is then killed; the message quotes its output)
   */
  public void start() {
    if (!node.isFormatted()) {
      node.format(Uuid.randomUuid().toString());
    }
    node.launch();
    node.awaitReady();
  }

  /** The address clients connect to; the same across restarts. */
  public String bootstrapServers() {
    return node.address();
  }

  boolean isRunning() {
    return node.isRunning();
  }

  /**
   * Freezes the broker (SIGSTOP): its sockets stay open and the kernel still accepts bytes for it,
   * but nothing answers, as with a long GC pause or a hung machine. After a pause longer than the 2
   * s broker session, its own controller fences it for a moment on resume, so clients may see
   * NOT_LEADER_OR_FOLLOWER briefly (they retry).
   */
  public void pause() {
    node.pause();
  }

  /** Thaws a paused broker (SIGCONT); it carries on where it stopped. */
  public void resume() {
    node.resume();
  }

  /**
   * Crashes the broker (SIGKILL: no shutdown, no flush beyond what the OS already has) and returns
   * once its process has ended, so its ports and data directory lock are free for {@link #start()}.
   */
  void kill() {
    node.kill();
  }

  /**
   * Stops the broker as an operator would (SIGTERM, Kafka's controlled shutdown), and by force
   * (SIGKILL) if it has not ended within 30 s. A paused broker is resumed first: a stopped process
   * would not act on SIGTERM. Does nothing if it is not running.
   */
  @Override
  public void close() {
    node.close();
  }
}
