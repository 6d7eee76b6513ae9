package dev.roomlog.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.systemtest.fault.ChaosChatClient;
import dev.roomlog.systemtest.fault.HistoryChecker;
import dev.roomlog.systemtest.fault.HistoryReport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * The chat clients of a test that runs Roomlog's roles as processes of their own (the server's
 * FaultToleranceIT and ScaleOutIT): {@link ChaosChatClient}s spread over the gateways and judged by
 * one {@link HistoryChecker}, waits for their progress with a deadline, and the end of the run:
 * every send acknowledged, every client caught up with the room-events log and closed, every room
 * empty, then the checker's verdict against the log.
 *
 * <p>Client {@code i} is named {@code client-i}, connects first to gateway {@code i % gateways}
 * and, whenever it loses its connection, to the next one in turn. Each client sends 4 messages a
 * second in its rooms in turn, unbounded in count, at most 4 unacknowledged; it closes itself after
 * 3 hours at the latest (longer than the longest soak).
 *
 * <p>Lifecycle: {@link #start}, any waits, {@link #finish} (not reached when the test fails
 * earlier), {@link #close}. Drive it from the test's thread; the counts may be read from any.
 */
public final class ChatClients implements AutoCloseable {
  private final List<ChaosChatClient> clients;
  private final List<List<String>> rooms;
  private final HistoryChecker checker;

  private ChatClients(
      List<ChaosChatClient> clients, List<List<String>> rooms, HistoryChecker checker) {
    this.clients = clients;
    this.rooms = rooms;
    this.checker = checker;
  }

  /**
   * Starts {@code count} clients on the gateways listening on {@code gatewayPorts}; client {@code
   * i} joins the rooms {@code roomsOf.apply(i)}, creating those that are missing.
   */
  public static ChatClients start(
      int count, List<Integer> gatewayPorts, String apiKey, IntFunction<List<String>> roomsOf) {
    HistoryChecker checker = new HistoryChecker();
    List<ChaosChatClient> clients = new ArrayList<>();
    List<List<String>> rooms = new ArrayList<>();
    ChatClients chat = new ChatClients(clients, rooms, checker);
    try {
      for (int i = 0; i < count; i++) {
        List<Integer> ports = new ArrayList<>(gatewayPorts);
        Collections.rotate(ports, -(i % gatewayPorts.size()));
        rooms.add(List.copyOf(roomsOf.apply(i)));
        ChaosChatClient.Options options =
            new ChaosChatClient.Options(
                "client-" + i,
                ports,
                apiKey,
                rooms.get(i),
                true,
                4,
                Integer.MAX_VALUE,
                4,
                Duration.ofSeconds(3),
                Duration.ofSeconds(10),
                Duration.ofSeconds(1),
                Duration.ofHours(3));
        clients.add(ChaosChatClient.start(options, checker));
      }
    } catch (RuntimeException e) {
      chat.close();
      throw e;
    }
    return chat;
  }

  /** The clients, client {@code i} at index {@code i}. */
  public List<ChaosChatClient> clients() {
    return List.copyOf(clients);
  }

  /** Messages acknowledged so far, all clients together. */
  public int acknowledged() {
    return clients.stream().mapToInt(c -> c.stats().acknowledged()).sum();
  }

  /** Messages acknowledged so far in each room, all clients together; rooms with none absent. */
  public Map<String, Integer> acknowledgedByRoom() {
    return checker.acknowledgedByRoom();
  }

  /** Waits until the clients together have {@code count} more acknowledged messages. */
  public void awaitProgress(int count, Duration atMost, String what) {
    int from = acknowledged();
    await(what + ": " + count + " more acknowledged messages")
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> acknowledged() >= from + count);
  }

  /** Waits until every room the clients are in has {@code count} more acknowledged messages. */
  public void awaitProgressInEveryRoom(int count, Duration atMost, String what) {
    Map<String, Integer> from = acknowledgedByRoom();
    List<String> all = rooms.stream().flatMap(List::stream).distinct().sorted().toList();
    await(what + ": " + count + " more acknowledged messages in every room of " + all)
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              Map<String, Integer> now = acknowledgedByRoom();
              return all.stream()
                  .allMatch(r -> now.getOrDefault(r, 0) >= from.getOrDefault(r, 0) + count);
            });
  }

  /**
   * Ends the run and judges it: stops every client's sending and demands that each has every send
   * acknowledged, waits until each has seen its rooms up to the last event of the log, closes them,
   * waits until every room is empty (within {@code emptyRoomsDeadline}), and returns the checker's
   * verdict against the log. Adds the run's counts to {@code figures}.
   */
  public HistoryReport finish(
      String bootstrapServers,
      TopicSet topics,
      Duration emptyRoomsDeadline,
      Map<String, Object> figures) {
    for (ChaosChatClient client : clients) {
      assertTrue(
          client.stop(Duration.ofSeconds(90)),
          client.name() + " has unacknowledged sends: " + client.stats());
    }
    List<JsonNode> log = roomEvents(bootstrapServers, topics);
    Map<String, Long> lastSeqs = new TreeMap<>();
    for (JsonNode event : log) {
      lastSeqs.merge(event.get("roomId").asText(), event.get("seq").asLong(), Math::max);
    }
    for (int i = 0; i < clients.size(); i++) {
      for (String room : rooms.get(i)) {
        clients.get(i).awaitSeen(room, lastSeqs.get(room), Duration.ofSeconds(60));
      }
    }
    List<ChaosChatClient.Stats> stats = clients.stream().map(ChaosChatClient::stats).toList();
    clients.forEach(ChaosChatClient::close);
    await("every room empty once every client has closed")
        .atMost(emptyRoomsDeadline)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> members(roomEvents(bootstrapServers, topics)).isEmpty());

    HistoryReport report =
        checker.report(
            roomEvents(bootstrapServers, topics).stream()
                .map(HistoryChecker.LogEvent::fromJson)
                .toList());
    figures.put("messages sent", stats.stream().mapToInt(ChaosChatClient.Stats::generated).sum());
    figures.put("acknowledged", stats.stream().mapToInt(ChaosChatClient.Stats::acknowledged).sum());
    figures.put("resends", stats.stream().mapToInt(ChaosChatClient.Stats::resends).sum());
    figures.put(
        "connections lost", stats.stream().mapToInt(ChaosChatClient.Stats::connectionsLost).sum());
    figures.put("room events", lastSeqs);
    figures.put("gaps accepted after a 410", report.acknowledgedGaps().size());
    return report;
  }

  /**
   * Asserts that the verdict names no anomaly: every acknowledged message is in its room once, at
   * the seq it was acknowledged with, and every member received every event of its rooms once, in
   * seq order, with the same content as every other member and the log.
   */
  public static void assertClean(HistoryReport report) {
    assertEquals(List.of(), report.lost(), "acknowledged messages lost");
    assertEquals(List.of(), report.duplicateEffects(), "messages applied twice");
    assertEquals(List.of(), report.duplicateDeliveries(), "events delivered twice");
    assertEquals(List.of(), report.gaps(), "events a member never received");
    assertEquals(List.of(), report.reorderings(), "events received out of seq order");
    assertEquals(List.of(), report.disagreements(), "members who saw different events");
    assertEquals(List.of(), report.logAnomalies(), "gaps or duplicates in roomlog.room-events");
    assertTrue(report.clean(), report.toString());
  }

  /** Closes every client; idempotent. */
  @Override
  public void close() {
    clients.forEach(ChaosChatClient::close);
  }

  /**
   * The partition of roomlog.actions that a room's actions go to, out of {@code partitions}: the
   * producer's default partitioner on the key, the roomId.
   */
  public static int partitionOf(String roomId, int partitions) {
    return Utils.toPositive(Utils.murmur2(roomId.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /** Every committed event of roomlog.room-events, as JSON. */
  public static List<JsonNode> roomEvents(String bootstrap, TopicSet topics) {
    List<JsonNode> events = new ArrayList<>();
    for (ConsumerRecord<String, String> record :
        SharedKafka.readAll(
            bootstrap,
            topics.roomEvents().name(),
            new StringDeserializer(),
            new StringDeserializer())) {
      try {
        events.add(Json.MAPPER.readTree(record.value()));
      } catch (Exception e) {
        throw new AssertionError("unreadable room event: " + record.value(), e);
      }
    }
    return events;
  }

  /** The members of every room, replayed from the log: "roomId/connectionId" -> gatewayId. */
  public static Map<String, String> members(List<JsonNode> log) {
    Map<String, String> members = new TreeMap<>();
    for (JsonNode event : log) {
      String key = event.get("roomId").asText() + "/" + event.path("connectionId").asText();
      switch (event.get("type").asText()) {
        case "memberJoined" -> members.put(key, event.get("gatewayId").asText());
        case "memberLeft" -> members.remove(key);
        default -> {}
      }
    }
    return members;
  }
}
