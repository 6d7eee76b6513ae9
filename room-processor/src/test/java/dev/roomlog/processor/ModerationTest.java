package dev.roomlog.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.processor.Fixtures.Client;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.Authorizer;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.frame.ErrorCode;
import dev.roomlog.protocol.frame.ServerFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Kick and ban ({@code $moderate}) in {@link RoomLogic}: decide, replay, assert. */
class ModerationTest {
  private static final String ROOM = "lobby";
  private static final Client ALICE = Client.on("gw-a", "c1");
  private static final Client BOB = Client.on("gw-b", "c2");
  private static final Client BOB_AGAIN = Client.on("gw-a", "c3");
  private static final Client ADMIN = Client.on("gw-a", "gw-a.post-1");
  private static final Authorizer BOB_TOKEN =
      new Authorizer(Authorizer.TOKEN, "user-42", "bob", null, null, null);
  private static final long HOUR = 3_600_000;

  private final RoomLogic logic = new RoomLogic(10);
  private final List<RoomEvent> log = new ArrayList<>();
  private RoomState state;
  private long clock = 1_000;

  private Decision run(Client who, Action.RoomAction action) {
    return run(who, action, null);
  }

  private Decision run(Client who, Action.RoomAction action, Authorizer authorizer) {
    clock += 10;
    RequestContext ctx = who.context(clock, authorizer);
    Decision d = logic.decide(state, action, ctx);
    state = Fixtures.applyAll(logic, state, d, log);
    return d;
  }

  private static Action.Moderate kick(String user, String reason, Long banForMs) {
    return new Action.Moderate("m1", ROOM, user, reason, banForMs);
  }

  private void aliceAndBobTwiceByToken() {
    run(ALICE, new Action.CreateRoom("a1", "alice", ROOM, null));
    run(BOB, new Action.JoinRoom("b1", ROOM, "bob", null, null), BOB_TOKEN);
    run(BOB_AGAIN, new Action.JoinRoom("b2", ROOM, "bob", null, null), BOB_TOKEN);
  }

  private static ServerFrame.Moderated answer(Decision d) {
    ServerFrame frame = d.replies().get(d.replies().size() - 1).frame();
    return assertInstanceOf(ServerFrame.Moderated.class, frame);
  }

  @Test
  void kickByTokenSubjectRemovesEveryConnectionOfThatUserAndTellsEveryoneWhy() {
    aliceAndBobTwiceByToken();

    Decision d = run(ADMIN, kick("user-42", "spam", null));

    assertEquals(2, answer(d).removed());
    assertEquals(
        List.of("c2", "c3"),
        d.events().stream().map(e -> ((RoomEvent.MemberLeft) e).connectionId()).toList());
    for (RoomEvent e : d.events()) {
      RoomEvent.MemberLeft left = (RoomEvent.MemberLeft) e;
      assertEquals(RoomEvent.MemberLeft.KICKED, left.reason());
      assertEquals("spam", left.note());
    }
    assertEquals(List.of("c1"), state.members().stream().map(m -> m.connectionId()).toList());
    // Alice and both of Bob's connections hear of the first removal, with the reason.
    ServerFrame.MemberLeft told = (ServerFrame.MemberLeft) d.replies().get(0).frame();
    assertEquals("kicked", told.reason());
    assertEquals("spam", told.note());
    assertEquals(3, d.replies().get(0).recipients().size());
    assertEquals(
        new Recipient("gw-a.post-1", "gw-a"),
        d.replies().get(d.replies().size() - 1).recipients().get(0));
  }

  @Test
  void kickByUsernameRemovesAConnectionWithoutToken() {
    aliceAndBobTwiceByToken();

    Decision d = run(ADMIN, kick("alice", null, null));

    assertEquals(1, answer(d).removed());
    assertNull(answer(d).bannedUntil());
    // A token member shows "bob" but its user is its subject: "bob" names nobody.
    assertEquals(0, answer(run(ADMIN, kick("bob", null, null))).removed());
    assertEquals(2, state.members().size());
  }

  @Test
  void banEndsAtTheRecordsTimePlusItsLengthAndRefusesJoinsUntilThen() {
    aliceAndBobTwiceByToken();
    Decision d = run(ADMIN, kick("user-42", "spam", HOUR));
    long until = clock + HOUR;
    assertEquals(until, answer(d).bannedUntil());
    RoomEvent.UserBanned banned = (RoomEvent.UserBanned) d.events().get(2);
    assertEquals(until, banned.until());
    assertEquals(Map.of(UserKeys.of("user-42"), until), state.bans());

    Decision refused = run(BOB, new Action.JoinRoom("b3", ROOM, "bob", null, null), BOB_TOKEN);
    ServerFrame.ErrorFrame error = (ServerFrame.ErrorFrame) refused.replies().get(0).frame();
    assertEquals(ErrorCode.BANNED.code(), error.code());
    assertEquals(403, error.status());
    assertEquals(until - clock, error.retryAfterMs());
    assertTrue(refused.events().isEmpty());

    clock = until - 10; // the next record is at the ban's end
    Decision joined = run(BOB, new Action.JoinRoom("b4", ROOM, "bob", null, null), BOB_TOKEN);
    assertInstanceOf(ServerFrame.Joined.class, joined.replies().get(0).frame());
    assertEquals(Map.of(), state.bans(), "a ban over by an event's time is dropped");
  }

  @Test
  void banOfSomeoneAbsentIsRecordedAndToldToTheMembers() {
    run(ALICE, new Action.CreateRoom("a1", "alice", ROOM, null));
    Decision d = run(ADMIN, kick("mallory", "troll", HOUR));

    assertEquals(0, answer(d).removed());
    ServerFrame.UserBanned told = (ServerFrame.UserBanned) d.replies().get(0).frame();
    assertEquals("mallory", told.user());
    assertEquals(List.of(ALICE.recipient()), d.replies().get(0).recipients());
    Decision refused = run(BOB, new Action.JoinRoom("m", ROOM, "mallory", null, null));
    assertEquals("banned", ((ServerFrame.ErrorFrame) refused.replies().get(0).frame()).code());
  }

  @Test
  void replayingTheEventsRebuildsMembersAndBans() {
    aliceAndBobTwiceByToken();
    run(ADMIN, kick("user-42", "spam", HOUR));
    run(ADMIN, kick("eve", null, 2 * HOUR));

    RoomState replayed = null;
    for (RoomEvent e : log) {
      // Through JSON, as the room-events topic carries them.
      replayed = logic.apply(replayed, Json.MAPPER.convertValue(e, RoomEvent.class));
    }
    assertEquals(state, replayed);
    assertEquals(2, replayed.bans().size());
  }

  @Test
  void aStateStoredBeforeBansAndSubjectsReadsWithNone() throws Exception {
    String old =
        "{\"roomId\":\"lobby\",\"lastSeq\":2,\"members\":[{\"connectionId\":\"c1\","
            + "\"username\":\"alice\",\"gatewayId\":\"gw-a\"}],\"recent\":[]}";
    RoomState read = Json.MAPPER.readValue(old, RoomState.class);
    assertEquals(Map.of(), read.bans());
    assertEquals(UserKeys.of("alice"), read.members().get(0).userKey());
    state = read;
    assertEquals(1, answer(run(ADMIN, kick("alice", null, null))).removed());
  }

  @Test
  void moderatingAnUnknownRoomIs404() {
    Decision d = run(ADMIN, kick("bob", null, null));
    assertEquals(
        ErrorCode.ROOM_NOT_FOUND.code(),
        ((ServerFrame.ErrorFrame) d.replies().get(0).frame()).code());
  }

  @Test
  void aRoomKeepsAtMostMaxBansRunning() {
    run(ALICE, new Action.CreateRoom("a1", "alice", ROOM, null));
    for (int i = 0; i < RoomLogic.MAX_BANS; i++) {
      run(ADMIN, kick("u" + i, null, HOUR));
    }
    Decision d = run(ADMIN, kick("one-more", null, HOUR));
    assertEquals(
        ErrorCode.TOO_MANY_BANS.code(),
        ((ServerFrame.ErrorFrame) d.replies().get(0).frame()).code());
    // Extending a running ban is still taken.
    assertEquals(0, answer(run(ADMIN, kick("u0", null, 2 * HOUR))).removed());
  }
}
