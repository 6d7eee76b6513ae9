package dev.roomlog.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.processor.Fixtures.Client;
import dev.roomlog.protocol.Delivery;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.Limits;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.frame.ServerFrame;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A room of more than 10,000 members through the whole topology, its deliveries resolved by each
 * gateway's member index: a join answers with the first page of members only, and the members
 * action pages through every member exactly once, in join order, while others join and leave
 * between the pages; it is answered to the asker alone and writes no room event.
 *
 * <p>The room's first 10,000 members are written to the stores as the processor writes them ({@link
 * RoomStores.Changes} of the room's events, and their memberships), not joined one record at a
 * time: the test driver commits after every record, which would take minutes here.
 */
class LargeRoomTopologyTest {
  private static final String ROOM = "arena";
  private static final int MEMBERS = 10_000;

  @TempDir Path stateDir;
  private TopologyHarness h;
  private long clock = Fixtures.CONNECTED_AT;
  private int nextClient;

  @AfterEach
  void close() {
    if (h != null) {
      h.close();
    }
  }

  private Client newClient() {
    int i = nextClient++;
    return Client.on("gw-" + (i % 4), "c" + i);
  }

  private void join(Client who) {
    h.send(who.wal(++clock, new Action.JoinRoom("j-" + who.connectionId(), ROOM, "u", null, null)));
  }

  /** The frames delivered to {@code connectionId} since the last read. */
  private List<ServerFrame> framesTo(String connectionId) {
    List<ServerFrame> out = new ArrayList<>();
    for (TestRecord<String, Delivery> r : h.deliveries.readRecordsToList()) {
      if (r.value().connectionIds().contains(connectionId)) {
        out.add(TopologyHarness.frame(r.value()));
      }
    }
    return out;
  }

  private <T extends ServerFrame> T only(Class<T> type, String connectionId) {
    List<ServerFrame> frames = framesTo(connectionId);
    assertEquals(1, frames.size(), "one answer to " + connectionId + ": " + frames);
    return type.cast(frames.get(0));
  }

  @Test
  void aLargeRoomAnswersAJoinWithItsFirstPageAndPagesEveryMemberOnceInJoinOrder() {
    h = new TopologyHarness(stateDir, "large-room-test");
    List<String> joinOrder = seedRoom(MEMBERS);

    Client late = newClient();
    join(late);
    joinOrder.add(late.connectionId());
    ServerFrame.Joined joined = only(ServerFrame.Joined.class, late.connectionId());
    assertEquals(MEMBERS + 1, joined.memberCount());
    assertEquals(Limits.FIRST_MEMBERS_PAGE, joined.members().size(), "the first page only");
    assertEquals(
        joinOrder.subList(0, Limits.FIRST_MEMBERS_PAGE),
        joined.members().stream().map(ServerFrame.MemberView::connectionId).toList());
    assertNotNull(joined.membersNext());
    h.drain();

    Random random = new Random(18);
    Set<String> present = new HashSet<>(joinOrder);
    Map<String, Integer> position = new HashMap<>();
    for (int i = 0; i < joinOrder.size(); i++) {
      position.put(joinOrder.get(i), i);
    }
    List<String> seen = new ArrayList<>();
    Long after = joined.membersNext();
    seen.addAll(joined.members().stream().map(ServerFrame.MemberView::connectionId).toList());
    int pages = 0;
    long eventsBefore = h.roomEvents.getQueueSize();
    do {
      int limit = 1 + random.nextInt(Limits.MAX_MEMBERS_PAGE);
      h.send(late.wal(++clock, new Action.ListMembers("p" + pages, ROOM, after, limit)));
      assertEquals(eventsBefore, h.roomEvents.getQueueSize(), "a page is no room event");
      ServerFrame.Members page = only(ServerFrame.Members.class, late.connectionId());
      assertEquals("p" + pages, page.requestId());
      assertEquals(present.size(), page.memberCount());
      assertTrue(page.members().size() <= limit);
      page.members().forEach(m -> seen.add(m.connectionId()));
      after = page.next();
      pages++;
      if (after != null) {
        // Between pages: someone joins (after every page so far), someone leaves, maybe not seen.
        Client joining = newClient();
        join(joining);
        position.put(joining.connectionId(), joinOrder.size());
        joinOrder.add(joining.connectionId());
        present.add(joining.connectionId());
        String leaving = joinOrder.get(1 + random.nextInt(joinOrder.size() - 2));
        if (present.remove(leaving)) {
          Client leaver =
              new Client(leaving, gatewayOf(leaving), Fixtures.run(gatewayOf(leaving), 1));
          h.send(leaver.wal(++clock, new Action.LeaveRoom(null, ROOM, null)));
        }
        h.drain();
        eventsBefore = h.roomEvents.getQueueSize();
      }
    } while (after != null);

    assertTrue(pages > 10, pages + " pages");
    assertEquals(seen.size(), new HashSet<>(seen).size(), "nobody twice");
    for (int i = 1; i < seen.size(); i++) {
      assertTrue(
          position.get(seen.get(i - 1)) < position.get(seen.get(i)),
          "join order at " + seen.get(i));
    }
    for (String member : present) {
      assertTrue(seen.contains(member), member + " was in the room throughout and never listed");
    }
    assertEquals(present.size(), h.rooms().get(ROOM).members().size(), "the stores agree");
  }

  @Test
  void onlyAMemberMayListAndNobodyElseHearsOfIt() {
    h = new TopologyHarness(stateDir, "large-room-test");
    Client owner = newClient();
    Client outsider = newClient();
    Client other = newClient();
    h.send(owner.wal(++clock, new Action.CreateRoom("c", "owner", ROOM, null)));
    join(other);
    h.drain();

    h.send(outsider.wal(++clock, new Action.ListMembers("q", ROOM, null, 10)));
    ServerFrame.ErrorFrame refused = only(ServerFrame.ErrorFrame.class, outsider.connectionId());
    assertEquals("notMember", refused.code());
    assertEquals("q", refused.requestId());
    h.send(outsider.wal(++clock, new Action.ListMembers("q2", "nowhere", null, 10)));
    assertEquals(
        "roomNotFound", only(ServerFrame.ErrorFrame.class, outsider.connectionId()).code());

    h.send(owner.wal(++clock, new Action.ListMembers("mine", ROOM, null, 1)));
    List<TestRecord<String, Delivery>> all = h.deliveries.readRecordsToList();
    assertEquals(1, all.size(), "to the asker alone: " + all);
    assertEquals(List.of(owner.connectionId()), all.get(0).value().connectionIds());
    ServerFrame.Members page = (ServerFrame.Members) TopologyHarness.frame(all.get(0).value());
    assertEquals(2, page.memberCount());
    assertEquals(List.of("owner"), page.members().stream().map(m -> m.username()).toList());
    assertNotNull(page.next());
    h.send(owner.wal(++clock, new Action.ListMembers("rest", ROOM, page.next(), 5)));
    ServerFrame.Members rest = only(ServerFrame.Members.class, owner.connectionId());
    assertEquals(
        List.of(other.connectionId()), rest.members().stream().map(m -> m.connectionId()).toList());
    assertNull(rest.next());
    assertTrue(h.roomEvents.isEmpty(), "no room event");
  }

  /**
   * A room of {@code size} members (c0, the creator, first) in the stores, as the processor would
   * have stored it after their joins; the ids of the members in join order.
   */
  private List<String> seedRoom(int size) {
    RoomLogic logic = new RoomLogic(10);
    List<RoomEvent> events = new ArrayList<>();
    List<String> joinOrder = new ArrayList<>();
    events.add(new RoomEvent.RoomCreated(ROOM, 1, clock, "u", null, null));
    KeyValueStore<String, String> memberships =
        h.driver.getKeyValueStore(RoomTopology.MEMBERSHIPS_STORE);
    for (int i = 0; i < size; i++) {
      Client member = newClient();
      events.add(
          new RoomEvent.MemberJoined(
              ROOM,
              events.size() + 1,
              ++clock,
              member.connectionId(),
              "u",
              member.gatewayId(),
              member.gatewayInstance(),
              null));
      joinOrder.add(member.connectionId());
      memberships.put(member.gatewayId() + '\u0000' + member.connectionId() + '\u0000' + ROOM, "");
    }
    RoomState state = null;
    for (RoomEvent e : events) {
      state = logic.apply(state, e);
    }
    RoomStores.Changes changes = new RoomStores.Changes();
    changes.room(null, state, events);
    changes.writeTo(
        h.driver.getKeyValueStore(RoomTopology.ROOM_HEADS_STORE),
        h.driver.getKeyValueStore(RoomTopology.ROOM_MEMBERS_STORE),
        h.driver.getKeyValueStore(RoomTopology.ROOM_RECENT_STORE),
        h.driver.getKeyValueStore(RoomTopology.ROOMS_STORE));
    return joinOrder;
  }

  private static String gatewayOf(String connectionId) {
    return "gw-" + (Integer.parseInt(connectionId.substring(1)) % 4);
  }
}
