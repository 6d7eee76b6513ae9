package dev.roomlog.processor;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.roomlog.protocol.Delivery;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.frame.ServerFrame;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The real topology in {@code TopologyTestDriver} with every topic it reads and writes, and its
 * rooms store.
 */
final class TopologyHarness implements AutoCloseable {
  final TopologyTestDriver driver;
  final TestInputTopic<String, WalRecord> actions;
  final TestInputTopic<String, byte[]> rawActions;
  final TestOutputTopic<String, RoomEvent> roomEvents;

  /** The deliveries topic as written: frames to rooms, membership changes. */
  final TestOutputTopic<String, Delivery> rawDeliveries;

  /** The deliveries as each gateway resolves them: a frame and the connections it reaches. */
  final ResolvedDeliveries deliveries;

  final TestOutputTopic<String, byte[]> deadLetters;

  /** With the default settings, a history of 10 and topics of its own. */
  TopologyHarness(Path stateDir, String topicPrefix) {
    this(
        ProcessorSettings.defaults("unused:9092", stateDir)
            .withTopics(TopicSet.prefixed(topicPrefix))
            .withHistorySize(10));
  }

  TopologyHarness(ProcessorSettings settings) {
    TopicSet topics = settings.topics();
    driver =
        new TopologyTestDriver(
            RoomTopology.buildTopology(settings), RoomTopology.streamsConfig(settings));
    actions =
        driver.createInputTopic(
            topics.actions().name(),
            topics.actions().keySerde().serializer(),
            topics.actions().valueSerde().serializer());
    rawActions =
        driver.createInputTopic(
            topics.actions().name(), new StringSerializer(), new ByteArraySerializer());
    roomEvents =
        driver.createOutputTopic(
            topics.roomEvents().name(),
            topics.roomEvents().keySerde().deserializer(),
            topics.roomEvents().valueSerde().deserializer());
    rawDeliveries =
        driver.createOutputTopic(
            topics.deliveries().name(),
            topics.deliveries().keySerde().deserializer(),
            topics.deliveries().valueSerde().deserializer());
    deliveries = new ResolvedDeliveries(rawDeliveries);
    deadLetters =
        driver.createOutputTopic(
            topics.deadLetters().name(),
            topics.deadLetters().keySerde().deserializer(),
            topics.deadLetters().valueSerde().deserializer());
  }

  /** Writes the record as the gateway would: keyed by its key, stamped with its time. */
  void send(WalRecord record) {
    actions.pipeInput(record.key(), record, record.requestContext().requestTimeEpoch());
  }

  /** Every room, as its stores hold it, by roomId. */
  Map<String, RoomState> rooms() {
    return allRooms();
  }

  /** Every room, read from the room stores as a restarted task would load it. */
  Map<String, RoomState> allRooms() {
    KeyValueStore<String, RoomStores.Head> heads =
        driver.getKeyValueStore(RoomTopology.ROOM_HEADS_STORE);
    KeyValueStore<String, RoomStores.StoredMember> members =
        driver.getKeyValueStore(RoomTopology.ROOM_MEMBERS_STORE);
    KeyValueStore<String, RoomEvent> recent =
        driver.getKeyValueStore(RoomTopology.ROOM_RECENT_STORE);
    Map<String, RoomState> all = new TreeMap<>();
    try (KeyValueIterator<String, RoomState> it = legacyRooms().all()) {
      it.forEachRemaining(kv -> all.put(kv.key, kv.value));
    }
    try (KeyValueIterator<String, RoomStores.Head> it = heads.all()) {
      it.forEachRemaining(kv -> all.put(kv.key, RoomStores.load(heads, members, recent, kv.key)));
    }
    return all;
  }

  /** The store of the layout before issue 18: one whole room per record. */
  KeyValueStore<String, RoomState> legacyRooms() {
    return driver.getKeyValueStore(RoomTopology.ROOMS_STORE);
  }

  /** Reads and forgets everything written so far. */
  void drain() {
    roomEvents.readRecordsToList();
    deliveries.readRecordsToList();
    deadLetters.readRecordsToList();
  }

  static ServerFrame frame(Delivery d) {
    try {
      return Json.MAPPER.readValue(d.frame(), ServerFrame.class);
    } catch (JsonProcessingException e) {
      throw new AssertionError("delivery frame is not a server frame: " + d.frame(), e);
    }
  }

  @Override
  public void close() {
    driver.close();
  }
}
