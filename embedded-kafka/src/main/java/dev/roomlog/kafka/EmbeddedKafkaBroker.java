package dev.roomlog.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one node) running inside this
 * JVM, for {@code roomlog dev} and for integration tests. No Docker, no second process.
 *
 * <p>The log directory is formatted on first use and reused afterwards, so topics and their records
 * survive a restart. Settings that a one-node cluster needs (replication factor 1 for the internal
 * topics that exactly-once relies on) are set here; everything else is Kafka's default.
 *
 * <p>Lifecycle: {@link #start()} once, then {@link #close()} once. A fatal broker fault halts the
 * whole JVM (Kafka's own policy), which is why tests share one broker per JVM rather than provoking
 * faults in it.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
  private static final int NODE_ID = 1;
  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  private static final String HOST = "127.0.0.1";

  private final Path logDir;
  private final int port;
  private final int controllerPort;
  private KafkaRaftServer server;

  /**
   * @param dataDir where the broker keeps its data (created if missing; reused if formatted)
   * @param port the client port, or 0 for a free one
   * @param controllerPort the KRaft controller port, or 0 for a free one
   */
  public EmbeddedKafkaBroker(Path dataDir, int port, int controllerPort) {
    Objects.requireNonNull(dataDir, "dataDir");
    this.logDir = dataDir.resolve("kafka").toAbsolutePath();
    this.port = port == 0 ? freePort() : checkPort("port", port);
    this.controllerPort =
        controllerPort == 0 ? freePort() : checkPort("controllerPort", controllerPort);
  }

  /** A broker on free ports, keeping its data in {@code dataDir}. */
  public static EmbeddedKafkaBroker onFreePorts(Path dataDir) {
    return new EmbeddedKafkaBroker(dataDir, 0, 0);
  }

  public synchronized void start() {
    if (server != null) {
      throw new IllegalStateException("the embedded broker is already started");
    }
    try {
      Files.createDirectories(logDir);
      KafkaConfig config = new KafkaConfig(brokerProperties(), false);
      formatIfNeeded();
      KafkaRaftServer raftServer = new KafkaRaftServer(config, Time.SYSTEM);
      raftServer.startup();
      server = raftServer;
      LOG.info("Embedded Kafka broker listening on {} (data in {})", bootstrapServers(), logDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the broker's data directory " + logDir, e);
    }
  }

  /** The address clients connect to, e.g. {@code 127.0.0.1:9092}. */
  public String bootstrapServers() {
    return HOST + ":" + port;
  }

  public int port() {
    return port;
  }

  public Path logDir() {
    return logDir;
  }

  @Override
  public synchronized void close() {
    if (server == null) {
      return;
    }
    server.shutdown();
    server.awaitShutdown();
    server = null;
    LOG.info("Embedded Kafka broker stopped");
  }

  private Properties brokerProperties() {
    return singleNodeProperties(logDir, port, controllerPort);
  }

  /**
   * The configuration of a one-node KRaft broker (broker and controller in one) on 127.0.0.1, node
   * id 1. Public so that a broker run in a JVM of its own (the fault tests' {@code
   * KafkaBrokerProcess}) uses exactly the settings of this one, plus its own.
   */
  public static Properties singleNodeProperties(Path logDir, int port, int controllerPort) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", String.valueOf(NODE_ID));
    p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    p.put(
        "listeners",
        "PLAINTEXT://"
            + HOST
            + ":"
            + port
            + ","
            + CONTROLLER_LISTENER
            + "://"
            + HOST
            + ":"
            + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
    p.put(
        "listener.security.protocol.map",
        "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logDir.toString());
    // One node: every internal topic must fit on it, including the transaction log that
    // exactly-once processing writes to.
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "5");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "5");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    // Roomlog creates its topics explicitly with the settings they need; a typo must not
    // silently create a topic with defaults.
    p.put("auto.create.topics.enable", "false");
    // The default is a 128 MiB on-heap buffer; a dev broker compacts little.
    p.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
    return p;
  }

  private static final String TRANSACTION_VERSION = "transaction.version";
  private static final short TRANSACTIONS_V1 = 1;

  private void formatIfNeeded() {
    if (Files.exists(logDir.resolve("meta.properties"))) {
      return;
    }
    try {
      new Formatter()
          .setClusterId(Uuid.randomUuid().toString())
          .setNodeId(NODE_ID)
          .setControllerListenerName(CONTROLLER_LISTENER)
          .setDirectories(List.of(logDir.toString()))
          .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          // Transactions version 1, not 2 (KIP-890), for now: under load the processor's
          // exactly-once producer on version 2 retried CONCURRENT_TRANSACTIONS and then
          // OUT_OF_ORDER_SEQUENCE ("expected sequence 0 for transactions v2 idempotent producer
          // with no existing state"), and the chat rate collapsed (2026-12-07, back to back on 2
          // cores: at 1,500 msg/s offered 1,088 were taken on version 2 with 27 such errors,
          // 1,562 on version 1 with none). docs/BENCHMARKS.md, "chat maximum".
          .setFeatureLevel(TRANSACTION_VERSION, TRANSACTIONS_V1)
          .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
          .run();
    } catch (Exception e) {
      throw new IllegalStateException("cannot format the broker's storage in " + logDir, e);
    }
  }

  private static int checkPort(String name, int value) {
    if (value < 1 || value > 65535) {
      throw new IllegalArgumentException(
          name + " must be 0 (any free port) or 1-65535, got " + value);
    }
    return value;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port", e);
    }
  }
}
