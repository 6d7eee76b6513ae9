package dev.roomlog.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.processor.ProcessorSettings;
import dev.roomlog.processor.RoomProcessor;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.systemtest.SharedKafka;
import dev.roomlog.systemtest.WsClient;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * The state the room processor holds is a function of the write-ahead log: a second processor that
 * replays {@code actions} from scratch, under a new application id and with an empty state
 * directory, ends with the same rooms (members, seq, recent messages) and writes the same room
 * events, seq for seq.
 *
 * <p>The replay reads the live {@code actions} topic but writes its own {@code room-events} and
 * {@code deliveries}, so that nothing it emits reaches the live gateway or the live history.
 */
class ReplayEquivalenceIT {
  private static final Duration CATCH_UP = Duration.ofSeconds(30);

  @Test
  void aFreshReplayOfTheWriteAheadLogRebuildsTheSameRoomsAndEvents() throws Exception {
    try (InProcessRoomlog roomlog = InProcessRoomlog.start();
        WsClient alice = client(roomlog);
        WsClient carol = client(roomlog);
        WsClient dave = client(roomlog)) {
      String r1;
      String r2;
      String r3;
      try (WsClient bob = client(roomlog)) {
        r1 = create(alice, "alice", "c1");
        answer(bob, "joined", "joinRoom", "roomId", r1, "username", "bob", "requestId", "j1");
        answer(carol, "joined", "joinRoom", "roomId", r1, "username", "carol", "requestId", "j2");
        say(alice, r1, "m1", "s1");
        say(bob, r1, "m2", "s2");
        say(carol, r1, "m3", "s3");
        // Rejected: dave is not in r1, and the room he asks for does not exist.
        rejected(dave, 403, "sendMessage", "roomId", r1, "text", "let me in", "requestId", "e1");
        rejected(
            dave, 404, "joinRoom", "roomId", "no-such-room", "username", "dave", "requestId", "e2");
        answer(carol, "left", "leaveRoom", "roomId", r1, "requestId", "l1");
        // Rejected: carol has just left.
        rejected(carol, 403, "sendMessage", "roomId", r1, "text", "too late", "requestId", "e3");
        say(alice, r1, "m4", "s4");

        r2 = create(bob, "bob", "c2");
        answer(dave, "joined", "joinRoom", "roomId", r2, "username", "dave", "requestId", "j3");
        say(dave, r2, "m5", "s5");
        answer(alice, "joined", "joinRoom", "roomId", r2, "username", "alice", "requestId", "j4");
        say(bob, r2, "m6", "s6");
      }
      // bob's socket is gone: the gateway logs a $disconnect, which leaves both his rooms.
      alice.awaitFrame("memberLeft", left(r1, "bob", "disconnected"));
      dave.awaitFrame("memberLeft", left(r2, "bob", "disconnected"));

      try (WsClient eve = client(roomlog)) {
        r3 = create(eve, "eve", "c3");
        answer(carol, "joined", "joinRoom", "roomId", r3, "username", "carol", "requestId", "j5");
        say(eve, r3, "m7", "s7");
        say(eve, r3, "m8", "s8");
      }
      carol.awaitFrame("memberLeft", left(r3, "eve", "disconnected"));
      answer(carol, "left", "leaveRoom", "roomId", r3, "requestId", "l2");
      say(alice, r1, "m9", "s9");
      say(dave, r2, "m10", "s10");

      // Causal order across connections: frank joins r4 only after alice created it and wrote
      // in it. (Before the log was keyed by room, frank's and alice's actions sat on different
      // partitions and a replay could apply his join before her createRoom.)
      String r4;
      try (WsClient frank = client(roomlog)) {
        r4 = create(alice, "alice", "c4");
        for (int i = 1; i <= 5; i++) {
          say(alice, r4, "a" + i, "sa" + i);
        }
        answer(frank, "joined", "joinRoom", "roomId", r4, "username", "frank", "requestId", "j6");
        say(frank, r4, "f1", "sf1");
        say(alice, r4, "a6", "sa6");
        answer(frank, "left", "leaveRoom", "roomId", r4, "requestId", "l3");
      }

      String bootstrap = roomlog.bootstrapServers();
      TopicSet live = roomlog.topics();
      awaitConsumedToTheEnd(bootstrap, roomlog.applicationId(), List.of(live.actions().name()));
      Map<String, JsonNode> liveRooms = rooms(roomlog.processor());
      assertEquals(
          List.of(r1, r2, r3, r4).stream().sorted().toList(),
          List.copyOf(liveRooms.keySet()),
          "the live processor's rooms");
      // Not a vacuous comparison: the live state is what the clients were told.
      assertEquals(List.of("alice"), usernames(liveRooms.get(r1)));
      assertEquals(List.of("dave", "alice"), usernames(liveRooms.get(r2)));
      assertEquals(List.of(), usernames(liveRooms.get(r3)));
      assertEquals(List.of("alice"), usernames(liveRooms.get(r4)));
      assertEquals(
          11,
          liveRooms.get(r4).get("lastSeq").asLong(),
          "r4: created, joined, a1-a5, frank joined, f1, a6, frank left");

      // The replay: same actions topic, its own outputs, a new group and empty local state.
      TopicSet fresh = TopicSet.prefixed(SharedKafka.uniquePrefix());
      TopicSet replayTopics =
          new TopicSet(
              live.actions(),
              fresh.roomEvents(),
              fresh.deliveries(),
              fresh.deadLetters(),
              fresh.webhookRetry(),
              fresh.webhookDeadLetter(),
              fresh.webhookSubscriptions());
      TopicProvisioner.ensureTopics(bootstrap, replayTopics, 3, (short) 1);
      String replayId = roomlog.applicationId() + "-replay";
      ProcessorSettings settings =
          ProcessorSettings.defaults(bootstrap, Files.createTempDirectory("roomlog-it-replay"))
              .withApplicationId(replayId)
              .withReplicationFactor(1)
              .withTopics(replayTopics);
      Map<String, JsonNode> replayRooms;
      try (RoomProcessor replay = new RoomProcessor(settings)) {
        replay.start();
        await()
            .atMost(CATCH_UP)
            .alias("the replay processor RUNNING")
            .until(() -> replay.state() == KafkaStreams.State.RUNNING);
        awaitConsumedToTheEnd(bootstrap, replayId, List.of(live.actions().name()));
        replayRooms = rooms(replay);
      }

      // Every difference at once, room by room and field by field, so that a failure says
      // exactly where the replay went elsewhere.
      List<String> differences = new ArrayList<>();
      Map<String, List<RoomEvent>> liveEvents = eventsByRoom(bootstrap, live);
      Map<String, List<RoomEvent>> replayEvents = eventsByRoom(bootstrap, replayTopics);
      for (String roomId : liveRooms.keySet()) {
        JsonNode l = liveRooms.get(roomId);
        JsonNode r = replayRooms.get(roomId);
        if (r == null) {
          differences.add("room " + roomId + ": missing from the replay; live " + l);
          continue;
        }
        for (String field : List.of("lastSeq", "members", "recent")) {
          if (!l.get(field).equals(r.get(field))) {
            differences.add(
                "room "
                    + roomId
                    + " "
                    + field
                    + ": live "
                    + l.get(field)
                    + " replay "
                    + r.get(field));
          }
        }
        List<RoomEvent> events = liveEvents.getOrDefault(roomId, List.of());
        assertEquals(
            LongStream.rangeClosed(1, events.size()).boxed().toList(),
            events.stream().map(RoomEvent::seq).toList(),
            "live seqs of room " + roomId + " start at 1 with no gap");
        assertEquals(
            l.get("lastSeq").asLong(),
            events.size(),
            "the live state of room " + roomId + " is at its last event");
        // Every field, 'at' included: it is the gateway's receive time, carried in the log.
        List<RoomEvent> replayed = replayEvents.getOrDefault(roomId, List.of());
        for (int i = 0; i < Math.max(events.size(), replayed.size()); i++) {
          RoomEvent le = i < events.size() ? events.get(i) : null;
          RoomEvent re = i < replayed.size() ? replayed.get(i) : null;
          if (le == null || !le.equals(re)) {
            differences.add(
                "room " + roomId + " event #" + (i + 1) + ": live " + le + " replay " + re);
          }
        }
      }
      for (String roomId : replayRooms.keySet()) {
        if (!liveRooms.containsKey(roomId)) {
          differences.add("room " + roomId + ": only in the replay " + replayRooms.get(roomId));
        }
      }
      assertEquals(
          "", String.join("\n", differences), "the replay differs from the live processor");
    }
  }

  private static WsClient client(InProcessRoomlog roomlog) {
    return WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY);
  }

  private static String create(WsClient client, String username, String requestId) {
    return answer(client, "roomCreated", "createRoom", "username", username, "requestId", requestId)
        .get("roomId")
        .asText();
  }

  private static void say(WsClient client, String roomId, String text, String requestId) {
    answer(
        client, "message", "sendMessage", "roomId", roomId, "text", text, "requestId", requestId);
  }

  /** Sends the action and waits for its answer, which must be of type {@code expectedType}. */
  private static JsonNode answer(
      WsClient client, String expectedType, String action, String... fieldsAndValues) {
    client.sendAction(action, fieldsAndValues);
    JsonNode answer = client.awaitAnswer(requestId(fieldsAndValues));
    assertEquals(expectedType, answer.get("type").asText(), "answer to " + action + ": " + answer);
    return answer;
  }

  private static void rejected(
      WsClient client, int status, String action, String... fieldsAndValues) {
    JsonNode error = answer(client, "error", action, fieldsAndValues);
    assertEquals(status, error.get("status").asInt(), "status of " + error);
  }

  private static String requestId(String... fieldsAndValues) {
    for (int i = 0; i < fieldsAndValues.length; i += 2) {
      if (fieldsAndValues[i].equals("requestId")) {
        return fieldsAndValues[i + 1];
      }
    }
    throw new IllegalArgumentException("no requestId among " + List.of(fieldsAndValues));
  }

  private static Predicate<JsonNode> left(String roomId, String username, String reason) {
    return f ->
        f.get("roomId").asText().equals(roomId)
            && f.get("username").asText().equals(username)
            && f.get("reason").asText().equals(reason);
  }

  private static List<String> usernames(JsonNode room) {
    List<String> names = new ArrayList<>();
    room.get("members").forEach(m -> names.add(m.get("username").asText()));
    return names;
  }

  /** Every room in the processor's store, as JSON, by roomId. */
  private static Map<String, JsonNode> rooms(RoomProcessor processor) {
    Map<String, JsonNode> rooms = new TreeMap<>();
    processor.rooms().forEach((roomId, room) -> rooms.put(roomId, Json.MAPPER.valueToTree(room)));
    return rooms;
  }

  /** The room events of {@code topics}, by roomId, each room's in log order. */
  private static Map<String, List<RoomEvent>> eventsByRoom(String bootstrap, TopicSet topics) {
    Map<String, List<RoomEvent>> byRoom = new TreeMap<>();
    SharedKafka.readAll(bootstrap, topics.roomEvents())
        .forEach(r -> byRoom.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value()));
    return byRoom;
  }

  /**
   * Waits until the group has committed, on every partition of {@code topics}, an offset past which
   * no committed record remains. Not "committed offset == end offset": transactional topics (the
   * repartition topic) end in commit markers that a consumer never reports.
   */
  private static void awaitConsumedToTheEnd(String bootstrap, String group, List<String> topics) {
    await()
        .atMost(CATCH_UP)
        .pollInterval(Duration.ofMillis(200))
        .alias("group " + group + " has consumed " + topics + " to the end")
        .until(() -> unconsumedRecords(bootstrap, group, topics) == 0);
  }

  private static long unconsumedRecords(String bootstrap, String group, List<String> topics)
      throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed;
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      committed =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get(10, TimeUnit.SECONDS);
    }
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : topics) {
        consumer
            .partitionsFor(topic)
            .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      }
      consumer.assign(partitions);
      Map<TopicPartition, Long> beginning = consumer.beginningOffsets(partitions);
      for (TopicPartition p : partitions) {
        OffsetAndMetadata offset = committed.get(p);
        consumer.seek(p, offset == null ? beginning.get(p) : offset.offset());
      }
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long unconsumed = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read " + topics + " to the end within 10 s");
        }
        unconsumed += consumer.poll(Duration.ofMillis(100)).count();
      }
      return unconsumed;
    }
  }
}
