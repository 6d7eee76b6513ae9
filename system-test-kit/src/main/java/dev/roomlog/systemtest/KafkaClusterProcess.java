package dev.roomlog.systemtest;

import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real three-node Kafka cluster, each node in a JVM of its own, for fault tests that one broker
 * cannot survive but a production cluster does: the leader of a partition crashes ({@link #kill})
 * while clients write, comes back on its data ({@link #start(int)}), or freezes past its session
 * ({@link #pause}, {@link #resume}).
 *
 * <p>Shape: three combined nodes (KRaft broker and controller in one JVM, node ids 1 to 3) with a
 * static three-voter controller quorum ({@code controller.quorum.voters}). Any one node can be
 * lost, the active controller included, and the quorum and every partition keep a majority. One
 * controller beside three brokers would cost a fourth JVM on a two-core machine and be a single
 * point of failure, so crashing it would stop the cluster rather than test it. With a static quorum
 * every node is formatted alike, with no {@code --initial-controllers} directory ids to generate
 * and hand around.
 *
 * <p>Durability is production's: replication factor 3 and {@code min.insync.replicas=2} for every
 * topic, including the offsets and transaction state topics, so a write acknowledged by {@code
 * acks=all} survives the loss of any one node, and exactly-once Kafka Streams works. Failure
 * detection is faster than Kafka's defaults, see {@link #nodeConfig}.
 *
 * <p>Every node listens on 127.0.0.1, on ports chosen once, at construction, so {@link
 * #bootstrapServers()} stays the same across restarts. {@code dir/node-N/} holds node N's {@code
 * server.properties}, data and output ({@code node.log}, appended to across restarts).
 *
 * <p>Lifecycle: {@link #start()}, then any sequence of the per-node faults, then {@link #close()}.
 * Drive it from one thread (the test's). No node outlives the test JVM (see {@link ChildProcess}).
 */
public final class KafkaClusterProcess implements AutoCloseable {
  static final int NODES = 3;
  private static final Duration REPLICATION_DEADLINE = Duration.ofSeconds(60);
  private static final String CONTROLLER_LISTENER = "CONTROLLER";

  private final Map<Integer, KafkaNode> nodes = new LinkedHashMap<>();
  private final String bootstrapServers;
  private Admin admin;

  private KafkaClusterProcess(Path dir) {
    Map<Integer, Integer> ports = new LinkedHashMap<>();
    Map<Integer, Integer> controllerPorts = new LinkedHashMap<>();
    for (int id = 1; id <= NODES; id++) {
      ports.put(id, KafkaNode.freePort());
      controllerPorts.put(id, KafkaNode.freePort());
    }
    String voters =
        controllerPorts.entrySet().stream()
            .map(e -> e.getKey() + "@" + KafkaNode.HOST + ":" + e.getValue())
            .collect(Collectors.joining(","));
    for (int id = 1; id <= NODES; id++) {
      Properties config = nodeConfig(id, ports.get(id), controllerPorts.get(id), voters);
      nodes.put(
          id,
          new KafkaNode("Kafka node " + id, id, ports.get(id), dir.resolve("node-" + id), config));
    }
    this.bootstrapServers =
        nodes.values().stream().map(KafkaNode::address).collect(Collectors.joining(","));
  }

  /**
   * A cluster on free ports that keeps each node's configuration, data and output in {@code dir}.
   */
  public static KafkaClusterProcess onFreePorts(Path dir) {
    return new KafkaClusterProcess(dir.toAbsolutePath());
  }

  /**
   * Starts every node that is not running (formatting all of them first if this directory has never
   * held the cluster) and returns once each one serves clients.
   *
   * @throws IllegalStateException if a node does not become ready within 60 s (the message quotes
   *     its output)
   */
  public void start() {
    if (nodes.values().stream().noneMatch(KafkaNode::isFormatted)) {
      String clusterId = Uuid.randomUuid().toString();
      nodes.values().forEach(node -> node.format(clusterId));
    }
    // Together: a node waits for a quorum of controllers before it serves.
    List<KafkaNode> launched = new ArrayList<>();
    for (KafkaNode node : nodes.values()) {
      if (!node.isRunning()) {
        node.launch();
        launched.add(node);
      }
    }
    launched.forEach(KafkaNode::awaitReady);
  }

  /**
   * Starts node {@code nodeId} again on its data (after {@link #kill}) and returns once it serves
   * clients. Its replicas may still be catching up: {@link #awaitFullyReplicated} waits for that.
   *
   * @throws IllegalStateException if it is running, or does not become ready within 60 s
   */
  public void start(int nodeId) {
    KafkaNode node = node(nodeId);
    node.launch();
    node.awaitReady();
  }

  /** Every node's address, comma-separated; the same across restarts. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The node ids, 1 to {@value #NODES}. */
  List<Integer> nodeIds() {
    return List.copyOf(nodes.keySet());
  }

  boolean isRunning(int nodeId) {
    return node(nodeId).isRunning();
  }

  /**
   * Crashes node {@code nodeId} (SIGKILL) and returns once its process has ended. The controller
   * fences it, and moves its leaderships, after the broker session timeout (3 s); until then
   * metadata still names it.
   */
  public void kill(int nodeId) {
    node(nodeId).kill();
  }

  /**
   * Freezes node {@code nodeId} (SIGSTOP). Past the 3 s broker session it is fenced: it leaves
   * every ISR and its leaderships move; if it was the active controller, the other two elect
   * another within about 2 s.
   */
  public void pause(int nodeId) {
    node(nodeId).pause();
  }

  /** Thaws node {@code nodeId} (SIGCONT): it is unfenced at its next heartbeat and catches up. */
  public void resume(int nodeId) {
    node(nodeId).resume();
  }

  /**
   * The id of the leader of {@code topic}'s {@code partition} as the cluster's metadata says now,
   * waiting up to 30 s while the partition has none (during an election). Right after a {@link
   * #kill}, this may still be the dead node, until the controller fences it.
   */
  public int leaderOf(String topic, int partition) {
    int[] leader = new int[1];
    await("a leader for " + topic + "-" + partition)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .pollInSameThread()
        .ignoreExceptions()
        .until(
            () -> {
              TopicPartitionInfo info =
                  describe(List.of(topic)).get(topic).partitions().get(partition);
              Node node = info.leader();
              if (node == null || node.isEmpty()) {
                return false;
              }
              leader[0] = node.id();
              return true;
            });
    return leader[0];
  }

  /**
   * The ids of the in-sync replicas of {@code topic}'s {@code partition}, as the metadata says now.
   */
  public List<Integer> inSyncReplicas(String topic, int partition) {
    try {
      return ids(describe(List.of(topic)).get(topic).partitions().get(partition).isr());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while describing " + topic, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot describe " + topic + ": " + e.getMessage(), e);
    }
  }

  /**
   * Waits until every partition of {@code topics} (no topic named: of every topic, the internal
   * ones included) has a leader and all its replicas in its ISR: a node restarted or resumed has
   * caught up, so the next fault starts from a whole cluster.
   *
   * @throws AssertionError if that takes over 60 s; the message names the partitions that were
   *     short
   */
  public void awaitFullyReplicated(String... topics) {
    List<String> lagging = new ArrayList<>();
    try {
      await("full replication of " + (topics.length == 0 ? "every topic" : List.of(topics)))
          .atMost(REPLICATION_DEADLINE)
          .pollInterval(Duration.ofMillis(200))
          .pollInSameThread()
          .ignoreExceptions()
          .until(
              () -> {
                List<String> now = underReplicated(topics);
                lagging.clear();
                lagging.addAll(now);
                return now.isEmpty();
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + "; short of replicas: " + lagging, e);
    }
  }

  /** The partitions without a leader or with replicas outside the ISR, and their ISR. */
  private List<String> underReplicated(String... topics) throws Exception {
    Collection<String> names =
        topics.length > 0
            ? List.of(topics)
            : admin()
                .listTopics(new ListTopicsOptions().listInternal(true))
                .names()
                .get(15, TimeUnit.SECONDS);
    List<String> found = new ArrayList<>();
    for (TopicDescription topic : describe(names).values()) {
      for (TopicPartitionInfo p : topic.partitions()) {
        boolean leaderless = p.leader() == null || p.leader().isEmpty();
        if (leaderless || p.isr().size() < p.replicas().size()) {
          found.add(
              topic.name()
                  + "-"
                  + p.partition()
                  + " (isr "
                  + ids(p.isr())
                  + " of "
                  + ids(p.replicas())
                  + ")");
        }
      }
    }
    return found;
  }

  /**
   * Ends every node by SIGKILL. A test cluster holds nothing worth a controlled shutdown, and three
   * nodes told to stop at once take seconds: the last one waits for a controller quorum that has
   * already gone.
   */
  @Override
  public void close() {
    try {
      if (admin != null) {
        admin.close(Duration.ofSeconds(5));
        admin = null;
      }
    } finally {
      nodes.values().forEach(KafkaNode::killAndClose);
    }
  }

  /**
   * One combined node's {@code server.properties} (without {@code log.dirs}, which {@link
   * KafkaNode} sets).
   */
  private static Properties nodeConfig(int nodeId, int port, int controllerPort, String voters) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", String.valueOf(nodeId));
    p.put("controller.quorum.voters", voters);
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    p.put(
        "listeners",
        "PLAINTEXT://"
            + KafkaNode.HOST
            + ":"
            + port
            + ","
            + CONTROLLER_LISTENER
            + "://"
            + KafkaNode.HOST
            + ":"
            + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://" + KafkaNode.HOST + ":" + port);
    p.put(
        "listener.security.protocol.map",
        "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    p.put("inter.broker.listener.name", "PLAINTEXT");

    // Production durability: an acks=all write is on at least two nodes before it is
    // acknowledged, for every topic, the internal ones that exactly-once relies on included.
    p.put("default.replication.factor", "3");
    p.put("min.insync.replicas", "2");
    p.put("offsets.topic.replication.factor", "3");
    p.put("transaction.state.log.replication.factor", "3");
    p.put("transaction.state.log.min.isr", "2");
    p.put("share.coordinator.state.topic.replication.factor", "3");
    p.put("share.coordinator.state.topic.min.isr", "2");
    // 5 partitions instead of 50 each: fewer replicas to catch up after every restart.
    p.put("offsets.topic.num.partitions", "5");
    p.put("transaction.state.log.num.partitions", "5");

    // Failure detection. A node that stops heartbeating is fenced after 3 s instead of 9 s:
    // that is how long its leaderships stay on a dead node, and how long a restarted node
    // waits for its previous registration to expire. Six heartbeats of 500 ms fit in a session,
    // so a node that is merely slow (a loaded two-core machine, a GC pause) is not fenced.
    p.put("broker.session.timeout.ms", "3000");
    p.put("broker.heartbeat.interval.ms", "500");
    // A follower that heartbeats but stops fetching leaves the ISR after 10 s (Kafka's default
    // before 2.5) instead of 30 s, so acks=all writes do not wait half a minute for it.
    p.put("replica.lag.time.max.ms", "10000");
    // The controller quorum's own timeouts stay Kafka's defaults, already quick: a new active
    // controller within about 2 s (controller.quorum.fetch.timeout.ms) of losing the old one.

    // As the embedded broker: no initial rebalance delay for consumer groups, topics only by
    // explicit creation, and a small log cleaner buffer (128 MiB on the heap by default).
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "false");
    p.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
    return p;
  }

  private KafkaNode node(int nodeId) {
    KafkaNode node = nodes.get(nodeId);
    if (node == null) {
      throw new IllegalArgumentException("no node " + nodeId + "; the nodes are " + nodes.keySet());
    }
    return node;
  }

  private Map<String, TopicDescription> describe(Collection<String> topics)
      throws InterruptedException, ExecutionException, TimeoutException {
    // Longer than the Admin's own 10 s, so that its retries at another node get their chance.
    return admin().describeTopics(topics).allTopicNames().get(15, TimeUnit.SECONDS);
  }

  /** One Admin for the cluster's lifetime; it finds live nodes by itself as nodes come and go. */
  private Admin admin() {
    if (admin == null) {
      admin =
          Admin.create(
              Map.of(
                  AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                  AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                  AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000));
    }
    return admin;
  }

  private static List<Integer> ids(List<Node> nodes) {
    return nodes.stream().map(Node::id).toList();
  }
}
