package dev.roomlog.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.junit.jupiter.api.Test;

/** Private rooms and invites in {@link RoomLogic} and {@link PrivateRooms}: decide, replay. */
class PrivateRoomsTest {
  private static final String ROOM = "team-secret";
  private static final Client ALICE = Client.on("gw-a", "c1");
  private static final Client BOB = Client.on("gw-b", "c2");
  private static final Client CAROL = Client.on("gw-a", "c3");
  private static final Client DAVE = Client.on("gw-b", "c4");
  private static final Authorizer ALICE_TOKEN = token("sub-alice", "alice", null);
  private static final Authorizer BOB_TOKEN = token("sub-bob", "bob", null);

  private final RoomLogic logic = new RoomLogic(10);
  private final List<RoomEvent> log = new ArrayList<>();
  private RoomState state;
  private long clock = 1_000;

  private static Authorizer token(String sub, String name, List<String> rooms) {
    return new Authorizer(Authorizer.TOKEN, sub, name, rooms, null, null);
  }

  private Decision run(Client who, Action.RoomAction action, Authorizer authorizer) {
    clock += 10;
    RequestContext ctx = who.context(clock, authorizer);
    Decision d = logic.decide(state, action, ctx);
    state = Fixtures.applyAll(logic, state, d, log);
    return d;
  }

  private static Action.CreateRoom createPrivate(String username) {
    return new Action.CreateRoom("r-create", username, ROOM, null, true);
  }

  private static Action.JoinRoom join(String username) {
    return new Action.JoinRoom("r-join", ROOM, username, null, null);
  }

  private static Action.Invite invite(String user) {
    return new Action.Invite("r-invite", ROOM, user);
  }

  private static ServerFrame.ErrorFrame refusal(Decision d) {
    assertTrue(d.events().isEmpty(), "a refusal changes nothing: " + d.events());
    assertEquals(1, d.replies().size(), "only the requester is answered");
    return assertInstanceOf(ServerFrame.ErrorFrame.class, d.replies().get(0).frame());
  }

  /** Alice (token) makes a private room with a message in it. */
  private void alicesPrivateRoomWithAMessage() {
    Decision created = run(ALICE, createPrivate("alice"), ALICE_TOKEN);
    ServerFrame.RoomCreated answer =
        assertInstanceOf(ServerFrame.RoomCreated.class, created.replies().get(0).frame());
    assertEquals(Boolean.TRUE, answer.privateRoom());
    run(ALICE, new Action.SendMessage("r-send", ROOM, "the plan", "m1"), ALICE_TOKEN);
  }

  @Test
  void anUninvitedUserIsRefused403AndLearnsNothingOfTheRoom() {
    alicesPrivateRoomWithAMessage();

    ServerFrame.ErrorFrame plain = refusal(run(BOB, join("bob"), BOB_TOKEN));
    assertEquals(ErrorCode.PRIVATE_ROOM.code(), plain.code());
    assertEquals(403, plain.status());
    // A join from seq 0 would be answered 410 with the room's members and history in a public
    // room whose window has moved; here it is the same bare 403.
    ServerFrame.ErrorFrame catchingUp =
        refusal(run(BOB, new Action.JoinRoom("r", ROOM, "bob", 0L, null), BOB_TOKEN));
    assertEquals(ErrorCode.PRIVATE_ROOM.code(), catchingUp.code());
    String wire = catchingUp.toJson() + plain.toJson();
    assertFalse(wire.contains("the plan"), wire);
    assertFalse(wire.contains("alice"), wire);
    assertFalse(wire.contains("c1"), wire);
    assertEquals(1, state.members().size());
  }

  @Test
  void aTokenWithoutARoomsClaimGrantsNoPrivateRoomButOneNamingItDoes() {
    alicesPrivateRoomWithAMessage();

    // No rooms claim: every public room, but no private one.
    assertEquals(ErrorCode.PRIVATE_ROOM.code(), refusal(run(BOB, join("bob"), BOB_TOKEN)).code());
    // A claim naming other rooms only.
    assertEquals(
        ErrorCode.PRIVATE_ROOM.code(),
        refusal(run(BOB, join("bob"), token("sub-bob", "bob", List.of("team-open", "other*"))))
            .code());
    // By exact id, and by prefix.
    Decision exact = run(BOB, join("bob"), token("sub-bob", "bob", List.of(ROOM)));
    ServerFrame.Joined joined =
        assertInstanceOf(ServerFrame.Joined.class, exact.replies().get(0).frame());
    assertEquals("the plan", joined.history().get(0).text());
    Decision prefix = run(CAROL, join("carol"), token("sub-carol", "carol", List.of("team-*")));
    assertInstanceOf(ServerFrame.Joined.class, prefix.replies().get(0).frame());
    assertEquals(3, state.members().size());
  }

  @Test
  void theCreatorInvitesAUserWhoMayThenJoinAndEveryMemberIsTold() {
    alicesPrivateRoomWithAMessage();
    run(CAROL, join("carol"), token("sub-carol", "carol", List.of(ROOM)));

    Decision invited = run(ALICE, invite("sub-bob"), ALICE_TOKEN);

    RoomEvent.UserInvited event =
        assertInstanceOf(RoomEvent.UserInvited.class, invited.events().get(0));
    assertEquals("sub-bob", event.user());
    assertEquals("alice", event.invitedBy());
    ServerFrame.UserInvited answer =
        assertInstanceOf(ServerFrame.UserInvited.class, invited.replies().get(0).frame());
    assertEquals("r-invite", answer.requestId());
    assertEquals(List.of(new Recipient("c1", "gw-a")), invited.replies().get(0).recipients());
    assertEquals(List.of(new Recipient("c3", "gw-a")), invited.replies().get(1).recipients());
    assertNull(((ServerFrame.UserInvited) invited.replies().get(1).frame()).requestId());

    Decision joined = run(BOB, join("bob"), BOB_TOKEN);
    assertInstanceOf(ServerFrame.Joined.class, joined.replies().get(0).frame());
    // The invite is for the user, not the connection: another connection of Bob's gets in too,
    // while someone else using Bob's display name does not.
    assertInstanceOf(
        ServerFrame.Joined.class, run(DAVE, join("bob"), BOB_TOKEN).replies().get(0).frame());
    assertEquals(
        ErrorCode.PRIVATE_ROOM.code(),
        refusal(run(Client.on("gw-b", "c9"), join("bob"), token("sub-eve", "bob", null))).code());
  }

  @Test
  void onlyTheCreatorOrAUserGrantedTheRoomByTokenMayInvite() {
    alicesPrivateRoomWithAMessage();
    run(ALICE, invite("sub-bob"), ALICE_TOKEN);
    run(BOB, join("bob"), BOB_TOKEN);

    // Bob was invited, which lets him in, not others.
    ServerFrame.ErrorFrame refused = refusal(run(BOB, invite("sub-eve"), BOB_TOKEN));
    assertEquals(ErrorCode.INVITE_NOT_ALLOWED.code(), refused.code());
    assertEquals(403, refused.status());
    assertFalse(state.access().lets(UserKeys.of("sub-eve")));

    // Carol's token names the room: the application granted it to her, and she may invite.
    Authorizer carol = token("sub-carol", "carol", List.of("team-*"));
    run(CAROL, join("carol"), carol);
    assertEquals(1, run(CAROL, invite("sub-eve"), carol).events().size());
    assertTrue(state.access().lets(UserKeys.of("sub-eve")));
  }

  @Test
  void invitesNeedMembershipAndAPrivateRoom() {
    alicesPrivateRoomWithAMessage();
    // A non-member, even one whose token grants the room, must join first.
    assertEquals(
        ErrorCode.NOT_MEMBER.code(),
        refusal(run(BOB, invite("sub-eve"), token("sub-bob", "bob", List.of(ROOM)))).code());

    state = null;
    run(ALICE, new Action.CreateRoom("r", "alice", ROOM, null), ALICE_TOKEN);
    ServerFrame.ErrorFrame publicRoom = refusal(run(ALICE, invite("sub-bob"), ALICE_TOKEN));
    assertEquals(ErrorCode.ROOM_NOT_PRIVATE.code(), publicRoom.code());
    assertEquals(409, publicRoom.status());
    state = null; // the room of another id
    assertEquals(
        ErrorCode.ROOM_NOT_FOUND.code(),
        refusal(run(ALICE, new Action.Invite("r", "nowhere", "sub-bob"), ALICE_TOKEN)).code());
  }

  @Test
  void aRoomAnyoneMayJoinIsUnchanged() {
    run(ALICE, new Action.CreateRoom("r", "alice", ROOM, null), ALICE_TOKEN);
    assertFalse(state.access().privateRoom());
    assertNull(((RoomEvent.RoomCreated) log.get(0)).privateRoom());
    assertInstanceOf(
        ServerFrame.Joined.class, run(BOB, join("bob"), BOB_TOKEN).replies().get(0).frame());
    assertInstanceOf(
        ServerFrame.Joined.class, run(CAROL, join("carol"), null).replies().get(0).frame());
  }

  @Test
  void onAnApiKeyConnectionTheUserIsTheUsername() {
    Authorizer key = Authorizer.apiKey("default");
    run(ALICE, createPrivate("alice"), key);
    assertEquals(ErrorCode.PRIVATE_ROOM.code(), refusal(run(BOB, join("bob"), key)).code());

    run(ALICE, invite("bob"), key);

    assertInstanceOf(ServerFrame.Joined.class, run(BOB, join("bob"), key).replies().get(0).frame());
    // A token user whose subject is "bob" is someone else than the key client named bob.
    assertEquals(
        ErrorCode.PRIVATE_ROOM.code(),
        refusal(run(CAROL, join("carol"), token("carol", "carol", null))).code());
  }

  @Test
  void aRoomKeepsAtMostMaxInvites() {
    alicesPrivateRoomWithAMessage();
    for (int i = 0; i < PrivateRooms.MAX_INVITES - 1; i++) {
      run(ALICE, invite("u" + i), ALICE_TOKEN);
    }
    // The last one the room keeps.
    assertEquals(1, run(ALICE, invite("last"), ALICE_TOKEN).events().size());
    assertEquals(PrivateRooms.MAX_INVITES, state.access().invited().size());

    ServerFrame.ErrorFrame refused = refusal(run(ALICE, invite("one-more"), ALICE_TOKEN));
    assertEquals(ErrorCode.TOO_MANY_INVITES.code(), refused.code());
    // Inviting someone already invited adds nothing, so it is still taken.
    assertEquals(1, run(ALICE, invite("u0"), ALICE_TOKEN).events().size());
    assertEquals(PrivateRooms.MAX_INVITES, state.access().invited().size());
  }

  @Test
  void replayingTheEventsAndReadingTheStoredStateKeepWhoMayEnter() throws Exception {
    alicesPrivateRoomWithAMessage();
    run(ALICE, invite("sub-bob"), ALICE_TOKEN);

    RoomState replayed = null;
    for (RoomEvent e : log) {
      // Through JSON, as the room-events topic carries them.
      String json = Json.write(e);
      replayed = logic.apply(replayed, Json.MAPPER.readValue(json, RoomEvent.class));
    }
    assertEquals(state, replayed);
    assertTrue(Json.write(log.get(0)).contains("\"private\":true"), Json.write(log.get(0)));

    RoomState stored = Json.MAPPER.readValue(Json.write(state), RoomState.class);
    assertEquals(state, stored);
    assertTrue(stored.access().lets(UserKeys.of("sub-bob")));
    assertTrue(stored.access().lets(UserKeys.of("sub-alice")));
    assertFalse(stored.access().lets(UserKeys.of("sub-eve")));
  }

  @Test
  void aStateStoredBeforePrivateRoomsReadsAsARoomAnyoneMayJoin() throws Exception {
    String old =
        "{\"roomId\":\"lobby\",\"lastSeq\":2,\"members\":[{\"connectionId\":\"c1\","
            + "\"username\":\"alice\",\"gatewayId\":\"gw-a\"}],\"recent\":[],\"bans\":{}}";
    RoomState read = Json.MAPPER.readValue(old, RoomState.class);
    assertEquals(RoomState.Access.PUBLIC, read.access());
    String oldCreated =
        "{\"type\":\"roomCreated\",\"roomId\":\"lobby\",\"seq\":1,\"at\":5,\"createdBy\":\"a\"}";
    RoomEvent.RoomCreated created =
        (RoomEvent.RoomCreated) Json.MAPPER.readValue(oldCreated, RoomEvent.class);
    assertFalse(logic.apply(null, created).access().privateRoom());
  }
}
