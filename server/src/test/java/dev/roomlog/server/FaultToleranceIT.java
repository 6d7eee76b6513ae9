package dev.roomlog.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.protocol.TopicSet;
import dev.roomlog.systemtest.ChatClients;
import dev.roomlog.systemtest.KafkaClusterProcess;
import dev.roomlog.systemtest.RoomlogProcess;
import dev.roomlog.systemtest.SharedKafka;
import dev.roomlog.systemtest.fault.HistoryReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 5's fault suite, with real processes and real signals: a 3-node Kafka cluster (replication
 * 3, min.insync.replicas 2), a room processor and two gateways, each in its own JVM, and chat
 * clients spread over both gateways in shared rooms, sending with clientMsgIds, reconnecting,
 * resuming with afterSeq and resending what was not acknowledged. While they chat:
 *
 * <ol>
 *   <li>the leader of the busiest room's partition is SIGKILLed and restarted, {@code rounds}
 *       times;
 *   <li>the processor is SIGKILLed mid-stream and restarted, {@code rounds} times;
 *   <li>a gateway is SIGKILLed: its clients move to the other gateway and resume, and its members
 *       must be removed from their rooms within the gateway timeout (no ghosts); it is then
 *       restarted under the same id;
 *   <li>a broker is SIGSTOPped past its timeouts (fenced, out of the ISR), then resumed.
 * </ol>
 *
 * Then the history checker, against every client's view and the room-events log, must find 0 lost
 * acknowledged messages, 0 duplicate effects, 0 gaps, 0 reorderings and no disagreement; and once
 * every client has closed, every room must be empty.
 *
 * <p>The CI run does 2 rounds of each kill and one freeze (about 2 minutes). {@code
 * -Droomlog.fault.rounds=100} runs the long soak, {@code -Droomlog.fault.pauses=N} freezes a broker
 * N times, and {@code -Droomlog.fault.phases=brokers,processor,gateway,pause} picks the faults.
 */
class FaultToleranceIT {
  private static final Logger LOG = LoggerFactory.getLogger(FaultToleranceIT.class);
  private static final String API_KEY = "fault-it-key";
  private static final int PARTITIONS = 3;
  private static final int CLIENTS = 6;
  private static final List<String> ROOMS = List.of("room-1", "room-2");
  private static final Duration GATEWAY_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);

  /** Progress (acknowledged messages, all clients) demanded after each fault. */
  private static final int PROGRESS = 30;

  private static final Duration PROGRESS_DEADLINE = Duration.ofSeconds(90);

  /**
   * How long a broker stays frozen at least: past the processor's and the delivery consumers'
   * request timeout (RoomTopology.CLIENT_REQUEST_TIMEOUT_MS, 10 s) and the gateway producer's
   * (logWriteTimeout / 2 - linger, 7.5 s), so requests sent to it time out rather than wait.
   */
  private static final Duration FROZEN_AT_LEAST = Duration.ofSeconds(12);

  private final int rounds = Integer.getInteger("roomlog.fault.rounds", 2);

  /** How many times a broker is frozen; the soak raises it. */
  private final int pauses = Integer.getInteger("roomlog.fault.pauses", 1);

  private final List<AutoCloseable> toClose = new ArrayList<>();

  /** Which of the four faults to run, in this order; all by default. */
  private final Set<String> phases =
      Set.of(
          System.getProperty("roomlog.fault.phases", "brokers,processor,gateway,pause").split(","));

  /** Kept when the test fails: the processes' logs (roomlog.log, node.log) are in it. */
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  @AfterEach
  void closeEverything() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closeLater(T closeable) {
    toClose.add(closeable);
    return closeable;
  }

  @Test
  void killingBrokersProcessorsAndGatewaysLosesNothingAcknowledgedAndLeavesNoGhosts()
      throws Exception {
    KafkaClusterProcess cluster = closeLater(KafkaClusterProcess.onFreePorts(dir.resolve("kafka")));
    cluster.start();
    String prefix = SharedKafka.uniquePrefix();
    TopicSet topics = TopicSet.prefixed(prefix);
    RoomlogProcess.KafkaFlags kafka =
        new RoomlogProcess.KafkaFlags(cluster.bootstrapServers(), prefix, PARTITIONS, (short) 3);

    RoomlogProcess processor =
        closeLater(
            RoomlogProcess.processor(
                    dir.resolve("processor"),
                    kafka,
                    prefix + "-app",
                    "--gateway-timeout",
                    GATEWAY_TIMEOUT.toSeconds() + "s")
                .start());
    String heartbeat =
        "--set=roomlog.gateway.heartbeatInterval=" + HEARTBEAT_INTERVAL.toMillis() + "ms";
    RoomlogProcess gatewayA =
        closeLater(
            RoomlogProcess.gateway(dir.resolve("gw-a"), kafka, "gw-a", API_KEY, heartbeat).start());
    RoomlogProcess gatewayB =
        closeLater(
            RoomlogProcess.gateway(dir.resolve("gw-b"), kafka, "gw-b", API_KEY, heartbeat).start());

    // Every client in both rooms, half of them on each gateway.
    ChatClients clients =
        closeLater(
            ChatClients.start(
                CLIENTS, List.of(gatewayA.port(), gatewayB.port()), API_KEY, i -> ROOMS));
    Map<String, Object> figures = new LinkedHashMap<>();
    awaitProgress(clients, PROGRESS, "the first messages");

    // 1. Broker leaders killed.
    String actions = topics.actions().name();
    int busiest = partitionOf(ROOMS.get(0));
    for (int round = 1; phases.contains("brokers") && round <= rounds; round++) {
      int leader = cluster.leaderOf(actions, busiest);
      LOG.info("round {}: SIGKILL broker {}, leader of {}-{}", round, leader, actions, busiest);
      cluster.kill(leader);
      awaitProgress(clients, PROGRESS, "chat with broker " + leader + " dead");
      cluster.start(leader);
      cluster.awaitFullyReplicated();
    }
    figures.put("broker kills", phases.contains("brokers") ? rounds : 0);

    // 2. The processor killed mid-stream.
    for (int round = 1; phases.contains("processor") && round <= rounds; round++) {
      awaitProgress(clients, PROGRESS / 3, "chat before the processor kill");
      LOG.info("round {}: SIGKILL the processor", round);
      processor.kill();
      processor.restart();
      awaitProgress(clients, PROGRESS, "chat after processor restart " + round);
    }
    figures.put("processor kills", phases.contains("processor") ? rounds : 0);

    // 3. A gateway killed: its members must go within the timeout, its clients move on.
    if (phases.contains("gateway")) {
      killGateway(gatewayA, clients, cluster, topics, figures);
    }

    // 4. A broker frozen past its session timeout, then thawed.
    List<Freeze> freezes = new ArrayList<>();
    for (int pause = 1; phases.contains("pause") && pause <= pauses; pause++) {
      freezeBroker(cluster, actions, busiest, clients, freezes);
    }
    figures.put("broker freezes (acknowledged while frozen, ms frozen)", freezes);

    finish(clients, cluster, topics, figures);
  }

  private static void killGateway(
      RoomlogProcess gatewayA,
      ChatClients clients,
      KafkaClusterProcess cluster,
      TopicSet topics,
      Map<String, Object> figures) {
    long killedAt = System.nanoTime();
    LOG.info("SIGKILL gateway gw-a");
    gatewayA.kill();
    Duration ghostBound = GATEWAY_TIMEOUT.plus(HEARTBEAT_INTERVAL).plusSeconds(10);
    await("every member on the killed gateway removed from its rooms")
        .atMost(ghostBound)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> membersOn("gw-a", cluster.bootstrapServers(), topics).isEmpty());
    long ghostsGoneMs = (System.nanoTime() - killedAt) / 1_000_000;
    figures.put("gateway SIGKILL -> its members removed (ms)", ghostsGoneMs);
    awaitProgress(clients, PROGRESS, "chat with gw-a dead, its clients on gw-b");
    gatewayA.restart();
    awaitProgress(clients, PROGRESS, "chat after gw-a restarted");
  }

  /**
   * Freezes the leader of the busiest partition until it is past every timeout (fenced by the
   * controller, so no longer leader, and dropped from the partition's ISR), then thaws it; the
   * rooms must then carry on. Progress while it is frozen is measured, not demanded: the gateway
   * keeps writing, but the processor's transactions and rebalances can wait on the frozen broker's
   * open sockets (see the issue notes).
   */
  private static void freezeBroker(
      KafkaClusterProcess cluster,
      String actions,
      int busiest,
      ChatClients clients,
      List<Freeze> freezes) {
    int frozen = cluster.leaderOf(actions, busiest);
    LOG.info("SIGSTOP broker {}", frozen);
    int before = clients.acknowledged();
    long frozenAt = System.nanoTime();
    cluster.pause(frozen);
    // Past every timeout: fenced by the controller (no longer leader, out of the ISR) and
    // frozen for longer than the clients' request timeout, so requests already sent to it fail.
    long pastTimeoutsNanos = FROZEN_AT_LEAST.toNanos();
    await("the frozen broker " + frozen + " fenced, out of the ISR, past the request timeouts")
        .atMost(FROZEN_AT_LEAST.plusSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                System.nanoTime() - frozenAt >= pastTimeoutsNanos
                    && cluster.leaderOf(actions, busiest) != frozen
                    && !cluster.inSyncReplicas(actions, busiest).contains(frozen));
    freezes.add(
        new Freeze(clients.acknowledged() - before, (System.nanoTime() - frozenAt) / 1_000_000));
    cluster.resume(frozen);
    LOG.info("SIGCONT broker {}", frozen);
    cluster.awaitFullyReplicated();
    awaitProgress(clients, PROGRESS, "chat after broker " + frozen + " thawed");
  }

  /** One freeze: messages acknowledged while the broker was frozen, and for how long. */
  private record Freeze(int acknowledged, long frozenMs) {}

  private static void finish(
      ChatClients clients,
      KafkaClusterProcess cluster,
      TopicSet topics,
      Map<String, Object> figures) {
    HistoryReport report =
        clients.finish(
            cluster.bootstrapServers(), topics, GATEWAY_TIMEOUT.plusSeconds(60), figures);
    LOG.info("fault suite figures: {}\n{}", figures, report);
    System.out.println("FaultToleranceIT figures: " + figures);
    System.out.println("FaultToleranceIT report: " + report);

    ChatClients.assertClean(report);
    assertTrue(report.acknowledged() > PROGRESS, "the clients got something done: " + report);
  }

  /** Waits until the clients together have {@code count} more acknowledged messages. */
  private static void awaitProgress(ChatClients clients, int count, String what) {
    clients.awaitProgress(count, PROGRESS_DEADLINE, what);
  }

  /** The partition of roomlog.actions a room's actions go to (the producer's default). */
  private static int partitionOf(String roomId) {
    return ChatClients.partitionOf(roomId, PARTITIONS);
  }

  private static Set<String> membersOn(String gatewayId, String bootstrap, TopicSet topics) {
    Set<String> on = new HashSet<>();
    ChatClients.members(ChatClients.roomEvents(bootstrap, topics))
        .forEach(
            (member, gateway) -> {
              if (gateway.equals(gatewayId)) {
                on.add(member);
              }
            });
    return on;
  }
}
