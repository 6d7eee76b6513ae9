package dev.roomlog.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.processor.Fixtures.Client;
import dev.roomlog.protocol.Delivery;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.frame.ServerFrame;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The room stores of issue 18 (a head, members by room and connection, recent events by room and
 * seq) and the upgrade from the layout before it, where each room was one {@link RoomState} record
 * in the {@value RoomTopology#ROOMS_STORE} store. A processor of the new version starting on a data
 * directory (or a changelog) of the old one finds its rooms there: these tests put such rooms in
 * that store, as the old changelog's restore would, with their memberships, and go on from them.
 */
class RoomStateLayoutTest {
  private static final String ROOM = "lobby";
  private static final int HISTORY = 10;
  private static final Client ALICE = Client.on("gw-a", "c1");
  private static final Client BOB = Client.on("gw-b", "c2");
  private static final Client CAROL = Client.on("gw-a", "c3");

  @TempDir Path stateDir;

  private final RoomLogic logic = new RoomLogic(HISTORY);
  private final List<RoomEvent> oldEvents = new ArrayList<>();
  private TopologyHarness h;

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
  }

  private TopologyHarness start() {
    h =
        new TopologyHarness(
            ProcessorSettings.defaults("unused:9092", stateDir)
                .withTopics(TopicSet.prefixed("layout-test"))
                .withHistorySize(HISTORY));
    return h;
  }

  /** A room as the previous version stored it: the fold of its events, decided by the logic. */
  private RoomState oldRoom(String roomId, int messages) {
    RoomState state = decide(null, ALICE, 100, new Action.CreateRoom("a1", "alice", roomId, null));
    state = decide(state, BOB, 110, new Action.JoinRoom("b1", roomId, "bob", null, null));
    for (int i = 0; i < messages; i++) {
      state = decide(state, BOB, 120 + i, new Action.SendMessage(null, roomId, "old " + i, null));
    }
    return state;
  }

  private RoomState decide(RoomState state, Client who, long at, Action.RoomAction action) {
    for (RoomEvent event : logic.decide(state, action, who.context(at)).events()) {
      state = logic.apply(state, event);
      oldEvents.add(event);
    }
    return state;
  }

  /** What the previous version's restore leaves: the room record and its members' entries. */
  private void restoreOld(RoomState room) {
    h.legacyRooms().put(room.roomId(), room);
    KeyValueStore<String, String> memberships =
        h.driver.getKeyValueStore(RoomTopology.MEMBERSHIPS_STORE);
    for (RoomState.Member m : room.members()) {
      memberships.put(m.gatewayId() + '\u0000' + m.connectionId() + '\u0000' + room.roomId(), "");
    }
  }

  private static Map<String, RoomState> replay(RoomLogic logic, List<RoomEvent> events) {
    Map<String, RoomState> rooms = new TreeMap<>();
    for (RoomEvent e : events) {
      rooms.put(e.roomId(), logic.apply(rooms.get(e.roomId()), e));
    }
    return rooms;
  }

  @Test
  void aRoomOfThePreviousLayoutKeepsItsMembersAndHistoryAndGoesOnFromItsSeq() {
    RoomState old = oldRoom(ROOM, 12);
    start();
    restoreOld(old);

    h.send(BOB.wal(200, new Action.SendMessage("b9", ROOM, "new", null)));
    List<RoomEvent> events = new ArrayList<>(h.roomEvents.readValuesToList());
    assertEquals(1, events.size());
    assertEquals(old.lastSeq() + 1, events.get(0).seq(), "the seq goes on from the old room's");
    // Bob's answer, then the frame to the room for each gateway holding its old members. A gateway
    // learns its members from the membership changes sent to it, so the gateways of the previous
    // version (which never got any) are replaced by new runs, whose first heartbeat sweeps the
    // old runs' members; this test reads what the processor wrote.
    List<KeyValue<String, Delivery>> deliveries = h.rawDeliveries.readKeyValuesToList();
    assertEquals(
        List.of("gw-b", "gw-a"), deliveries.stream().map(kv -> kv.key).toList(), "bob, then alice");
    assertEquals(List.of("c2"), deliveries.get(0).value.connectionIds());
    assertEquals(
        Delivery.toRoom(ROOM, null, deliveries.get(1).value.frame()), deliveries.get(1).value);
    assertNull(h.legacyRooms().get(ROOM), "moved out of the old store by its first action");

    // A join that saw up to seq 9 gets the events since, the old room's among them.
    h.send(CAROL.wal(210, new Action.JoinRoom("j3", ROOM, "carol", 9L, null)));
    ServerFrame.Joined joined =
        (ServerFrame.Joined) TopologyHarness.frame(h.deliveries.readValuesToList().get(0));
    assertEquals(List.of(10L, 11L, 12L, 13L, 14L, 15L, 16L), seqs(joined.events()));

    // Bob's socket closes: the membership the old version stored still finds his room.
    h.send(BOB.disconnect(220));
    events.addAll(h.roomEvents.readValuesToList());
    assertTrue(
        events.stream()
            .anyMatch(
                e -> e instanceof RoomEvent.MemberLeft left && left.username().equals("bob")));

    RoomState now = h.rooms().get(ROOM);
    assertEquals(List.of("alice", "carol"), now.members().stream().map(m -> m.username()).toList());
    List<RoomEvent> all = new ArrayList<>(oldEvents);
    all.addAll(events);
    assertEquals(replay(logic, all).get(ROOM), now, "the fold of the old events and the new");
  }

  @Test
  void roomsOfThePreviousLayoutNobodyTouchesMoveInTheBackground() {
    RoomState lobby = oldRoom(ROOM, 3);
    RoomState games = oldRoom("games", 30);
    start();
    restoreOld(lobby);
    restoreOld(games);
    assertEquals(Map.of(ROOM, lobby, "games", games), h.rooms(), "read from the old store");

    h.driver.advanceWallClockTime(RoomStage.UPGRADE_EVERY);

    assertEquals(Map.of(ROOM, lobby, "games", games), h.rooms(), "read from the new stores");
    try (KeyValueIterator<String, RoomState> left = h.legacyRooms().all()) {
      assertTrue(!left.hasNext(), "the old store is empty");
    }
    h.send(ALICE.wal(300, new Action.SendMessage("a9", "games", "hi", null)));
    assertEquals(games.lastSeq() + 1, h.roomEvents.readValuesToList().get(0).seq());
  }

  @Test
  void theStoresHoldOneRecordPerMemberAndTheRecentWindowOnly() {
    start();
    h.send(ALICE.wal(100, new Action.CreateRoom("a1", "alice", ROOM, null)));
    h.send(BOB.wal(110, new Action.JoinRoom("b1", ROOM, "bob", null, null)));
    h.send(CAROL.wal(120, new Action.JoinRoom("c1", ROOM, "carol", null, null)));
    for (int i = 0; i < 3 * HISTORY; i++) {
      h.send(BOB.wal(130 + i, new Action.SendMessage(null, ROOM, "m" + i, null)));
    }
    h.send(BOB.wal(200, new Action.LeaveRoom("b2", ROOM, null)));
    List<RoomEvent> events = h.roomEvents.readValuesToList();

    assertEquals(
        List.of(RoomStores.memberKey(ROOM, "c1"), RoomStores.memberKey(ROOM, "c3")),
        keys(h.driver.getKeyValueStore(RoomTopology.ROOM_MEMBERS_STORE)));
    List<String> window =
        events.subList(events.size() - HISTORY, events.size()).stream()
            .map(e -> RoomStores.recentKey(ROOM, e.seq()))
            .toList();
    assertEquals(window, keys(h.driver.getKeyValueStore(RoomTopology.ROOM_RECENT_STORE)));
    RoomStores.Head head =
        (RoomStores.Head) h.driver.getKeyValueStore(RoomTopology.ROOM_HEADS_STORE).get(ROOM);
    assertEquals(
        new RoomStores.Head(ROOM, events.size(), 2, Map.of(), null, (long) events.size() - HISTORY),
        head);
    assertEquals(replay(logic, events).get(ROOM), h.rooms().get(ROOM));
  }

  private static List<String> keys(KeyValueStore<String, Object> store) {
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, Object> all = store.all()) {
      all.forEachRemaining(kv -> keys.add(kv.key));
    }
    return keys;
  }

  private static List<Long> seqs(List<ServerFrame> frames) {
    List<Long> seqs = new ArrayList<>();
    for (ServerFrame f : frames) {
      if (f instanceof ServerFrame.Message m) {
        seqs.add(m.seq());
      } else if (f instanceof ServerFrame.MemberJoined j) {
        seqs.add(j.seq());
      }
    }
    return seqs;
  }
}
