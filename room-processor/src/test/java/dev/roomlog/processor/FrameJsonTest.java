package dev.roomlog.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.protocol.Delivery;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.frame.ServerFrame;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;

/**
 * {@link FrameJson} writes a joined answer with the history JSON its room keeps ({@link
 * RecentEvents}) and the rest by hand: a client must get exactly the characters {@link Json#write}
 * gives for the same frame, whatever the room and whatever its members and messages say.
 */
class FrameJsonTest {
  private static final String ROOM = "room-1";

  /** Pieces of text: JSON's escapes, control characters, non-ASCII, emoji, a lone surrogate. */
  private static final String[] PIECES = {
    "hello",
    " ",
    "\"",
    "\\",
    "/",
    "\n",
    "\r\n",
    "\t",
    "\b",
    "\f",
    "\u0000",
    "\u0001",
    "\u001f",
    "\u007f",
    "\u0080",
    "é",
    "Straße",
    "日本語",
    "\u2028",
    "\u2029",
    "\uFEFF",
    "😀",
    "👩‍👩‍👧",
    "🇫🇷",
    "\uD800",
    "<script>alert('x')</script>",
    "&amp;",
    "{\"type\":\"joined\"}",
    ",\"history\":[]",
  };

  @Test
  void joinedAnswersAreWhatJsonWriteGivesOverRandomRooms() {
    Random random = new Random(18);
    int checked = 0;
    for (int room = 0; room < 40; room++) {
      int history = random.nextInt(4) == 0 ? random.nextInt(3) : 1 + random.nextInt(120);
      int presenceLimit = random.nextInt(3) == 0 ? random.nextInt(6) : 1_000;
      RoomLogic logic = new RoomLogic(history, 100_000, presenceLimit);
      checked += walk(logic, random, 150 + random.nextInt(150));
    }
    assertTrue(checked > 5_000, "joined frames checked: " + checked);
  }

  /** A random walk over one room; after every step, probe joins compared both ways. */
  private static int walk(RoomLogic logic, Random random, int steps) {
    List<Fixtures.Client> members = new ArrayList<>();
    long at = 1_000;
    Fixtures.Client creator = Fixtures.Client.on("gw-a", "c0");
    RoomState state =
        run(
            logic,
            null,
            new Action.CreateRoom("create", text(random, 8), ROOM, null, null),
            creator,
            at);
    members.add(creator);
    int next = 1;
    int checked = 0;
    for (int step = 0; step < steps; step++) {
      at += 1 + random.nextInt(1000);
      int what = random.nextInt(10);
      if (what < 3 || members.isEmpty()) {
        Fixtures.Client joiner =
            Fixtures.Client.on(random.nextBoolean() ? "gw-a" : "gw-b", "c" + next++);
        state =
            run(
                logic,
                state,
                new Action.JoinRoom(requestId(random), ROOM, text(random, 12), null, null),
                joiner,
                at);
        members.add(joiner);
      } else if (what < 9) {
        Fixtures.Client sender = members.get(random.nextInt(members.size()));
        String clientMsgId = random.nextBoolean() ? null : text(random, 6);
        state =
            run(
                logic,
                state,
                new Action.SendMessage(requestId(random), ROOM, text(random, 200), clientMsgId),
                sender,
                at);
      } else {
        Fixtures.Client leaver = members.remove(random.nextInt(members.size()));
        state = run(logic, state, new Action.LeaveRoom(null, ROOM, null), leaver, at);
      }
      checked += probe(logic, state, random, "c" + next, at + 1);
    }
    return checked;
  }

  /** A join decided (not applied) in {@code state}: its answer written each way, compared. */
  private static int probe(RoomLogic logic, RoomState state, Random random, String id, long at) {
    Fixtures.Client joiner = Fixtures.Client.on("gw-b", id);
    Decision joined =
        logic.decide(
            state,
            new Action.JoinRoom(requestId(random), ROOM, text(random, 10), null, null),
            joiner.context(at));
    ServerFrame.Joined frame =
        assertInstanceOf(ServerFrame.Joined.class, joined.replies().get(0).frame());
    String expected = Json.write(frame);
    assertEquals(expected, FrameJson.write(frame, state.recentEvents()), "with the room's window");
    // A window that did not make these frames (a room read again from the stores): written anew.
    assertEquals(
        expected,
        FrameJson.write(frame, RecentEvents.of(new ArrayList<>(state.recent()))),
        "with another window");
    assertEquals(expected, FrameJson.write(frame, null), "without a window");
    // And as routed into the delivery the joiner's gateway gets.
    List<KeyValue<String, Delivery>> routed =
        DeliveryRouting.route(List.of(), joined.replies(), state.recentEvents());
    assertEquals(expected, routed.get(0).value.frame());
    return 1;
  }

  @Test
  void aMessageKeepsItsHistoryFrameAndJsonWhileItStaysInTheWindow() {
    RoomLogic logic = new RoomLogic(3);
    Fixtures.Client alice = Fixtures.Client.on("gw-a", "a");
    RoomState state =
        run(logic, null, new Action.CreateRoom("r", "alice", ROOM, null, null), alice, 1);
    state = run(logic, state, new Action.SendMessage("s1", ROOM, "first", null), alice, 2);
    state =
        run(logic, state, new Action.SendMessage("s2", ROOM, "second \"quoted\"", null), alice, 3);
    List<ServerFrame.Message> before = state.recentEvents().history();
    String firstJson = state.recentEvents().historyJson(before.get(1));

    state = run(logic, state, new Action.SendMessage("s3", ROOM, "third", null), alice, 4);
    List<ServerFrame.Message> after = state.recentEvents().history();

    // roomCreated left the window (3 events); "first" and "second" are the same frames, and the
    // JSON made of "second" before is the one kept.
    assertEquals(
        List.of("first", "second \"quoted\"", "third"),
        after.stream().map(ServerFrame.Message::text).toList());
    assertSame(before.get(0), after.get(0));
    assertSame(before.get(1), after.get(1));
    assertSame(firstJson, state.recentEvents().historyJson(after.get(1)));
    assertEquals(Json.write(after.get(1)), firstJson);
    // An equal frame that is not the kept one is written again, not trusted.
    ServerFrame.Message copy = after.get(1).withRequestId(null);
    assertEquals(after.get(1), copy);
    assertNotSame(firstJson, state.recentEvents().historyJson(copy));
    assertEquals(firstJson, state.recentEvents().historyJson(copy));
  }

  @Test
  void theWindowIsEqualToItsEventsWhateverItKeepsBesideThem() {
    RoomLogic logic = new RoomLogic(10);
    Fixtures.Client alice = Fixtures.Client.on("gw-a", "a");
    List<RoomEvent> log = new ArrayList<>();
    RoomState state = null;
    state =
        Fixtures.applyAll(
            logic,
            state,
            logic.decide(
                state, new Action.CreateRoom("r", "alice", ROOM, null, null), alice.context(1)),
            log);
    state =
        Fixtures.applyAll(
            logic,
            state,
            logic.decide(state, new Action.SendMessage("s", ROOM, "hi", null), alice.context(2)),
            log);
    state.recentEvents().history().forEach(state.recentEvents()::historyJson);
    RoomState fromStores =
        new RoomState(
            ROOM,
            state.lastSeq(),
            new ArrayList<>(state.members()),
            new ArrayList<>(state.recent()));
    assertEquals(fromStores, state);
    assertEquals(fromStores.hashCode(), state.hashCode());
    assertEquals(log, state.recent());
  }

  @Test
  void writesEveryComponentOfTheJoinedRecordAndItsMembers() {
    // FrameJson writes these by hand: a new component must be written there too.
    assertEquals(
        List.of(
            "roomId",
            "seq",
            "memberCount",
            "members",
            "membersNext",
            "history",
            "events",
            "requestId",
            "presence"),
        names(ServerFrame.Joined.class));
    assertEquals(List.of("connectionId", "username"), names(ServerFrame.MemberView.class));
  }

  private static List<String> names(Class<? extends Record> type) {
    return Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList();
  }

  private static RoomState run(
      RoomLogic logic, RoomState state, Action.RoomAction action, Fixtures.Client client, long at) {
    RoomState after = state;
    for (RoomEvent event : logic.decide(state, action, client.context(at)).events()) {
      after = logic.apply(after, event);
    }
    return after;
  }

  private static String requestId(Random random) {
    return random.nextInt(4) == 0 ? null : text(random, 4);
  }

  private static String text(Random random, int pieces) {
    StringBuilder text = new StringBuilder();
    int n = 1 + random.nextInt(pieces);
    for (int i = 0; i < n; i++) {
      text.append(PIECES[random.nextInt(PIECES.length)]);
    }
    return text.toString();
  }
}
