package dev.roomlog.processor;

import static dev.roomlog.processor.Fixtures.context;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.frame.ErrorCode;
import dev.roomlog.protocol.frame.ServerFrame;
import dev.roomlog.protocol.frame.ServerFrame.MemberView;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RoomLogicTest {
  private static final String ROOM = "lobby";
  private static final Recipient ALICE = new Recipient("c1", "gw-a");
  private static final Recipient BOB = new Recipient("c2", "gw-b");
  private static final Recipient CAROL = new Recipient("c3", "gw-a");

  private final RoomLogic logic = new RoomLogic(3);
  /** Every event decided so far, to check that replaying them rebuilds the state. */
  private final List<RoomEvent> log = new ArrayList<>();
  private RoomState state;
  private long clock = 1_000;

  @BeforeEach
  void reset() {
    log.clear();
    state = null;
  }

  /** Decides, applies the events the way the stage does, and checks seq continuity. */
  private Decision run(Recipient who, Action action) {
    return run(RoomCommand.of(ROOM, action, ctx(who)));
  }

  private Decision run(RoomCommand cmd) {
    Decision d = logic.decide(state, cmd);
    long seq = state == null ? 0 : state.lastSeq();
    for (RoomEvent e : d.events()) {
      assertEquals(++seq, e.seq(), "seq has no gap");
      assertEquals(cmd.requestContext().requestTimeEpoch(), e.at(), "time comes from the record");
      state = logic.apply(state, e);
      log.add(e);
    }
    return d;
  }

  private dev.roomlog.protocol.action.RequestContext ctx(Recipient who) {
    clock += 10;
    return context(who.connectionId(), who.gatewayId(), "gw-" + clock, clock);
  }

  private void roomWithAliceAndBob() {
    run(ALICE, new Action.CreateRoom("a1", "alice", ROOM));
    run(BOB, new Action.JoinRoom("b1", ROOM, "bob"));
  }

  private static void assertError(Decision d, Recipient to, ErrorCode code, String requestId) {
    assertEquals(List.of(), d.events(), "an error changes nothing");
    assertEquals(1, d.replies().size());
    Reply reply = d.replies().get(0);
    assertEquals(List.of(to), reply.recipients(), "only the requester hears of the error");
    ServerFrame.ErrorFrame error = (ServerFrame.ErrorFrame) reply.frame();
    assertEquals(code.status(), error.status());
    assertEquals(code.code(), error.code());
    assertEquals(requestId, error.requestId());
    assertTrue(error.message().contains("'" + ROOM + "'"), error.message());
  }

  @Test
  void createRoomEmitsRoomCreatedThenCreatorJoinedAndAnswersTheCreator() {
    Decision d = run(ALICE, new Action.CreateRoom("a1", "alice", ROOM));

    assertEquals(
        List.of(
            new RoomEvent.RoomCreated(ROOM, 1, clock, "alice"),
            new RoomEvent.MemberJoined(ROOM, 2, clock, "c1", "alice", "gw-a")),
        d.events());
    assertEquals(
        List.of(
            Reply.to(
                ALICE,
                new ServerFrame.RoomCreated(ROOM, 2, List.of(new MemberView("c1", "alice")), "a1"))),
        d.replies());
    assertEquals(
        new RoomState(ROOM, 2, List.of(new RoomState.Member("c1", "alice", "gw-a")), List.of()),
        state);
  }

  @Test
  void createRoomThatExistsAnswers409RoomExists() {
    roomWithAliceAndBob();
    RoomState before = state;
    Decision d = run(CAROL, new Action.CreateRoom("c-1", "carol", ROOM));
    assertError(d, CAROL, ErrorCode.ROOM_EXISTS, "c-1");
    assertSame(before, state);
  }

  @Test
  void joinUnknownRoomAnswers404RoomNotFound() {
    Decision d = run(BOB, new Action.JoinRoom("b1", ROOM, "bob"));
    assertError(d, BOB, ErrorCode.ROOM_NOT_FOUND, "b1");
    assertNull(state);
  }

  @Test
  void joinTwiceAnswers409AlreadyMember() {
    roomWithAliceAndBob();
    Decision d = run(BOB, new Action.JoinRoom("b2", ROOM, "bob"));
    assertError(d, BOB, ErrorCode.ALREADY_MEMBER, "b2");
    assertEquals(3, state.lastSeq());
  }

  @Test
  void joinAnswersMembersAndHistoryAndTellsTheOthers() {
    roomWithAliceAndBob();
    run(ALICE, new Action.SendMessage("a2", ROOM, "hello", "m1"));
    long sentAt = clock;

    Decision d = run(CAROL, new Action.JoinRoom("c-1", ROOM, "carol"));

    assertEquals(
        List.of(new RoomEvent.MemberJoined(ROOM, 5, clock, "c3", "carol", "gw-a")), d.events());
    ServerFrame.Message history =
        new ServerFrame.Message(ROOM, 4, "alice", "c1", "hello", sentAt, "m1", null);
    assertEquals(
        List.of(
            Reply.to(
                CAROL,
                new ServerFrame.Joined(
                    ROOM,
                    5,
                    List.of(
                        new MemberView("c1", "alice"),
                        new MemberView("c2", "bob"),
                        new MemberView("c3", "carol")),
                    List.of(history),
                    "c-1")),
            new Reply(
                new ServerFrame.MemberJoined(ROOM, 5, "c3", "carol", clock), List.of(ALICE, BOB))),
        d.replies());
    assertEquals(List.of("c1", "c2", "c3"),
        state.members().stream().map(RoomState.Member::connectionId).toList());
  }

  @Test
  void sendMessageToUnknownRoomAnswers404() {
    assertError(
        run(ALICE, new Action.SendMessage("a1", ROOM, "hi", null)),
        ALICE,
        ErrorCode.ROOM_NOT_FOUND,
        "a1");
  }

  @Test
  void sendMessageByNonMemberAnswers403NotMember() {
    roomWithAliceAndBob();
    assertError(
        run(CAROL, new Action.SendMessage("c-1", ROOM, "hi", null)),
        CAROL,
        ErrorCode.NOT_MEMBER,
        "c-1");
    assertEquals(3, state.lastSeq());
  }

  @Test
  void sendMessageReachesEveryMemberAndOnlyTheSendersCopyCarriesTheRequestId() {
    roomWithAliceAndBob();
    run(CAROL, new Action.JoinRoom("c-1", ROOM, "carol"));

    Decision d = run(BOB, new Action.SendMessage("b2", ROOM, "hi all", "m7"));

    assertEquals(
        List.of(new RoomEvent.MessagePosted(ROOM, 5, clock, "c2", "bob", "hi all", "m7")),
        d.events());
    ServerFrame.Message mine = new ServerFrame.Message(ROOM, 5, "bob", "c2", "hi all", clock, "m7", "b2");
    assertEquals(
        List.of(Reply.to(BOB, mine), new Reply(mine.withoutRequestId(), List.of(ALICE, CAROL))),
        d.replies());
  }

  @Test
  void sendMessageRetriedWithTheSameClientMsgIdIsAnsweredWithTheOriginalAndPostsNothing() {
    roomWithAliceAndBob();
    run(BOB, new Action.SendMessage("b2", ROOM, "once", "m1"));
    long sentAt = clock;

    Decision retry = run(BOB, new Action.SendMessage("b3", ROOM, "once", "m1"));

    assertEquals(List.of(), retry.events());
    assertEquals(
        List.of(
            Reply.to(
                BOB, new ServerFrame.Message(ROOM, 4, "bob", "c2", "once", sentAt, "m1", "b3"))),
        retry.replies());
    assertEquals(4, state.lastSeq());
  }

  @Test
  void sendMessageWithTheSameNameAndClientMsgIdButOtherTextIsANewMessage() {
    roomWithAliceAndBob();
    run(BOB, new Action.SendMessage("b2", ROOM, "first", "m1"));
    // Usernames are not unique: another "bob" picking the same simple id is not a retry.
    Decision d = run(BOB, new Action.SendMessage("b3", ROOM, "second", "m1"));
    assertEquals(1, d.events().size());
    assertEquals("second", ((RoomEvent.MessagePosted) d.events().get(0)).text());
    assertEquals(5, state.lastSeq());
  }

  @Test
  void sendMessageWithTheSameClientMsgIdFromAnotherUserIsANewMessage() {
    roomWithAliceAndBob();
    run(BOB, new Action.SendMessage("b2", ROOM, "mine", "m1"));
    Decision d = run(ALICE, new Action.SendMessage("a2", ROOM, "also mine", "m1"));
    assertEquals(1, d.events().size());
    assertEquals(5, state.lastSeq());
  }

  @Test
  void leaveUnknownRoomAnswers404() {
    assertError(run(ALICE, new Action.LeaveRoom("a1", ROOM)), ALICE, ErrorCode.ROOM_NOT_FOUND, "a1");
  }

  @Test
  void leaveByNonMemberAnswers403NotMember() {
    roomWithAliceAndBob();
    assertError(run(CAROL, new Action.LeaveRoom("c-1", ROOM)), CAROL, ErrorCode.NOT_MEMBER, "c-1");
  }

  @Test
  void leaveAnswersLeftAndTellsTheRemainingMembers() {
    roomWithAliceAndBob();
    run(CAROL, new Action.JoinRoom("c-1", ROOM, "carol"));

    Decision d = run(ALICE, new Action.LeaveRoom("a2", ROOM));

    assertEquals(
        List.of(new RoomEvent.MemberLeft(ROOM, 5, clock, "c1", "alice", "left")), d.events());
    assertEquals(
        List.of(
            Reply.to(ALICE, new ServerFrame.Left(ROOM, 5, "a2")),
            new Reply(
                new ServerFrame.MemberLeft(ROOM, 5, "c1", "alice", "left", clock),
                List.of(BOB, CAROL))),
        d.replies());
    assertEquals(List.of(new RoomState.Member("c2", "bob", "gw-b"), new RoomState.Member("c3", "carol", "gw-a")),
        state.members());
  }

  @Test
  void lastMemberLeavingKeepsTheRoomAndAnswersOnlyTheLeaver() {
    run(ALICE, new Action.CreateRoom("a1", "alice", ROOM));
    Decision d = run(ALICE, new Action.LeaveRoom("a2", ROOM));
    assertEquals(List.of(Reply.to(ALICE, new ServerFrame.Left(ROOM, 3, "a2"))), d.replies());
    assertEquals(List.of(), state.members());
    assertError(
        run(BOB, new Action.CreateRoom("b1", "bob", ROOM)), BOB, ErrorCode.ROOM_EXISTS, "b1");
  }

  @Test
  void disconnectLeaveTellsTheRemainingMembersAndRepliesToNobody() {
    roomWithAliceAndBob();

    Decision d = run(RoomCommand.disconnectLeave(ROOM, ctx(BOB)));

    assertEquals(
        List.of(new RoomEvent.MemberLeft(ROOM, 4, clock, "c2", "bob", "disconnected")),
        d.events());
    assertEquals(
        List.of(
            new Reply(
                new ServerFrame.MemberLeft(ROOM, 4, "c2", "bob", "disconnected", clock),
                List.of(ALICE))),
        d.replies());
    assertEquals(List.of(new RoomState.Member("c1", "alice", "gw-a")), state.members());
  }

  @Test
  void disconnectLeaveOfANonMemberOrUnknownRoomDoesNothingAtAll() {
    assertEquals(Decision.NOTHING, run(RoomCommand.disconnectLeave(ROOM, ctx(CAROL))));
    roomWithAliceAndBob();
    RoomState before = state;
    assertEquals(Decision.NOTHING, run(RoomCommand.disconnectLeave(ROOM, ctx(CAROL))));
    assertSame(before, state);
  }

  @Test
  void historyKeepsOnlyTheLastMessagesUpToTheConfiguredSize() {
    roomWithAliceAndBob();
    for (int i = 1; i <= 5; i++) {
      run(ALICE, new Action.SendMessage(null, ROOM, "m" + i, null));
    }
    assertEquals(List.of("m3", "m4", "m5"),
        state.recent().stream().map(RoomEvent.MessagePosted::text).toList());

    Decision d = run(CAROL, new Action.JoinRoom(null, ROOM, "carol"));
    ServerFrame.Joined joined = (ServerFrame.Joined) d.replies().get(0).frame();
    assertEquals(List.of(6L, 7L, 8L), joined.history().stream().map(ServerFrame.Message::seq).toList());
    assertTrue(joined.history().stream().allMatch(m -> m.requestId() == null));
  }

  @Test
  void replayingTheRoomsEventsRebuildsTheSameState() {
    roomWithAliceAndBob();
    run(CAROL, new Action.JoinRoom("c-1", ROOM, "carol"));
    run(BOB, new Action.SendMessage("b2", ROOM, "one", null));
    run(ALICE, new Action.LeaveRoom("a2", ROOM));
    run(RoomCommand.disconnectLeave(ROOM, ctx(CAROL)));
    run(BOB, new Action.SendMessage("b3", ROOM, "two", "m2"));

    RoomState replayed = null;
    for (RoomEvent e : log) {
      replayed = logic.apply(replayed, e);
    }
    assertEquals(state, replayed);
    assertEquals(8, replayed.lastSeq());
  }

  @Test
  void applyRefusesAnEventThatWouldLeaveASeqGap() {
    run(ALICE, new Action.CreateRoom("a1", "alice", ROOM));
    RoomEvent skipped = new RoomEvent.MemberJoined(ROOM, 4, clock, "c2", "bob", "gw-b");
    assertThrows(IllegalStateException.class, () -> logic.apply(state, skipped));
  }
}
