package dev.roomlog.processor;

import static dev.roomlog.processor.Fixtures.connect;
import static dev.roomlog.processor.Fixtures.disconnect;
import static dev.roomlog.processor.Fixtures.wal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.roomlog.protocol.Delivery;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.frame.ServerFrame;
import dev.roomlog.protocol.frame.ServerFrame.MemberView;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoomTopologyTest {
  private static final String ROOM = "lobby";

  @TempDir Path stateDir;

  private TopologyTestDriver driver;
  private TestInputTopic<String, WalRecord> actions;
  private TestInputTopic<String, byte[]> rawActions;
  private TestOutputTopic<String, RoomEvent> roomEvents;
  private TestOutputTopic<String, Delivery> deliveries;

  @BeforeEach
  void start() {
    TopicSet topics = TopicSet.prefixed("topology-test");
    ProcessorSettings settings =
        ProcessorSettings.defaults("unused:9092", stateDir).withTopics(topics).withHistorySize(10);
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
    deliveries =
        driver.createOutputTopic(
            topics.deliveries().name(),
            topics.deliveries().keySerde().deserializer(),
            topics.deliveries().valueSerde().deserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private void send(WalRecord record) {
    actions.pipeInput(record.connectionId(), record);
  }

  private static ServerFrame frame(Delivery d) {
    try {
      return Json.MAPPER.readValue(d.frame(), ServerFrame.class);
    } catch (JsonProcessingException e) {
      throw new AssertionError("delivery frame is not a server frame: " + d.frame(), e);
    }
  }

  private static KeyValue<String, Delivery> delivery(
      String gatewayId, List<String> connectionIds, ServerFrame frame) {
    return KeyValue.pair(gatewayId, new Delivery(connectionIds, frame.toJson()));
  }

  @Test
  void roomLifecycleAcrossTwoGatewaysProducesOrderedEventsAndPerGatewayDeliveries() {
    send(connect("c1", "gw-a", 100));
    send(connect("c2", "gw-b", 101));
    send(connect("c3", "gw-a", 102));
    send(wal("c1", "gw-a", 110, new Action.CreateRoom("a1", "alice", ROOM)));
    send(wal("c2", "gw-b", 120, new Action.JoinRoom("b1", ROOM, "bob")));
    send(wal("c3", "gw-a", 130, new Action.JoinRoom("c-1", ROOM, "carol")));
    send(wal("c2", "gw-b", 140, new Action.SendMessage("b2", ROOM, "hi all", "m1")));
    send(wal("c1", "gw-a", 150, new Action.LeaveRoom("a2", ROOM)));
    send(disconnect("c2", "gw-b", 160));

    List<KeyValue<String, RoomEvent>> events = roomEvents.readKeyValuesToList();
    assertEquals(
        List.of(
            new RoomEvent.RoomCreated(ROOM, 1, 110, "alice"),
            new RoomEvent.MemberJoined(ROOM, 2, 110, "c1", "alice", "gw-a"),
            new RoomEvent.MemberJoined(ROOM, 3, 120, "c2", "bob", "gw-b"),
            new RoomEvent.MemberJoined(ROOM, 4, 130, "c3", "carol", "gw-a"),
            new RoomEvent.MessagePosted(ROOM, 5, 140, "c2", "bob", "hi all", "m1"),
            new RoomEvent.MemberLeft(ROOM, 6, 150, "c1", "alice", "left"),
            new RoomEvent.MemberLeft(ROOM, 7, 160, "c2", "bob", "disconnected")),
        events.stream().map(kv -> kv.value).toList());
    assertTrue(events.stream().allMatch(kv -> kv.key.equals(ROOM)), "room events keyed by room");

    ServerFrame.Message bobsMessage =
        new ServerFrame.Message(ROOM, 5, "bob", "c2", "hi all", 140, "m1", "b2");
    assertEquals(
        List.of(
            delivery("gw-a", List.of("c1"),
                new ServerFrame.RoomCreated(ROOM, 2, List.of(new MemberView("c1", "alice")), "a1")),
            delivery("gw-b", List.of("c2"),
                new ServerFrame.Joined(ROOM, 3,
                    List.of(new MemberView("c1", "alice"), new MemberView("c2", "bob")),
                    List.of(), "b1")),
            delivery("gw-a", List.of("c1"), new ServerFrame.MemberJoined(ROOM, 3, "c2", "bob", 120)),
            delivery("gw-a", List.of("c3"),
                new ServerFrame.Joined(ROOM, 4,
                    List.of(new MemberView("c1", "alice"), new MemberView("c2", "bob"),
                        new MemberView("c3", "carol")),
                    List.of(), "c-1")),
            delivery("gw-a", List.of("c1"), new ServerFrame.MemberJoined(ROOM, 4, "c3", "carol", 130)),
            delivery("gw-b", List.of("c2"), new ServerFrame.MemberJoined(ROOM, 4, "c3", "carol", 130)),
            // The sender's copy answers its request; both gw-a sockets share one other copy.
            delivery("gw-b", List.of("c2"), bobsMessage),
            delivery("gw-a", List.of("c1", "c3"), bobsMessage.withoutRequestId()),
            delivery("gw-a", List.of("c1"), new ServerFrame.Left(ROOM, 6, "a2")),
            delivery("gw-b", List.of("c2"),
                new ServerFrame.MemberLeft(ROOM, 6, "c1", "alice", "left", 150)),
            delivery("gw-a", List.of("c3"),
                new ServerFrame.MemberLeft(ROOM, 6, "c1", "alice", "left", 150)),
            // Bob's socket is gone: only Carol hears that he left.
            delivery("gw-a", List.of("c3"),
                new ServerFrame.MemberLeft(ROOM, 7, "c2", "bob", "disconnected", 160))),
        deliveries.readKeyValuesToList());

    KeyValueStore<String, ConnectionState> connections =
        driver.getKeyValueStore(RoomTopology.CONNECTIONS_STORE);
    assertNull(connections.get("c2"), "a disconnected connection is forgotten");
    assertEquals(new ConnectionState("gw-a", List.of(ROOM)), connections.get("c3"));
  }

  @Test
  void storedRoomStateEqualsTheReplayOfTheRoomEventsTopic() {
    send(wal("c1", "gw-a", 110, new Action.CreateRoom("a1", "alice", ROOM)));
    send(wal("c2", "gw-b", 120, new Action.JoinRoom("b1", ROOM, "bob")));
    send(wal("c2", "gw-b", 130, new Action.SendMessage("b2", ROOM, "one", null)));
    send(wal("c1", "gw-a", 140, new Action.SendMessage("a2", ROOM, "two", "m2")));
    send(disconnect("c1", "gw-a", 150));

    RoomLogic logic = new RoomLogic(10);
    RoomState replayed = null;
    for (RoomEvent e : roomEvents.readValuesToList()) {
      replayed = logic.apply(replayed, e);
    }
    KeyValueStore<String, RoomState> rooms = driver.getKeyValueStore(RoomTopology.ROOMS_STORE);
    assertEquals(replayed, rooms.get(ROOM));
    assertEquals(6, replayed.lastSeq());
  }

  @Test
  void errorsReachOnlyTheRequesterOnItsGatewayWithItsRequestId() {
    send(wal("c1", "gw-a", 110, new Action.CreateRoom("a1", "alice", ROOM)));
    deliveries.readKeyValuesToList();

    send(wal("c2", "gw-b", 120, new Action.SendMessage("b1", ROOM, "hi", null)));
    send(wal("c2", "gw-b", 130, new Action.JoinRoom("b2", "nowhere", "bob")));
    send(wal("c2", "gw-b", 140, new Action.CreateRoom("b3", "bob", ROOM)));

    List<KeyValue<String, Delivery>> out = deliveries.readKeyValuesToList();
    assertEquals(3, out.size());
    for (KeyValue<String, Delivery> kv : out) {
      assertEquals("gw-b", kv.key);
      assertEquals(List.of("c2"), kv.value.connectionIds());
    }
    List<ServerFrame.ErrorFrame> errors =
        out.stream().map(kv -> (ServerFrame.ErrorFrame) frame(kv.value)).toList();
    assertEquals(List.of(403, 404, 409), errors.stream().map(ServerFrame.ErrorFrame::status).toList());
    assertEquals(List.of("notMember", "roomNotFound", "roomExists"),
        errors.stream().map(ServerFrame.ErrorFrame::code).toList());
    assertEquals(List.of("b1", "b2", "b3"),
        errors.stream().map(ServerFrame.ErrorFrame::requestId).toList());
    assertEquals("room 'nowhere' does not exist", errors.get(1).message());
    assertEquals(2, roomEvents.readValuesToList().size(), "errors append no events");
  }

  @Test
  void createRoomWithoutIdGetsTheIdDerivedFromTheGatewayRequestId() {
    send(wal("c1", "gw-a", 110, new Action.CreateRoom("a1", "alice", null)));
    ServerFrame.RoomCreated created =
        (ServerFrame.RoomCreated) frame(deliveries.readValue());
    assertEquals("r-gw-c1-110", created.roomId());
    assertEquals("r-gw-c1-110", roomEvents.readKeyValue().key);
  }

  @Test
  void unreadableWalRecordsAreSkippedAndProcessingContinues() {
    rawActions.pipeInput("c1", new byte[] {(byte) 0xff, 0x00, 0x7b, 0x13});
    rawActions.pipeInput("c1", "{\"action\":\"createRoom\"}".getBytes(StandardCharsets.UTF_8));
    rawActions.pipeInput(
        "c1", "{\"action\":\"selfDestruct\",\"requestContext\":{}}".getBytes(StandardCharsets.UTF_8));
    send(wal("c1", "gw-a", 110, new Action.CreateRoom("a1", "alice", ROOM)));

    assertEquals(
        List.of(
            new RoomEvent.RoomCreated(ROOM, 1, 110, "alice"),
            new RoomEvent.MemberJoined(ROOM, 2, 110, "c1", "alice", "gw-a")),
        roomEvents.readValuesToList());
    assertEquals(1, deliveries.readValuesToList().size());
  }

  @Test
  void reKeysThroughTheNamedRoomCommandsRepartitionTopic() {
    ProcessorSettings settings = ProcessorSettings.defaults("unused:9092", stateDir);
    String description = RoomTopology.buildTopology(settings).describe().toString();
    assertTrue(description.contains("room-commands-repartition"), description);
    assertTrue(description.contains(RoomTopology.CONNECTIONS_STORE), description);
    assertTrue(description.contains(RoomTopology.ROOMS_STORE), description);
  }
}
