package dev.roomlog.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.processor.RoomTopology;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.systemtest.ChatClients;
import dev.roomlog.systemtest.KafkaClusterProcess;
import dev.roomlog.systemtest.RoomlogProcess;
import dev.roomlog.systemtest.SharedKafka;
import dev.roomlog.systemtest.fault.ChaosChatClient;
import dev.roomlog.systemtest.fault.HistoryReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.GroupState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 6's proof, on loopback: Roomlog's work is shared by several processes of each role, and
 * losing one of each stops nothing. A 3-node Kafka cluster (replication 3, min.insync.replicas 2),
 * two room processors of one Streams application and two gateways, each in its own JVM; eight
 * {@link ChaosChatClient}s, half of them on each gateway, chat in four rooms, one room on each
 * partition of the log, every room shared by two clients of each gateway.
 *
 * <ol>
 *   <li>Both processors own partitions, as the application's consumer group says, so both serve
 *       rooms; every room gets {@value #FIRST_MESSAGES} acknowledged messages.
 *   <li>One gateway and one processor are stopped as an operator would (SIGTERM; the crashes are
 *       {@link FaultToleranceIT}'s). The stopped gateway's clients reconnect to the other one and
 *       resume from the last seq they saw; the stopped processor's partitions move to the other
 *       processor, which then owns them all (the processors have instance ids, so the stopped one
 *       leaves the group at once); every room gets {@value #MORE_MESSAGES} more.
 *   <li>Every message sent was acknowledged, and the history checker, against every client's view
 *       and the room-events log, finds every member received every event of its rooms exactly once
 *       and in seq order: nothing lost, doubled, missing, reordered or disputed. The stopped
 *       gateway's members left their rooms by their {@code $disconnect}, none by timeout, and every
 *       room is empty once the clients close.
 * </ol>
 *
 * It logs its figures (messages acknowledged, resends, reconnects, how long each room stalled after
 * the stop) on one line starting "ScaleOutIT figures:".
 */
class ScaleOutIT {
  private static final Logger LOG = LoggerFactory.getLogger(ScaleOutIT.class);
  private static final String API_KEY = "scale-it-key";
  private static final int PARTITIONS = 4;
  private static final Set<Integer> ALL_PARTITIONS =
      IntStream.range(0, PARTITIONS).boxed().collect(Collectors.toCollection(TreeSet::new));

  /** Room k is on partition k, so a processor that owns a partition serves a room. */
  private static final List<String> ROOMS = oneRoomPerPartition();

  private static final int CLIENTS = 8;
  private static final Duration GATEWAY_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);

  /**
   * Every flag the processors get besides Kafka's, the application id and the state directory, in
   * one place: both processors run on this host, so a flag that binds a port must let each take a
   * free one.
   */
  private static final List<String> PROCESSOR_FLAGS =
      List.of("--gateway-timeout", GATEWAY_TIMEOUT.toSeconds() + "s");

  /** Acknowledged messages demanded in every room before the stop... */
  private static final int FIRST_MESSAGES = 40;

  /** ...and after it. */
  private static final int MORE_MESSAGES = 30;

  private static final Duration PROGRESS_DEADLINE = Duration.ofSeconds(90);

  /** A gateway stops at once; a processor commits and closes its Streams client (up to 30 s). */
  private static final Duration STOP_DEADLINE = Duration.ofSeconds(60);

  /**
   * How long the group may take to hand a stopped processor's partitions to the other: at most its
   * session timeout (were the leave lost), then a rebalance, with room for a loaded two-core
   * machine.
   */
  private static final Duration TAKEOVER_DEADLINE =
      Duration.ofMillis(RoomTopology.PROCESSOR_SESSION_TIMEOUT_MS).plusSeconds(60);

  private static final Duration GROUP_DEADLINE = Duration.ofSeconds(60);

  private final List<AutoCloseable> toClose = new ArrayList<>();

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
  void twoGatewaysAndTwoProcessorsShareTheRoomsAndTheSurvivorsCarryOnWhenOneOfEachStops()
      throws Exception {
    KafkaClusterProcess cluster = closeLater(KafkaClusterProcess.onFreePorts(dir.resolve("kafka")));
    cluster.start();
    String prefix = SharedKafka.uniquePrefix();
    TopicSet topics = TopicSet.prefixed(prefix);
    String applicationId = prefix + "-app";
    RoomlogProcess.KafkaFlags kafka =
        new RoomlogProcess.KafkaFlags(cluster.bootstrapServers(), prefix, PARTITIONS, (short) 3);
    Admin admin =
        closeLater(
            Admin.create(
                Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000)));
    ProcessorGroup group = new ProcessorGroup(admin, applicationId, topics.actions().name());
    Map<String, Object> figures = new LinkedHashMap<>();

    // The processors one after the other, so that the group tells which member is which: the
    // first owns every partition until the second joins and takes half.
    RoomlogProcess processorA = closeLater(processor("processor-a", kafka, applicationId).start());
    String clientA =
        group
            .awaitOwners(
                "processor-a alone owning every partition",
                owners -> owners.size() == 1 && owners.containsValue(ALL_PARTITIONS),
                GROUP_DEADLINE)
            .keySet()
            .iterator()
            .next();
    closeLater(processor("processor-b", kafka, applicationId).start());
    String clientB =
        group
            .awaitOwners(
                "processor-a and processor-b sharing the partitions",
                owners -> owners.size() == 2 && sharedByAll(owners),
                GROUP_DEADLINE)
            .keySet()
            .stream()
            .filter(client -> !client.equals(clientA))
            .findFirst()
            .orElseThrow();

    String heartbeat =
        "--set=roomlog.gateway.heartbeatInterval=" + HEARTBEAT_INTERVAL.toMillis() + "ms";
    RoomlogProcess gatewayA =
        closeLater(
            RoomlogProcess.gateway(dir.resolve("gw-a"), kafka, "gw-a", API_KEY, heartbeat).start());
    RoomlogProcess gatewayB =
        closeLater(
            RoomlogProcess.gateway(dir.resolve("gw-b"), kafka, "gw-b", API_KEY, heartbeat).start());

    // Client i on gateway i % 2, in rooms i and i + 1 (mod 4): two clients of each gateway in
    // every room.
    ChatClients chat =
        closeLater(
            ChatClients.start(
                CLIENTS,
                List.of(gatewayA.port(), gatewayB.port()),
                API_KEY,
                i -> List.of(ROOMS.get(i % ROOMS.size()), ROOMS.get((i + 1) % ROOMS.size()))));
    chat.awaitProgressInEveryRoom(
        FIRST_MESSAGES, PROGRESS_DEADLINE, "chat on two gateways and two processors");

    // The work was shared: each processor owns partitions, so rooms, right before the stop.
    Map<String, Set<Integer>> before =
        group.awaitOwners(
            "both processors owning partitions before the stop",
            owners -> owners.keySet().equals(Set.of(clientA, clientB)) && sharedByAll(owners),
            GROUP_DEADLINE);
    figures.put("rooms of processor-a before the stop", roomsOn(before.get(clientA)));
    figures.put("rooms of processor-b before the stop", roomsOn(before.get(clientB)));

    // One gateway and one processor stopped; the stall of every room measured from here.
    List<ChaosChatClient> clientsOfA = clientsOfGatewayA(chat);
    Map<String, Integer> ackedBeforeStop = acknowledgedByClient(clientsOfA);
    StallMeter stalls = closeLater(StallMeter.start(chat));
    long stopBegan = System.nanoTime();
    LOG.info("SIGTERM gateway gw-a");
    gatewayA.stop(STOP_DEADLINE);
    figures.put("gw-a stopped in (ms)", millisSince(stopBegan));
    long processorStopBegan = System.nanoTime();
    LOG.info("SIGTERM processor-a");
    processorA.stop(STOP_DEADLINE);
    figures.put("processor-a stopped in (ms)", millisSince(processorStopBegan));

    group.awaitOwners(
        "processor-b alone owning every partition after processor-a stopped",
        owners -> owners.equals(Map.of(clientB, ALL_PARTITIONS)),
        TAKEOVER_DEADLINE);
    figures.put(
        "processor-a stop -> processor-b owns every partition (ms)",
        millisSince(processorStopBegan));
    chat.awaitProgressInEveryRoom(
        MORE_MESSAGES, PROGRESS_DEADLINE, "chat on gw-b and processor-b alone");
    // Every client of the stopped gateway is back, on the other one, and gets through again.
    await("every client of gw-a reconnected to gw-b and acknowledged again")
        .atMost(PROGRESS_DEADLINE)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                clientsOfA.stream()
                    .allMatch(
                        c ->
                            c.stats().connectionsLost() >= 1
                                && c.stats().acknowledged() > ackedBeforeStop.get(c.name())));
    Map<String, Long> longestStalls = stalls.stop();
    figures.put("longest stall of each room after the stop (ms)", longestStalls);
    figures.put(
        "reconnects of gw-a's clients",
        clientsOfA.stream().mapToInt(c -> c.stats().connectionsLost()).sum());

    HistoryReport report =
        chat.finish(cluster.bootstrapServers(), topics, GATEWAY_TIMEOUT.plusSeconds(60), figures);
    List<JsonNode> log = ChatClients.roomEvents(cluster.bootstrapServers(), topics);
    LOG.info("scale-out figures: {}\n{}", figures, report);
    System.out.println("ScaleOutIT figures: " + figures);
    System.out.println("ScaleOutIT report: " + report);

    assertEquals(List.of(), report.unacknowledged(), "messages sent but never acknowledged");
    assertEquals(report.sends(), report.acknowledged(), "every message sent was acknowledged");
    // Each member received each event of its rooms exactly once, in seq order, as the log has it.
    ChatClients.assertClean(report);
    assertEquals(
        List.of(),
        leftOtherwiseThanDisconnected(log, "gw-a"),
        "gw-a's members leaving by anything but their $disconnect (a graceful stop writes them)");
    assertTrue(
        report.acknowledged() >= ROOMS.size() * (FIRST_MESSAGES + MORE_MESSAGES),
        "the clients got their messages through: " + report);
  }

  /**
   * A processor with an instance id (static membership), as docs/OPERATIONS.md recommends: its stop
   * hands its partitions over at once instead of after the session timeout.
   */
  private RoomlogProcess processor(
      String name, RoomlogProcess.KafkaFlags kafka, String applicationId) {
    List<String> flags = new ArrayList<>(PROCESSOR_FLAGS);
    flags.addAll(List.of("--instance-id", name));
    return RoomlogProcess.processor(
        dir.resolve(name), kafka, applicationId, flags.toArray(String[]::new));
  }

  /**
   * The processors' consumer group (named by their application id), read with Kafka's Admin: which
   * Streams client owns which partitions of the log {@code actions}.
   */
  private record ProcessorGroup(Admin admin, String applicationId, String actions) {
    /** Waits until the group is stable and its owners satisfy {@code condition}; returns them. */
    Map<String, Set<Integer>> awaitOwners(
        String what, Predicate<Map<String, Set<Integer>>> condition, Duration atMost) {
      return await(what)
          .atMost(atMost)
          .pollInterval(Duration.ofMillis(250))
          .pollInSameThread()
          .ignoreExceptions()
          .until(this::owners, condition);
    }

    /**
     * Each member's client id up to "-StreamThread-" (the application id and the Streams client's
     * process id) to the partitions of the log assigned to it; empty while the group is not stable.
     */
    Map<String, Set<Integer>> owners() throws Exception {
      ConsumerGroupDescription group =
          admin
              .describeConsumerGroups(List.of(applicationId))
              .describedGroups()
              .get(applicationId)
              .get(15, TimeUnit.SECONDS);
      if (group.groupState() != GroupState.STABLE) {
        return Map.of();
      }
      Map<String, Set<Integer>> owners = new TreeMap<>();
      for (MemberDescription member : group.members()) {
        String client = member.clientId().replaceFirst("-StreamThread-\\d+-consumer$", "");
        Set<Integer> partitions = owners.computeIfAbsent(client, c -> new TreeSet<>());
        member.assignment().topicPartitions().stream()
            .filter(tp -> tp.topic().equals(actions))
            .forEach(tp -> partitions.add(tp.partition()));
      }
      return owners;
    }
  }

  /** Every owner owns some partition, and together they own every partition. */
  private static boolean sharedByAll(Map<String, Set<Integer>> owners) {
    Set<Integer> union = new TreeSet<>();
    owners.values().forEach(union::addAll);
    return owners.values().stream().noneMatch(Set::isEmpty) && union.equals(ALL_PARTITIONS);
  }

  private static List<String> roomsOn(Set<Integer> partitions) {
    return partitions.stream().map(ROOMS::get).toList();
  }

  /** One room on each partition of the log, room k on partition k: the first "room-n" there. */
  private static List<String> oneRoomPerPartition() {
    List<String> rooms = new ArrayList<>(Collections.nCopies(PARTITIONS, (String) null));
    for (int n = 1; rooms.contains(null); n++) {
      String room = "room-" + n;
      int partition = ChatClients.partitionOf(room, PARTITIONS);
      if (rooms.get(partition) == null) {
        rooms.set(partition, room);
      }
    }
    return List.copyOf(rooms);
  }

  /** The clients that connect to gw-a first: the even ones. */
  private static List<ChaosChatClient> clientsOfGatewayA(ChatClients chat) {
    List<ChaosChatClient> all = chat.clients();
    return IntStream.range(0, all.size()).filter(i -> i % 2 == 0).mapToObj(all::get).toList();
  }

  private static Map<String, Integer> acknowledgedByClient(List<ChaosChatClient> clients) {
    Map<String, Integer> acked = new HashMap<>();
    clients.forEach(c -> acked.put(c.name(), c.stats().acknowledged()));
    return acked;
  }

  /**
   * The memberLeft events of connections that {@code gatewayId} held whose reason is not
   * "disconnected", as "roomId#seq reason".
   */
  private static List<String> leftOtherwiseThanDisconnected(List<JsonNode> log, String gatewayId) {
    Set<String> connections = new TreeSet<>();
    for (JsonNode event : log) {
      if (event.get("type").asText().equals("memberJoined")
          && event.get("gatewayId").asText().equals(gatewayId)) {
        connections.add(event.get("connectionId").asText());
      }
    }
    List<String> others = new ArrayList<>();
    for (JsonNode event : log) {
      if (event.get("type").asText().equals("memberLeft")
          && connections.contains(event.get("connectionId").asText())
          && !event.get("reason").asText().equals(RoomEvent.MemberLeft.DISCONNECTED)) {
        others.add(
            event.get("roomId").asText()
                + "#"
                + event.get("seq").asLong()
                + " "
                + event.get("reason").asText());
      }
    }
    return others;
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  /**
   * How long each room goes without a newly acknowledged message, from {@link #start} to {@link
   * #stop}: the stall its members notice. Samples the counts every 50 ms on a thread of its own, so
   * that it keeps measuring while the test waits for a process to stop. Its state is confined to
   * that thread until {@link #stop} has ended it.
   */
  private static final class StallMeter implements AutoCloseable {
    private static final long SAMPLE_MS = 50;

    private final ChatClients chat;
    private final ScheduledExecutorService sampler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "stall-meter");
              t.setDaemon(true);
              return t;
            });
    private final Map<String, Integer> counts = new HashMap<>();
    private final Map<String, Long> lastGrowthAt = new HashMap<>();
    private final Map<String, Long> longestNanos = new TreeMap<>();

    private StallMeter(ChatClients chat) {
      this.chat = chat;
    }

    static StallMeter start(ChatClients chat) {
      StallMeter meter = new StallMeter(chat);
      long now = System.nanoTime();
      chat.acknowledgedByRoom()
          .forEach(
              (room, count) -> {
                meter.counts.put(room, count);
                meter.lastGrowthAt.put(room, now);
                meter.longestNanos.put(room, 0L);
              });
      meter.sampler.scheduleAtFixedRate(meter::sample, SAMPLE_MS, SAMPLE_MS, TimeUnit.MILLISECONDS);
      return meter;
    }

    private void sample() {
      long now = System.nanoTime();
      chat.acknowledgedByRoom()
          .forEach(
              (room, count) -> {
                if (count > counts.getOrDefault(room, 0)) {
                  counts.put(room, count);
                  lastGrowthAt.put(room, now);
                }
                long since = now - lastGrowthAt.getOrDefault(room, now);
                longestNanos.merge(room, since, Math::max);
              });
    }

    /** Ends the sampling; returns each room's longest time without an acknowledgement, in ms. */
    Map<String, Long> stop() throws InterruptedException {
      sampler.shutdown();
      if (!sampler.awaitTermination(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the stall meter's sampler did not end");
      }
      Map<String, Long> millis = new TreeMap<>();
      longestNanos.forEach((room, nanos) -> millis.put(room, nanos / 1_000_000));
      return millis;
    }

    @Override
    public void close() {
      sampler.shutdownNow();
    }
  }
}
