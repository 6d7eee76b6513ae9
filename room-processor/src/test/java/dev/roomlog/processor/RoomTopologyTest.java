package dev.roomlog.processor;

import static dev.roomlog.processor.Fixtures.heartbeat;
import static dev.roomlog.processor.Fixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.roomlog.processor.Fixtures.Client;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real topology in {@code TopologyTestDriver}: one partition, records keyed as the gateway keys
 * them ({@link WalRecord#key()}), each record's timestamp its {@code requestTimeEpoch}. No wall
 * clock is involved: every time the processor sees is a record's.
 */
class RoomTopologyTest {
  private static final String ROOM = "lobby";
  private static final TopicSet TOPICS = TopicSet.prefixed("topology-test");
  private static final Client ALICE = Client.on("gw-a", "c1");
  private static final Client BOB = Client.on("gw-b", "c2");
  private static final Client CAROL = Client.on("gw-a", "c3");

  @TempDir Path stateDir;
  @TempDir Path replayStateDir;

  private final List<TopologyHarness> started = new ArrayList<>();

  private TopologyHarness start(Path dir, UnaryOperator<ProcessorSettings> tweak) {
    ProcessorSettings settings =
        ProcessorSettings.defaults("unused:9092", dir).withTopics(TOPICS).withHistorySize(10);
    TopologyHarness harness = new TopologyHarness(tweak.apply(settings));
    started.add(harness);
    return harness;
  }

  private TopologyHarness start(UnaryOperator<ProcessorSettings> tweak) {
    return start(stateDir, tweak);
  }

  private TopologyHarness start() {
    return start(UnaryOperator.identity());
  }

  @AfterEach
  void stop() {
    started.forEach(TopologyHarness::close);
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

  /**
   * Asserts that each gateway gets the expected deliveries in the expected order: the order between
   * gateways is not kept (they are different keys of the deliveries topic, and are read apart).
   */
  private static void assertEachGatewayGets(
      List<KeyValue<String, Delivery>> expected,
      List<KeyValue<String, Delivery>> actual,
      String message) {
    assertEquals(perGateway(expected), perGateway(actual), message);
  }

  private static Map<String, List<Delivery>> perGateway(List<KeyValue<String, Delivery>> all) {
    Map<String, List<Delivery>> byGateway = new TreeMap<>();
    all.forEach(kv -> byGateway.computeIfAbsent(kv.key, g -> new ArrayList<>()).add(kv.value));
    return byGateway;
  }

  private static KeyValue<String, Delivery> delivery(Client to, ServerFrame frame) {
    return delivery(to.gatewayId(), List.of(to.connectionId()), frame);
  }

  private static RoomState.Member member(Client c, String username) {
    return new RoomState.Member(c.connectionId(), username, c.gatewayId(), c.gatewayInstance());
  }

  private static Action.JoinRoom join(String requestId, String username) {
    return new Action.JoinRoom(requestId, ROOM, username, null, null);
  }

  private static Action.CreateRoom create(String requestId, String username, String roomId) {
    return new Action.CreateRoom(requestId, username, roomId, null);
  }

  @Test
  void roomLifecycleAcrossTwoGatewaysProducesOrderedEventsAndPerGatewayDeliveries() {
    TopologyHarness h = start();
    h.send(ALICE.connect(100));
    h.send(BOB.connect(101));
    h.send(CAROL.connect(102));
    h.send(ALICE.wal(110, create("a1", "alice", ROOM)));
    h.send(BOB.wal(120, join("b1", "bob")));
    h.send(CAROL.wal(130, join("c-1", "carol")));
    h.send(BOB.wal(140, new Action.SendMessage("b2", ROOM, "hi all", "m1")));
    h.send(ALICE.wal(150, new Action.LeaveRoom("a2", ROOM, null)));
    h.send(BOB.disconnect(160));

    List<KeyValue<String, RoomEvent>> events = h.roomEvents.readKeyValuesToList();
    assertEquals(
        List.of(
            new RoomEvent.RoomCreated(ROOM, 1, 110, "alice"),
            new RoomEvent.MemberJoined(ROOM, 2, 110, "c1", "alice", "gw-a", "gw-a/run-1"),
            new RoomEvent.MemberJoined(ROOM, 3, 120, "c2", "bob", "gw-b", "gw-b/run-1"),
            new RoomEvent.MemberJoined(ROOM, 4, 130, "c3", "carol", "gw-a", "gw-a/run-1"),
            new RoomEvent.MessagePosted(ROOM, 5, 140, "c2", "bob", "hi all", "m1"),
            new RoomEvent.MemberLeft(ROOM, 6, 150, "c1", "alice", "left").withMemberCount(2),
            new RoomEvent.MemberLeft(ROOM, 7, 160, "c2", "bob", "disconnected").withMemberCount(1)),
        events.stream().map(kv -> kv.value).toList());
    assertTrue(events.stream().allMatch(kv -> kv.key.equals(ROOM)), "room events keyed by room");

    ServerFrame.Message bobsMessage =
        new ServerFrame.Message(ROOM, 5, "bob", "c2", "hi all", 140, "m1", "b2");
    assertEachGatewayGets(
        List.of(
            delivery(
                ALICE,
                new ServerFrame.RoomCreated(ROOM, 2, List.of(new MemberView("c1", "alice")), "a1")),
            delivery(
                BOB,
                new ServerFrame.Joined(
                    ROOM,
                    3,
                    List.of(new MemberView("c1", "alice"), new MemberView("c2", "bob")),
                    List.of(),
                    null,
                    "b1")),
            delivery(ALICE, new ServerFrame.MemberJoined(ROOM, 3, "c2", "bob", 120)),
            delivery(
                CAROL,
                new ServerFrame.Joined(
                    ROOM,
                    4,
                    List.of(
                        new MemberView("c1", "alice"),
                        new MemberView("c2", "bob"),
                        new MemberView("c3", "carol")),
                    List.of(),
                    null,
                    "c-1")),
            delivery(ALICE, new ServerFrame.MemberJoined(ROOM, 4, "c3", "carol", 130)),
            delivery(BOB, new ServerFrame.MemberJoined(ROOM, 4, "c3", "carol", 130)),
            // The sender's copy answers its request; both gw-a sockets share one other copy.
            delivery(BOB, bobsMessage),
            delivery("gw-a", List.of("c1", "c3"), bobsMessage.withoutRequestId()),
            delivery(ALICE, new ServerFrame.Left(ROOM, 6, "a2")),
            delivery(BOB, new ServerFrame.MemberLeft(ROOM, 6, "c1", "alice", "left", 150)),
            delivery(CAROL, new ServerFrame.MemberLeft(ROOM, 6, "c1", "alice", "left", 150)),
            // Bob's socket is gone: only Carol hears that he left.
            delivery(CAROL, new ServerFrame.MemberLeft(ROOM, 7, "c2", "bob", "disconnected", 160))),
        h.deliveries.readKeyValuesToList(),
        "each gateway's frames in order");

    assertEquals(List.of(member(CAROL, "carol")), h.rooms().get(ROOM).members());
  }

  @Test
  void storedRoomStateEqualsTheReplayOfTheRoomEventsTopic() {
    TopologyHarness h = start();
    h.send(ALICE.wal(110, create("a1", "alice", ROOM)));
    h.send(BOB.wal(120, join("b1", "bob")));
    h.send(BOB.wal(130, new Action.SendMessage("b2", ROOM, "one", null)));
    h.send(ALICE.wal(140, new Action.SendMessage("a2", ROOM, "two", "m2")));
    h.send(ALICE.disconnect(150));

    RoomState replayed = replay(new RoomLogic(10), h.roomEvents.readValuesToList()).get(ROOM);
    assertEquals(replayed, h.rooms().get(ROOM));
    assertEquals(6, replayed.lastSeq());
  }

  private static Map<String, RoomState> replay(RoomLogic logic, List<RoomEvent> events) {
    Map<String, RoomState> rooms = new LinkedHashMap<>();
    for (RoomEvent e : events) {
      rooms.put(e.roomId(), logic.apply(rooms.get(e.roomId()), e));
    }
    return rooms;
  }

  @Test
  void errorsReachOnlyTheRequesterOnItsGatewayWithItsRequestId() {
    TopologyHarness h = start();
    h.send(ALICE.wal(110, create("a1", "alice", ROOM)));
    h.drain();

    h.send(BOB.wal(120, new Action.SendMessage("b1", ROOM, "hi", null)));
    h.send(BOB.wal(130, new Action.JoinRoom("b2", "nowhere", "bob", null, null)));
    h.send(BOB.wal(140, create("b3", "bob", ROOM)));

    List<KeyValue<String, Delivery>> out = h.deliveries.readKeyValuesToList();
    assertEquals(3, out.size());
    for (KeyValue<String, Delivery> kv : out) {
      assertEquals("gw-b", kv.key);
      assertEquals(List.of("c2"), kv.value.connectionIds());
    }
    List<ServerFrame.ErrorFrame> errors =
        out.stream().map(kv -> (ServerFrame.ErrorFrame) frame(kv.value)).toList();
    assertEquals(
        List.of(403, 404, 409), errors.stream().map(ServerFrame.ErrorFrame::status).toList());
    assertEquals(
        List.of("notMember", "roomNotFound", "roomExists"),
        errors.stream().map(ServerFrame.ErrorFrame::code).toList());
    assertEquals(
        List.of("b1", "b2", "b3"), errors.stream().map(ServerFrame.ErrorFrame::requestId).toList());
    assertEquals("room 'nowhere' does not exist", errors.get(1).message());
    assertTrue(h.roomEvents.isEmpty(), "errors append no events");
  }

  @Test
  void unreadableWalRecordsAreSetAsideAndProcessingContinues() {
    TopologyHarness h = start();
    h.rawActions.pipeInput(ROOM, new byte[] {(byte) 0xff, 0x00, 0x7b, 0x13});
    h.rawActions.pipeInput(ROOM, "{\"action\":\"createRoom\"}".getBytes(StandardCharsets.UTF_8));
    h.rawActions.pipeInput(
        ROOM,
        "{\"action\":\"selfDestruct\",\"requestContext\":{}}".getBytes(StandardCharsets.UTF_8));
    h.send(ALICE.wal(110, create("a1", "alice", ROOM)));

    assertEquals(
        List.of(
            new RoomEvent.RoomCreated(ROOM, 1, 110, "alice"),
            new RoomEvent.MemberJoined(ROOM, 2, 110, "c1", "alice", "gw-a", "gw-a/run-1")),
        h.roomEvents.readValuesToList());
    assertEquals(1, h.deliveries.readValuesToList().size());
    assertEquals(3, h.deadLetters.readRecordsToList().size());
  }

  @Test
  void isOneStageWithNoRepartitionTopic() {
    ProcessorSettings settings = ProcessorSettings.defaults("unused:9092", stateDir);
    TopologyDescription description = RoomTopology.buildTopology(settings).describe();
    assertEquals(1, description.subtopologies().size(), description.toString());
    assertFalse(description.toString().contains("repartition"), description.toString());
    for (String store :
        List.of(
            RoomTopology.ROOMS_STORE,
            RoomTopology.ROOM_HEADS_STORE,
            RoomTopology.ROOM_MEMBERS_STORE,
            RoomTopology.ROOM_RECENT_STORE,
            RoomTopology.MEMBERSHIPS_STORE,
            RoomTopology.GATEWAYS_STORE,
            RoomTopology.ANSWERS_STORE)) {
      assertTrue(description.toString().contains(store), store);
    }
  }

  @Test
  void aDisconnectRemovesTheConnectionFromEveryRoomItIsInAndTellsTheOthersOnly() {
    TopologyHarness h = start();
    h.send(ALICE.wal(110, create("a1", "alice", ROOM)));
    h.send(ALICE.wal(120, create("a2", "alice", "games")));
    h.send(BOB.wal(130, join("b1", "bob")));
    h.send(BOB.wal(140, new Action.JoinRoom("b2", "games", "bob", null, null)));
    h.send(CAROL.wal(150, create("c-1", "carol", "music")));
    h.send(ALICE.wal(160, new Action.JoinRoom("a3", "music", "alice", null, null)));
    h.send(ALICE.wal(170, new Action.LeaveRoom("a4", "games", null)));
    h.drain();

    h.send(ALICE.disconnect(200));

    assertEquals(
        List.of(
            new RoomEvent.MemberLeft(ROOM, 4, 200, "c1", "alice", "disconnected")
                .withMemberCount(1),
            new RoomEvent.MemberLeft("music", 4, 200, "c1", "alice", "disconnected")
                .withMemberCount(1)),
        h.roomEvents.readValuesToList());
    assertEquals(
        List.of(
            delivery(BOB, new ServerFrame.MemberLeft(ROOM, 4, "c1", "alice", "disconnected", 200)),
            delivery(
                CAROL, new ServerFrame.MemberLeft("music", 4, "c1", "alice", "disconnected", 200))),
        h.deliveries.readKeyValuesToList(),
        "alice's socket is gone: she is not told");
    assertEquals(List.of(member(BOB, "bob")), h.rooms().get(ROOM).members());
    assertEquals(List.of(member(BOB, "bob")), h.rooms().get("games").members());
    assertEquals(List.of(member(CAROL, "carol")), h.rooms().get("music").members());

    h.send(ALICE.disconnect(200));
    assertTrue(h.roomEvents.isEmpty(), "the same $disconnect again (another partition's copy)");
    assertTrue(h.deliveries.isEmpty());
  }

  @Test
  void aGatewaySilentForLongerThanTheTimeoutLosesItsMembersAndTheyAreToldToo() {
    TopologyHarness h = start(s -> s.withGatewayTimeout(Duration.ofSeconds(15)));
    h.send(heartbeat("gw-a", run("gw-a", 1), 1_000));
    h.send(heartbeat("gw-b", run("gw-b", 1), 1_000));
    h.send(ALICE.wal(1_100, create("a1", "alice", ROOM)));
    h.send(BOB.wal(1_200, join("b1", "bob")));
    h.send(CAROL.wal(1_300, join("c-1", "carol")));
    h.drain();

    h.send(heartbeat("gw-b", run("gw-b", 1), 16_000));
    assertTrue(h.roomEvents.isEmpty(), "gw-a was last seen exactly the timeout ago: not yet");
    assertTrue(h.deliveries.isEmpty());

    h.send(heartbeat("gw-b", run("gw-b", 1), 16_001));

    assertEquals(
        List.of(
            new RoomEvent.MemberLeft(ROOM, 5, 16_001, "c1", "alice", "gatewayLost")
                .withMemberCount(2),
            new RoomEvent.MemberLeft(ROOM, 6, 16_001, "c3", "carol", "gatewayLost")
                .withMemberCount(1)),
        h.roomEvents.readValuesToList());
    ServerFrame aliceLost =
        new ServerFrame.MemberLeft(ROOM, 5, "c1", "alice", "gatewayLost", 16_001);
    ServerFrame carolLost =
        new ServerFrame.MemberLeft(ROOM, 6, "c3", "carol", "gatewayLost", 16_001);
    assertEachGatewayGets(
        List.of(
            delivery("gw-a", List.of("c1", "c3"), aliceLost),
            delivery(BOB, aliceLost),
            delivery(BOB, carolLost),
            delivery(CAROL, carolLost)),
        h.deliveries.readKeyValuesToList(),
        "the remaining member and each removed member hear of it");
    assertEquals(List.of(member(BOB, "bob")), h.rooms().get(ROOM).members());

    h.send(heartbeat("gw-b", run("gw-b", 1), 19_000));
    assertTrue(h.roomEvents.isEmpty(), "a lost gateway is swept once");
  }

  @Test
  void aRestartedGatewaysFirstHeartbeatRemovesTheEarlierRunsMembersAtOnceAndKeepsTheNewRuns() {
    TopologyHarness h = start(s -> s.withGatewayTimeout(Duration.ofSeconds(15)));
    Client dave = new Client("c4", "gw-a", run("gw-a", 2));
    Client erin = Client.on("gw-a", "c5"); // a connection of the earlier run, still in flight
    h.send(heartbeat("gw-a", run("gw-a", 1), 1_000));
    h.send(heartbeat("gw-b", run("gw-b", 1), 1_000));
    h.send(ALICE.wal(1_100, create("a1", "alice", ROOM)));
    h.send(BOB.wal(1_200, join("b1", "bob")));
    h.drain();

    h.send(heartbeat("gw-a", run("gw-a", 2), 2_000));

    assertEquals(
        List.of(
            new RoomEvent.MemberLeft(ROOM, 4, 2_000, "c1", "alice", "gatewayLost")
                .withMemberCount(1)),
        h.roomEvents.readValuesToList());
    ServerFrame aliceLost =
        new ServerFrame.MemberLeft(ROOM, 4, "c1", "alice", "gatewayLost", 2_000);
    assertEquals(
        List.of(delivery(ALICE, aliceLost), delivery(BOB, aliceLost)),
        h.deliveries.readKeyValuesToList());

    h.send(dave.wal(2_100, join("d1", "dave")));
    h.send(heartbeat("gw-a", run("gw-a", 2), 5_000));
    h.send(heartbeat("gw-b", run("gw-b", 1), 5_000));
    h.send(erin.wal(5_100, join("e1", "erin")));

    assertEquals(
        List.of(new RoomEvent.MemberJoined(ROOM, 5, 2_100, "c4", "dave", "gw-a", run("gw-a", 2))),
        h.roomEvents.readValuesToList(),
        "the new run's member stays; the old run's late join is not applied");
    List<KeyValue<String, Delivery>> out = h.deliveries.readKeyValuesToList();
    ServerFrame.ErrorFrame stale = (ServerFrame.ErrorFrame) frame(out.get(out.size() - 1).value);
    assertEquals(delivery(erin, stale), out.get(out.size() - 1));
    assertEquals(503, stale.status());
    assertEquals("staleGateway", stale.code());
    assertEquals("e1", stale.requestId());
    assertEquals(List.of(member(BOB, "bob"), member(dave, "dave")), h.rooms().get(ROOM).members());
  }

  @Test
  void aMessageRetriedFromANewConnectionOfTheSameUserGetsTheOriginalSeqAndPostsNothing() {
    TopologyHarness h = start();
    Client bobAgain = Client.on("gw-a", "c5");
    h.send(ALICE.wal(100, create("a1", "alice", ROOM)));
    h.send(BOB.wal(110, join("b1", "bob")));
    h.send(BOB.wal(120, new Action.SendMessage("b2", ROOM, "hello", "m1")));
    h.send(BOB.disconnect(130)); // the answer was lost with the connection
    h.send(bobAgain.wal(140, join("b3", "bob")));
    h.drain();

    h.send(bobAgain.wal(150, new Action.SendMessage("b4", ROOM, "hello", "m1")));

    assertTrue(h.roomEvents.isEmpty(), "the message is not posted twice");
    assertEquals(
        List.of(
            delivery(
                bobAgain, new ServerFrame.Message(ROOM, 4, "bob", "c2", "hello", 120, "m1", "b4"))),
        h.deliveries.readKeyValuesToList(),
        "only the retrying connection is answered, with the original message");

    h.send(bobAgain.wal(160, new Action.SendMessage("b5", ROOM, "something else", "m1")));
    ServerFrame.ErrorFrame reused = (ServerFrame.ErrorFrame) frame(h.deliveries.readValue());
    assertEquals("clientMsgIdReused", reused.code());
    assertEquals("b5", reused.requestId());
    assertTrue(h.roomEvents.isEmpty());
    assertEquals(6, h.rooms().get(ROOM).lastSeq());
  }

  @Test
  void aCreateRoomRetriedByItsCreatorFromANewConnectionJoinsItInsteadOfCreatingItAgain() {
    TopologyHarness h = start();
    Client aliceAgain = Client.on("gw-b", "c9");
    Action.CreateRoom first = new Action.CreateRoom("a1", "alice", ROOM, "k1");
    h.send(ALICE.wal(100, first));
    h.send(ALICE.disconnect(110)); // the gateway died before the answer reached her
    h.drain();

    h.send(aliceAgain.wal(120, new Action.CreateRoom("a2", "alice", ROOM, "k1")));

    assertEquals(
        List.of(new RoomEvent.MemberJoined(ROOM, 4, 120, "c9", "alice", "gw-b", run("gw-b", 1))),
        h.roomEvents.readValuesToList(),
        "no second roomCreated: the new connection joins the room created once");
    assertEquals(
        List.of(
            delivery(
                aliceAgain,
                new ServerFrame.RoomCreated(
                    ROOM, 4, List.of(new ServerFrame.MemberView("c9", "alice")), "a2"))),
        h.deliveries.readKeyValuesToList());

    h.send(aliceAgain.wal(130, new Action.SendMessage("a3", ROOM, "back", null)));
    assertEquals(5, h.roomEvents.readValue().seq(), "she can talk in it");
  }

  @Test
  void aCreateRoomWithoutARoomIdFromAnOlderLogGetsTheIdTheGatewayWouldHaveGiven() {
    TopologyHarness h = start();
    WalRecord legacy = ALICE.wal(100, new Action.CreateRoom("a1", "alice", null, null));

    // Older gateways keyed it by connection; the processor must not stop on it.
    h.actions.pipeInput(ALICE.connectionId(), legacy, 100);

    String expected =
        dev.roomlog.protocol.action.RoomIds.forCreate(
            (Action.CreateRoom) legacy.action(), legacy.requestContext().requestId());
    List<RoomEvent> events = h.roomEvents.readValuesToList();
    assertEquals(2, events.size(), "roomCreated and the creator's join: " + events);
    assertEquals(expected, events.get(0).roomId());
    assertEquals(List.of(member(ALICE, "alice")), h.rooms().get(expected).members());
  }

  @Test
  void aRetryAfterTheDedupWindowIsAppliedAgain() {
    TopologyHarness h = start(s -> s.withDedupWindow(Duration.ofSeconds(10)));
    h.send(ALICE.wal(1_000, create("a1", "alice", ROOM)));
    h.send(ALICE.wal(2_000, new Action.SendMessage("a2", ROOM, "hi", "m1")));
    h.drain();

    h.send(ALICE.wal(11_999, new Action.SendMessage("a3", ROOM, "hi", "m1")));
    assertTrue(h.roomEvents.isEmpty(), "still inside the window");
    assertEquals(
        new ServerFrame.Message(ROOM, 3, "alice", "c1", "hi", 2_000, "m1", "a3"),
        frame(h.deliveries.readValue()));

    h.send(ALICE.wal(12_001, new Action.SendMessage("a4", ROOM, "hi", "m1")));
    assertEquals(
        List.of(new RoomEvent.MessagePosted(ROOM, 4, 12_001, "c1", "alice", "hi", "m1")),
        h.roomEvents.readValuesToList());
    assertEquals(
        new ServerFrame.Message(ROOM, 4, "alice", "c1", "hi", 12_001, "m1", "a4"),
        frame(h.deliveries.readValue()));
  }

  @Test
  void aJoinWithAfterSeqAndAResumeCatchUpAndAResumePointTooOldIsRefusedWith410() {
    TopologyHarness h = start(s -> s.withHistorySize(4));
    Client bobAgain = Client.on("gw-b", "c6");
    h.send(ALICE.wal(100, create("a1", "alice", ROOM)));
    h.send(BOB.wal(110, join("b1", "bob")));
    h.send(ALICE.wal(120, new Action.SendMessage("a2", ROOM, "one", null)));
    h.send(BOB.disconnect(130));
    h.send(ALICE.wal(140, new Action.SendMessage("a3", ROOM, "two", null)));
    h.drain();

    h.send(bobAgain.wal(150, new Action.JoinRoom("b2", ROOM, "bob", 3L, null)));

    ServerFrame.Message one =
        new ServerFrame.Message(ROOM, 4, "alice", "c1", "one", 120, null, null);
    ServerFrame.Message two =
        new ServerFrame.Message(ROOM, 6, "alice", "c1", "two", 140, null, null);
    ServerFrame bobLeft = new ServerFrame.MemberLeft(ROOM, 5, "c2", "bob", "disconnected", 130);
    List<MemberView> members = List.of(new MemberView("c1", "alice"), new MemberView("c6", "bob"));
    assertEquals(
        List.of(
            delivery(
                bobAgain,
                new ServerFrame.Joined(ROOM, 7, members, null, List.of(one, bobLeft, two), "b2")),
            delivery(ALICE, new ServerFrame.MemberJoined(ROOM, 7, "c6", "bob", 150))),
        h.deliveries.readKeyValuesToList());

    h.send(ALICE.wal(160, new Action.Resume("a4", ROOM, 5)));
    assertEquals(
        List.of(
            delivery(
                ALICE,
                new ServerFrame.Resumed(
                    ROOM,
                    5,
                    7,
                    List.of(two, new ServerFrame.MemberJoined(ROOM, 7, "c6", "bob", 150)),
                    "a4"))),
        h.deliveries.readKeyValuesToList());

    h.send(CAROL.wal(170, new Action.JoinRoom("c-1", ROOM, "carol", 1L, null)));
    ServerFrame.ErrorFrame tooOld = (ServerFrame.ErrorFrame) frame(h.deliveries.readValue());
    assertEquals(410, tooOld.status());
    assertEquals("resumeTooOld", tooOld.code());
    assertEquals(4L, tooOld.oldestSeq());
    assertEquals(new ServerFrame.RoomSnapshot(ROOM, 7, members, List.of(one, two)), tooOld.room());
    assertTrue(h.deliveries.isEmpty(), "nobody else hears of it");

    assertEquals(
        List.of(new RoomEvent.MemberJoined(ROOM, 7, 150, "c6", "bob", "gw-b", "gw-b/run-1")),
        h.roomEvents.readValuesToList(),
        "only bob's join: a resume and a refused join append nothing");
    assertEquals(7, h.rooms().get(ROOM).lastSeq());
    assertTrue(h.rooms().get(ROOM).member("c3").isEmpty());
  }

  /**
   * A log of several clients on three gateways in three rooms: chat, retries, refusals, joins with
   * afterSeq, a resume, disconnects, a gateway restart and a lost gateway.
   */
  private static List<WalRecord> mixedLog() {
    Client dave = Client.on("gw-c", "c4");
    Client erin = Client.on("gw-b", "c8");
    Client aliceAgain = new Client("c7", "gw-a", run("gw-a", 2));
    List<WalRecord> log = new ArrayList<>();
    log.add(heartbeat("gw-a", run("gw-a", 1), 1_000));
    log.add(heartbeat("gw-b", run("gw-b", 1), 1_000));
    log.add(heartbeat("gw-c", run("gw-c", 1), 1_000));
    log.add(ALICE.connect(1_010));
    log.add(ALICE.wal(1_020, new Action.CreateRoom("a1", "alice", ROOM, "k1")));
    log.add(ALICE.wal(1_025, new Action.CreateRoom("a1", "alice", ROOM, "k1")));
    log.add(BOB.wal(1_030, new Action.JoinRoom("b1", ROOM, "bob", null, "j1")));
    log.add(CAROL.wal(1_040, create("c-1", "carol", "games")));
    log.add(dave.wal(1_050, new Action.JoinRoom("d1", "games", "dave", 0L, null)));
    log.add(BOB.wal(1_060, new Action.SendMessage("b2", ROOM, "hi alice", "m1")));
    log.add(dave.wal(1_070, new Action.JoinRoom("d2", ROOM, "dave", 2L, null)));
    log.add(BOB.wal(1_080, new Action.SendMessage("b3", ROOM, "hi alice", "m1")));
    log.add(ALICE.wal(1_090, new Action.SendMessage("a2", "games", "not a member", "x")));
    log.add(CAROL.wal(1_100, create("c-2", "carol", "games")));
    log.add(ALICE.wal(1_110, new Action.Resume("a3", ROOM, 3)));
    log.add(BOB.wal(1_120, new Action.JoinRoom("b4", "games", "bob", null, null)));
    log.add(heartbeat("gw-b", run("gw-b", 1), 4_000));
    log.add(heartbeat("gw-c", run("gw-c", 1), 4_000));
    log.add(dave.wal(4_010, new Action.SendMessage("d3", "games", "gg", "m1")));
    log.add(BOB.wal(4_020, new Action.LeaveRoom("b5", ROOM, "l1")));
    // gw-a restarts: alice and carol were on its first run.
    log.add(heartbeat("gw-a", run("gw-a", 2), 4_100));
    log.add(aliceAgain.wal(4_110, new Action.CreateRoom("a4", "alice", "music", null)));
    log.add(BOB.wal(4_120, new Action.JoinRoom("b6", "music", "bob", null, null)));
    log.add(erin.wal(4_125, new Action.JoinRoom("e1", "music", "erin", null, null)));
    log.add(CAROL.wal(4_130, new Action.SendMessage("c-3", "games", "stale", null)));
    log.add(erin.disconnect(4_140));
    log.add(heartbeat("gw-a", run("gw-a", 2), 15_000));
    // gw-c has been silent since 4000: dave is lost.
    log.add(heartbeat("gw-b", run("gw-b", 1), 20_000));
    log.add(heartbeat("gw-a", run("gw-a", 2), 30_000));
    log.add(aliceAgain.wal(30_010, new Action.SendMessage("a5", "music", "bob?", "m9")));
    return log;
  }

  @Test
  void replayingTheSameLogIntoAFreshProcessorGivesTheSameEventsDeliveriesAndRooms() {
    TopologyHarness first = start(stateDir, s -> s.withGatewayTimeout(Duration.ofSeconds(15)));
    mixedLog().forEach(first::send);
    List<TestRecord<String, RoomEvent>> events = first.roomEvents.readRecordsToList();
    List<TestRecord<String, Delivery>> deliveries = first.deliveries.readRecordsToList();
    Map<String, RoomState> rooms = first.allRooms();

    TopologyHarness replay =
        start(replayStateDir, s -> s.withGatewayTimeout(Duration.ofSeconds(15)));
    mixedLog().forEach(replay::send);

    assertEquals(events, replay.roomEvents.readRecordsToList());
    assertEquals(deliveries, replay.deliveries.readRecordsToList());
    assertEquals(rooms, replay.allRooms());

    // The log did what it was meant to, and each room is the fold of its events.
    assertEquals(List.of("games", ROOM, "music"), List.copyOf(rooms.keySet()));
    assertEquals(rooms, replay(new RoomLogic(10), events.stream().map(TestRecord::value).toList()));
    assertEquals(
        List.of(), usernames(rooms.get(ROOM)), "alice's old run swept, bob left, dave lost");
    assertEquals(List.of("bob"), usernames(rooms.get("games")), "carol's old run swept, dave lost");
    assertEquals(List.of("alice", "bob"), usernames(rooms.get("music")), "erin disconnected");
    assertEquals(6, rooms.get("music").lastSeq(), "erin joined and left, alice spoke");
  }

  private static List<String> usernames(RoomState room) {
    return room.members().stream().map(RoomState.Member::username).toList();
  }
}
