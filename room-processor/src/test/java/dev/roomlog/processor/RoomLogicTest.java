package dev.roomlog.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.processor.Fixtures.Client;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.action.RoomIds;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.frame.ErrorCode;
import dev.roomlog.protocol.frame.ServerFrame;
import dev.roomlog.protocol.frame.ServerFrame.MemberView;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoomLogicTest {
  private static final String ROOM = "lobby";
  private static final Client ALICE = Client.on("gw-a", "c1");
  private static final Client BOB = Client.on("gw-b", "c2");
  private static final Client CAROL = Client.on("gw-a", "c3");
  private static final Client DAVE = Client.on("gw-b", "c4");

  private RoomLogic logic = new RoomLogic(3);

  /** Every event decided so far, to check that replaying them rebuilds the state. */
  private final List<RoomEvent> log = new ArrayList<>();

  private RoomState state;
  private long clock = 1_000;

  /** Decides, applies the events the way the stage does, and checks seq continuity. */
  private Decision run(Client who, Action.RoomAction action) {
    clock += 10;
    return applied(logic.decide(state, action, who.context(clock)));
  }

  private Decision remove(Client who, String reason) {
    clock += 10;
    return applied(logic.remove(state, who.connectionId(), reason, clock));
  }

  private Decision applied(Decision d) {
    long seq = state == null ? 0 : state.lastSeq();
    for (RoomEvent e : d.events()) {
      assertEquals(++seq, e.seq(), "seq has no gap");
      assertEquals(clock, e.at(), "time comes from the record");
      state = logic.apply(state, e);
      log.add(e);
    }
    return d;
  }

  private static Action.JoinRoom join(String requestId, String username) {
    return new Action.JoinRoom(requestId, ROOM, username, null, null);
  }

  private static Action.JoinRoom joinAfter(String requestId, String username, long afterSeq) {
    return new Action.JoinRoom(requestId, ROOM, username, afterSeq, null);
  }

  private static Action.SendMessage send(String requestId, String text) {
    return new Action.SendMessage(requestId, ROOM, text, null);
  }

  private void roomWithAliceAndBob() {
    run(ALICE, new Action.CreateRoom("a1", "alice", ROOM, null));
    run(BOB, join("b1", "bob"));
  }

  /** Alice, Bob and Carol in the room, then {@code messages} messages from Alice: seq 4 + n. */
  private void roomWithThreeMembersAndMessages(int messages) {
    roomWithAliceAndBob();
    run(CAROL, join("c-1", "carol"));
    for (int i = 1; i <= messages; i++) {
      run(ALICE, send(null, "m" + i));
    }
  }

  private static ServerFrame.ErrorFrame assertRefused(
      Decision d, Client to, ErrorCode code, String requestId) {
    assertEquals(List.of(), d.events(), "a refusal changes nothing");
    assertEquals(1, d.replies().size());
    Reply reply = d.replies().get(0);
    assertEquals(List.of(to.recipient()), reply.recipients(), "only the requester hears of it");
    ServerFrame.ErrorFrame error = (ServerFrame.ErrorFrame) reply.frame();
    assertEquals(code.status(), error.status());
    assertEquals(code.code(), error.code());
    assertEquals(requestId, error.requestId());
    return error;
  }

  private static void assertError(Decision d, Client to, ErrorCode code, String requestId) {
    ServerFrame.ErrorFrame error = assertRefused(d, to, code, requestId);
    assertTrue(error.message().contains("'" + ROOM + "'"), error.message());
  }

  /** The one frame the requester got. */
  private static ServerFrame answer(Decision d, Client requester) {
    Reply first = d.replies().get(0);
    assertEquals(List.of(requester.recipient()), first.recipients());
    return first.frame();
  }

  /** The room's events with seq in [from, to], as the frames their members received live. */
  private List<ServerFrame> framesOf(long from, long to) {
    return log.stream()
        .filter(e -> e.seq() >= from && e.seq() <= to)
        .map(RoomLogic::frameOf)
        .toList();
  }

  private static RoomState.Member member(Client c, String username) {
    return new RoomState.Member(c.connectionId(), username, c.gatewayId(), c.gatewayInstance());
  }

  @Test
  void createRoomEmitsRoomCreatedThenCreatorJoinedAndAnswersTheCreator() {
    Decision d = run(ALICE, new Action.CreateRoom("a1", "alice", ROOM, null));

    List<RoomEvent> events =
        List.of(
            new RoomEvent.RoomCreated(ROOM, 1, clock, "alice"),
            new RoomEvent.MemberJoined(ROOM, 2, clock, "c1", "alice", "gw-a", "gw-a/run-1"));
    assertEquals(events, d.events());
    assertEquals(
        List.of(
            Reply.to(
                ALICE.recipient(),
                new ServerFrame.RoomCreated(
                    ROOM, 2, List.of(new MemberView("c1", "alice")), "a1"))),
        d.replies());
    assertEquals(new RoomState(ROOM, 2, List.of(member(ALICE, "alice")), events), state);
  }

  @Test
  void createRoomThatExistsAnswers409RoomExists() {
    roomWithAliceAndBob();
    RoomState before = state;
    Decision d = run(CAROL, new Action.CreateRoom("c-1", "carol", ROOM, null));
    assertError(d, CAROL, ErrorCode.ROOM_EXISTS, "c-1");
    assertSame(before, state);
  }

  @Test
  void createRoomFromAnOlderLogWithoutIdGetsTheIdTheGatewayWouldHaveGivenOnEveryReplay() {
    Action.CreateRoom create = new Action.CreateRoom("a1", "alice", null, null);
    RequestContext ctx = ALICE.context(7);
    String expected = RoomIds.forCreate(create, ctx.requestId());

    Decision first = logic.decide(null, create, ctx);
    Decision replay = logic.decide(null, create, ctx);

    assertEquals("r-gw-c1-7", expected);
    assertEquals(first, replay);
    assertTrue(first.events().stream().allMatch(e -> e.roomId().equals(expected)));
    assertEquals(expected, ((ServerFrame.RoomCreated) answer(first, ALICE)).roomId());
  }

  @Test
  void joinUnknownRoomAnswers404RoomNotFound() {
    Decision d = run(BOB, join("b1", "bob"));
    assertError(d, BOB, ErrorCode.ROOM_NOT_FOUND, "b1");
    assertNull(state);
  }

  @Test
  void joinTwiceAnswers409AlreadyMember() {
    roomWithAliceAndBob();
    Decision d = run(BOB, join("b2", "bob"));
    assertError(d, BOB, ErrorCode.ALREADY_MEMBER, "b2");
    assertEquals(3, state.lastSeq());
  }

  @Test
  void joinAnswersMembersAndHistoryAndTellsTheOthers() {
    roomWithAliceAndBob();
    run(ALICE, new Action.SendMessage("a2", ROOM, "hello", "m1"));
    long sentAt = clock;

    Decision d = run(CAROL, join("c-1", "carol"));

    assertEquals(
        List.of(new RoomEvent.MemberJoined(ROOM, 5, clock, "c3", "carol", "gw-a", "gw-a/run-1")),
        d.events());
    ServerFrame.Message history =
        new ServerFrame.Message(ROOM, 4, "alice", "c1", "hello", sentAt, "m1", null);
    assertEquals(
        List.of(
            Reply.to(
                CAROL.recipient(),
                new ServerFrame.Joined(
                    ROOM,
                    5,
                    List.of(
                        new MemberView("c1", "alice"),
                        new MemberView("c2", "bob"),
                        new MemberView("c3", "carol")),
                    List.of(history),
                    null,
                    "c-1")),
            new Reply(
                new ServerFrame.MemberJoined(ROOM, 5, "c3", "carol", clock),
                List.of(ALICE.recipient(), BOB.recipient()))),
        d.replies());
    assertEquals(
        List.of(member(ALICE, "alice"), member(BOB, "bob"), member(CAROL, "carol")),
        state.members());
  }

  @Test
  void joinWithAfterSeqAnswersEveryEventSinceThenAsLiveFramesInsteadOfHistory() {
    logic = new RoomLogic(10);
    roomWithAliceAndBob();
    run(ALICE, new Action.SendMessage("a2", ROOM, "hello", "m1"));
    run(BOB, new Action.LeaveRoom("b2", ROOM, null));
    run(ALICE, send("a3", "still here?"));
    long lastBeforeJoin = state.lastSeq();

    Decision fromStart = run(CAROL, joinAfter("c-1", "carol", 0));

    ServerFrame.Joined joined = (ServerFrame.Joined) answer(fromStart, CAROL);
    assertNull(joined.history(), "a join with afterSeq carries events, not history");
    assertEquals(framesOf(1, lastBeforeJoin), joined.events());
    assertEquals(
        List.of(
            new ServerFrame.RoomCreated(ROOM, 1, List.of(), null),
            new ServerFrame.MemberJoined(ROOM, 2, "c1", "alice", 1_010),
            new ServerFrame.MemberJoined(ROOM, 3, "c2", "bob", 1_020),
            new ServerFrame.Message(ROOM, 4, "alice", "c1", "hello", 1_030, "m1", null),
            new ServerFrame.MemberLeft(ROOM, 5, "c2", "bob", "left", 1_040),
            new ServerFrame.Message(ROOM, 6, "alice", "c1", "still here?", 1_050, null, null)),
        joined.events(),
        "every event, each as the frame members saw live, the senders' requestIds left out");
    assertEquals(7, joined.seq());
    assertEquals(
        List.of(new MemberView("c1", "alice"), new MemberView("c3", "carol")), joined.members());
    assertEquals(
        new Reply(
            new ServerFrame.MemberJoined(ROOM, 7, "c3", "carol", clock),
            List.of(ALICE.recipient())),
        fromStart.replies().get(1),
        "the others are told as for any join");

    Decision fromFour = run(DAVE, joinAfter("d-1", "dave", 4));
    assertEquals(
        framesOf(5, 7),
        ((ServerFrame.Joined) answer(fromFour, DAVE)).events(),
        "only the events after afterSeq, up to the one before this join");
  }

  @Test
  void joinWithAfterSeqAtTheLatestSeqAnswersNoEvents() {
    roomWithAliceAndBob();
    Decision d = run(CAROL, joinAfter("c-1", "carol", 3));
    ServerFrame.Joined joined = (ServerFrame.Joined) answer(d, CAROL);
    assertEquals(List.of(), joined.events());
    assertNull(joined.history());
    assertEquals(4, state.lastSeq());
  }

  @Test
  void resumeByAMemberAnswersTheEventsAfterAfterSeqUpToTheLatestAndChangesNothing() {
    logic = new RoomLogic(10);
    roomWithThreeMembersAndMessages(3);
    RoomState before = state;

    Decision d = run(BOB, new Action.Resume("b9", ROOM, 4));

    assertEquals(List.of(), d.events());
    assertEquals(
        List.of(
            Reply.to(BOB.recipient(), new ServerFrame.Resumed(ROOM, 4, 7, framesOf(5, 7), "b9"))),
        d.replies());
    assertEquals(3, framesOf(5, 7).size());
    assertSame(before, state);
  }

  @Test
  void resumeAtTheLatestSeqAnswersNoEvents() {
    roomWithAliceAndBob();
    Decision d = run(ALICE, new Action.Resume("a9", ROOM, 3));
    assertEquals(new ServerFrame.Resumed(ROOM, 3, 3, List.of(), "a9"), answer(d, ALICE));
  }

  @Test
  void resumeByANonMemberAnswers403NotMember() {
    roomWithAliceAndBob();
    assertError(run(CAROL, new Action.Resume("c-9", ROOM, 1)), CAROL, ErrorCode.NOT_MEMBER, "c-9");
  }

  @Test
  void resumeOfAnUnknownRoomAnswers404() {
    assertError(
        run(CAROL, new Action.Resume("c-9", ROOM, 0)), CAROL, ErrorCode.ROOM_NOT_FOUND, "c-9");
  }

  @Test
  void afterSeqAheadOfTheRoomAnswers400InvalidFieldAndJoinsNobody() {
    roomWithAliceAndBob();
    RoomState before = state;

    ServerFrame.ErrorFrame resume =
        assertRefused(
            run(BOB, new Action.Resume("b9", ROOM, 4)), BOB, ErrorCode.INVALID_FIELD, "b9");
    ServerFrame.ErrorFrame join =
        assertRefused(
            run(CAROL, joinAfter("c-1", "carol", 4)), CAROL, ErrorCode.INVALID_FIELD, "c-1");

    assertTrue(resume.message().contains("afterSeq 4"), resume.message());
    assertTrue(join.message().contains("latest seq is 3"), join.message());
    assertSame(before, state, "carol was not let in");
  }

  @Test
  void afterSeqOlderThanTheKeptEventsAnswers410WithTheOldestSeqAndTheRoomAndAppliesNothing() {
    roomWithThreeMembersAndMessages(4); // seq 1..8; historySize 3 keeps 6, 7, 8
    assertEquals(6, state.oldestKeptSeq());
    RoomState before = state;
    ServerFrame.RoomSnapshot room =
        new ServerFrame.RoomSnapshot(
            ROOM,
            8,
            List.of(
                new MemberView("c1", "alice"),
                new MemberView("c2", "bob"),
                new MemberView("c3", "carol")),
            List.of(
                new ServerFrame.Message(ROOM, 6, "alice", "c1", "m2", 1_050, null, null),
                new ServerFrame.Message(ROOM, 7, "alice", "c1", "m3", 1_060, null, null),
                new ServerFrame.Message(ROOM, 8, "alice", "c1", "m4", 1_070, null, null)));

    ServerFrame.ErrorFrame join =
        assertRefused(
            run(DAVE, joinAfter("d-1", "dave", 4)), DAVE, ErrorCode.RESUME_TOO_OLD, "d-1");
    ServerFrame.ErrorFrame resume =
        assertRefused(
            run(BOB, new Action.Resume("b9", ROOM, 0)), BOB, ErrorCode.RESUME_TOO_OLD, "b9");

    for (ServerFrame.ErrorFrame refused : List.of(join, resume)) {
      assertEquals(6L, refused.oldestSeq());
      assertEquals(room, refused.room());
      assertNull(refused.retryAfterMs());
    }
    assertSame(before, state, "dave did not join: nothing was applied");
  }

  @Test
  void afterSeqJustBeforeTheOldestKeptSeqIsTheLimitOneBelowIs410() {
    roomWithThreeMembersAndMessages(4); // keeps 6, 7, 8

    Decision resumeAtLimit = run(BOB, new Action.Resume("b9", ROOM, 5));
    assertEquals(
        new ServerFrame.Resumed(ROOM, 5, 8, framesOf(6, 8), "b9"), answer(resumeAtLimit, BOB));
    assertRefused(
        run(BOB, new Action.Resume("b10", ROOM, 4)), BOB, ErrorCode.RESUME_TOO_OLD, "b10");

    assertRefused(run(DAVE, joinAfter("d-1", "dave", 4)), DAVE, ErrorCode.RESUME_TOO_OLD, "d-1");
    Decision joinAtLimit = run(DAVE, joinAfter("d-2", "dave", 5));
    assertEquals(framesOf(6, 8), ((ServerFrame.Joined) answer(joinAtLimit, DAVE)).events());
    assertEquals(9, state.lastSeq());
  }

  @Test
  void withHistorySizeZeroOnlyTheLatestSeqCanBeResumedFrom() {
    logic = new RoomLogic(0);
    roomWithAliceAndBob();
    run(ALICE, send("a2", "gone at once"));

    assertEquals(List.of(), state.recent());
    assertEquals(5, state.oldestKeptSeq());
    assertEquals(
        new ServerFrame.Resumed(ROOM, 4, 4, List.of(), "b9"),
        answer(run(BOB, new Action.Resume("b9", ROOM, 4)), BOB));
    ServerFrame.ErrorFrame tooOld =
        assertRefused(
            run(BOB, new Action.Resume("b10", ROOM, 3)), BOB, ErrorCode.RESUME_TOO_OLD, "b10");
    assertEquals(5L, tooOld.oldestSeq());
    assertEquals(List.of(), tooOld.room().history());

    ServerFrame.Joined plain = (ServerFrame.Joined) answer(run(CAROL, join("c-1", "carol")), CAROL);
    assertEquals(List.of(), plain.history());
    ServerFrame.Joined caughtUp =
        (ServerFrame.Joined) answer(run(DAVE, joinAfter("d-1", "dave", 5)), DAVE);
    assertEquals(List.of(), caughtUp.events());
  }

  @Test
  void sendMessageToUnknownRoomAnswers404() {
    assertError(run(ALICE, send("a1", "hi")), ALICE, ErrorCode.ROOM_NOT_FOUND, "a1");
  }

  @Test
  void sendMessageByNonMemberAnswers403NotMember() {
    roomWithAliceAndBob();
    assertError(run(CAROL, send("c-1", "hi")), CAROL, ErrorCode.NOT_MEMBER, "c-1");
    assertEquals(3, state.lastSeq());
  }

  @Test
  void sendMessageReachesEveryMemberAndOnlyTheSendersCopyCarriesTheRequestId() {
    roomWithAliceAndBob();
    run(CAROL, join("c-1", "carol"));

    Decision d = run(BOB, new Action.SendMessage("b2", ROOM, "hi all", "m7"));

    assertEquals(
        List.of(new RoomEvent.MessagePosted(ROOM, 5, clock, "c2", "bob", "hi all", "m7")),
        d.events());
    ServerFrame.Message mine =
        new ServerFrame.Message(ROOM, 5, "bob", "c2", "hi all", clock, "m7", "b2");
    assertEquals(
        List.of(
            Reply.to(BOB.recipient(), mine),
            new Reply(mine.withoutRequestId(), List.of(ALICE.recipient(), CAROL.recipient()))),
        d.replies());
  }

  @Test
  void leaveUnknownRoomAnswers404() {
    assertError(
        run(ALICE, new Action.LeaveRoom("a1", ROOM, null)), ALICE, ErrorCode.ROOM_NOT_FOUND, "a1");
  }

  @Test
  void leaveByNonMemberAnswers403NotMember() {
    roomWithAliceAndBob();
    assertError(
        run(CAROL, new Action.LeaveRoom("c-1", ROOM, null)), CAROL, ErrorCode.NOT_MEMBER, "c-1");
  }

  @Test
  void leaveAnswersLeftAndTellsTheRemainingMembers() {
    roomWithAliceAndBob();
    run(CAROL, join("c-1", "carol"));

    Decision d = run(ALICE, new Action.LeaveRoom("a2", ROOM, null));

    assertEquals(
        List.of(new RoomEvent.MemberLeft(ROOM, 5, clock, "c1", "alice", "left").withMemberCount(2)),
        d.events());
    assertEquals(
        List.of(
            Reply.to(ALICE.recipient(), new ServerFrame.Left(ROOM, 5, "a2")),
            new Reply(
                new ServerFrame.MemberLeft(ROOM, 5, "c1", "alice", "left", clock),
                List.of(BOB.recipient(), CAROL.recipient()))),
        d.replies());
    assertEquals(List.of(member(BOB, "bob"), member(CAROL, "carol")), state.members());
  }

  @Test
  void lastMemberLeavingKeepsTheRoomAndAnswersOnlyTheLeaver() {
    run(ALICE, new Action.CreateRoom("a1", "alice", ROOM, null));
    Decision d = run(ALICE, new Action.LeaveRoom("a2", ROOM, null));
    assertEquals(
        List.of(Reply.to(ALICE.recipient(), new ServerFrame.Left(ROOM, 3, "a2"))), d.replies());
    assertEquals(List.of(), state.members());
    assertError(
        run(BOB, new Action.CreateRoom("b1", "bob", ROOM, null)), BOB, ErrorCode.ROOM_EXISTS, "b1");
  }

  @Test
  void removingADisconnectedMemberTellsTheOthersButNotTheRemovedMember() {
    roomWithAliceAndBob();
    run(CAROL, join("c-1", "carol"));

    Decision d = remove(BOB, RoomEvent.MemberLeft.DISCONNECTED);

    assertEquals(
        List.of(
            new RoomEvent.MemberLeft(ROOM, 5, clock, "c2", "bob", "disconnected")
                .withMemberCount(2)),
        d.events());
    assertEquals(
        List.of(
            new Reply(
                new ServerFrame.MemberLeft(ROOM, 5, "c2", "bob", "disconnected", clock),
                List.of(ALICE.recipient(), CAROL.recipient()))),
        d.replies(),
        "bob's socket is gone: nobody answers him");
    assertEquals(List.of(member(ALICE, "alice"), member(CAROL, "carol")), state.members());
  }

  @Test
  void removingAMemberWhoseGatewayWasLostTellsTheRemovedMemberToo() {
    roomWithAliceAndBob();
    run(CAROL, join("c-1", "carol"));

    Decision d = remove(ALICE, RoomEvent.MemberLeft.GATEWAY_LOST);

    assertEquals(
        List.of(
            new RoomEvent.MemberLeft(ROOM, 5, clock, "c1", "alice", "gatewayLost")
                .withMemberCount(2)),
        d.events());
    assertEquals(
        List.of(
            new Reply(
                new ServerFrame.MemberLeft(ROOM, 5, "c1", "alice", "gatewayLost", clock),
                List.of(ALICE.recipient(), BOB.recipient(), CAROL.recipient()))),
        d.replies(),
        "alice's gateway may only have paused: she must learn that she is out");
    assertEquals(List.of(member(BOB, "bob"), member(CAROL, "carol")), state.members());
  }

  @Test
  void removingANonMemberOrFromAnUnknownRoomDoesNothingAtAll() {
    assertEquals(Decision.NOTHING, remove(CAROL, RoomEvent.MemberLeft.DISCONNECTED));
    roomWithAliceAndBob();
    RoomState before = state;
    assertEquals(Decision.NOTHING, remove(CAROL, RoomEvent.MemberLeft.DISCONNECTED));
    assertEquals(Decision.NOTHING, remove(CAROL, RoomEvent.MemberLeft.GATEWAY_LOST));
    assertSame(before, state);
  }

  @Test
  void theRoomKeepsExactlyTheLastHistorySizeEventsOfAnyType() {
    roomWithAliceAndBob();
    assertEquals(List.of(1L, 2L, 3L), state.recent().stream().map(RoomEvent::seq).toList());
    run(CAROL, join("c-1", "carol"));
    assertEquals(List.of(2L, 3L, 4L), state.recent().stream().map(RoomEvent::seq).toList());
    assertEquals(log.subList(1, 4), state.recent());
    for (int i = 1; i <= 5; i++) {
      run(ALICE, send(null, "m" + i));
    }
    assertEquals(log.subList(6, 9), state.recent());
    assertEquals(7, state.oldestKeptSeq());
  }

  @Test
  void joinHistoryIsTheMessagesAmongTheKeptEvents() {
    roomWithAliceAndBob();
    for (int i = 1; i <= 5; i++) {
      run(ALICE, send(null, "m" + i));
    }
    ServerFrame.Joined full = (ServerFrame.Joined) answer(run(CAROL, join(null, "carol")), CAROL);
    assertEquals(
        List.of(6L, 7L, 8L), full.history().stream().map(ServerFrame.Message::seq).toList());
    assertTrue(full.history().stream().allMatch(m -> m.requestId() == null));

    // Kept now: m4 (7), m5 (8) and carol's join (9): the history shrinks to two messages.
    ServerFrame.Joined partial = (ServerFrame.Joined) answer(run(DAVE, join(null, "dave")), DAVE);
    assertEquals(
        List.of("m4", "m5"), partial.history().stream().map(ServerFrame.Message::text).toList());
  }

  @Test
  void replayingTheRoomsEventsRebuildsTheSameState() {
    roomWithAliceAndBob();
    run(CAROL, join("c-1", "carol"));
    run(BOB, send("b2", "one"));
    run(ALICE, new Action.LeaveRoom("a2", ROOM, null));
    remove(CAROL, RoomEvent.MemberLeft.DISCONNECTED);
    run(BOB, new Action.SendMessage("b3", ROOM, "two", "m2"));
    run(DAVE, joinAfter("d-1", "dave", 6));
    remove(BOB, RoomEvent.MemberLeft.GATEWAY_LOST);

    RoomState replayed = null;
    for (RoomEvent e : log) {
      replayed = logic.apply(replayed, e);
    }
    assertEquals(state, replayed);
    assertEquals(10, replayed.lastSeq());
  }

  @Test
  void applyRefusesAnEventThatWouldLeaveASeqGap() {
    run(ALICE, new Action.CreateRoom("a1", "alice", ROOM, null));
    RoomEvent skipped =
        new RoomEvent.MemberJoined(ROOM, 4, clock, "c2", "bob", "gw-b", "gw-b/run-1");
    assertThrows(IllegalStateException.class, () -> logic.apply(state, skipped));
  }

  @Test
  void applyRefusesASecondRoomCreatedAndAnEventBeforeRoomCreated() {
    assertThrows(
        IllegalStateException.class,
        () -> logic.apply(null, new RoomEvent.MessagePosted(ROOM, 1, 1, "c1", "a", "t", null)));
    run(ALICE, new Action.CreateRoom("a1", "alice", ROOM, null));
    assertThrows(
        IllegalStateException.class,
        () -> logic.apply(state, new RoomEvent.RoomCreated(ROOM, 3, clock, "bob")));
  }

  /** The management API's request: a connection id of its own on its gateway, in no room. */
  private static final Client SERVER_POST = Client.on("gw-b", "gw-b.post-request-1");

  @Test
  void theServerPostsIntoARoomWithoutBeingAMemberAndEveryMemberGetsIt() {
    roomWithAliceAndBob();
    Decision d =
        run(SERVER_POST, new Action.PostMessage("r1", ROOM, "maintenance at noon", "ops", "m-1"));

    RoomEvent.MessagePosted posted = (RoomEvent.MessagePosted) d.events().get(0);
    assertEquals(Action.PostMessage.SERVER_CONNECTION_ID, posted.connectionId());
    assertEquals("ops", posted.username());
    assertEquals("maintenance at noon", posted.text());
    assertEquals(4, posted.seq(), "after roomCreated and two joins");
    ServerFrame.Message answer = (ServerFrame.Message) answer(d, SERVER_POST);
    assertEquals("r1", answer.requestId());
    assertEquals(4, answer.seq());
    Reply toMembers = d.replies().get(1);
    assertEquals(List.of(ALICE.recipient(), BOB.recipient()), toMembers.recipients());
    assertNull(((ServerFrame.Message) toMembers.frame()).requestId());
    assertEquals(
        List.of(member(ALICE, "alice"), member(BOB, "bob")),
        state.members(),
        "the poster did not become a member");
  }

  @Test
  void theServerPostingIntoAnUnknownRoomGets404AndNothingHappens() {
    Decision d = run(SERVER_POST, new Action.PostMessage("r1", ROOM, "hello", "server", null));
    assertError(d, SERVER_POST, ErrorCode.ROOM_NOT_FOUND, "r1");
    assertNull(state);
  }
}
