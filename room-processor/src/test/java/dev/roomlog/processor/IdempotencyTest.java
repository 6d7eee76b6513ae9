package dev.roomlog.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.processor.Fixtures.Client;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.frame.ErrorCode;
import dev.roomlog.protocol.frame.ServerFrame;
import dev.roomlog.protocol.frame.ServerFrame.MemberView;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IdempotencyTest {
  private static final String ROOM = "lobby";
  private static final Client ALICE = Client.on("gw-a", "c1");
  private static final Client BOB = Client.on("gw-b", "c2");

  /** Bob again after his first connection was lost, through another gateway. */
  private static final Client BOB_AGAIN = Client.on("gw-a", "c5");

  private final RoomLogic logic = new RoomLogic(10);

  private static RoomState.Member member(Client c, String username) {
    return new RoomState.Member(c.connectionId(), username, c.gatewayId(), c.gatewayInstance());
  }

  private static RoomState roomWith(RoomState.Member... members) {
    return new RoomState(ROOM, 7, List.of(members), List.of());
  }

  private static Optional<String> key(RoomState state, Action.RoomAction action, Client from) {
    return Idempotency.key(state, action, from.context(100));
  }

  private static Action.SendMessage send(String requestId, String text, String clientMsgId) {
    return new Action.SendMessage(requestId, ROOM, text, clientMsgId);
  }

  private static Action.JoinRoom join(String requestId, String username, String clientMsgId) {
    return new Action.JoinRoom(requestId, ROOM, username, null, clientMsgId);
  }

  @Test
  void aMessageIsKeyedByItsSendersUsernameSoARetryFromANewConnectionFindsIt() {
    RoomState before = roomWith(member(ALICE, "alice"), member(BOB, "bob"));
    RoomState afterRejoin = roomWith(member(ALICE, "alice"), member(BOB_AGAIN, "bob"));

    Optional<String> first = key(before, send("b1", "hi", "m1"), BOB);
    Optional<String> retry = key(afterRejoin, send("b2", "hi", "m1"), BOB_AGAIN);

    assertTrue(first.isPresent());
    assertEquals(first, retry);
    assertNotEquals(first, key(before, send("a1", "hi", "m1"), ALICE), "another user's m1");
    assertNotEquals(first, key(before, send("b3", "hi", "m2"), BOB));
    RoomState otherRoom = new RoomState("games", 3, List.of(member(BOB, "bob")), List.of());
    assertNotEquals(first, key(otherRoom, new Action.SendMessage("b4", "games", "hi", "m1"), BOB));
  }

  @Test
  void aMessageWithoutClientMsgIdOrFromANonMemberIsNotKeyed() {
    RoomState room = roomWith(member(ALICE, "alice"));
    assertEquals(Optional.empty(), key(room, send("a1", "hi", null), ALICE));
    assertEquals(Optional.empty(), key(room, send("b1", "hi", "m1"), BOB));
    assertEquals(Optional.empty(), key(null, send("b1", "hi", "m1"), BOB));
  }

  @Test
  void joinsAndLeavesAreKeyedByConnection() {
    RoomState room = roomWith(member(ALICE, "alice"), member(BOB, "bob"));

    Optional<String> join = key(room, join("b1", "bob", "j1"), BOB);
    assertTrue(join.isPresent());
    assertEquals(join, key(room, join("b2", "bob", "j1"), BOB), "a retry on the same connection");
    assertNotEquals(
        join,
        key(room, join("b3", "bob", "j1"), BOB_AGAIN),
        "a join from a new connection is a new membership, whoever sends it");

    Action.LeaveRoom leave = new Action.LeaveRoom("b4", ROOM, "l1");
    assertTrue(key(room, leave, BOB).isPresent());
    assertNotEquals(key(room, leave, BOB), key(room, leave, BOB_AGAIN));
  }

  @Test
  void aCreateIsKeyedByTheCreatorsUsername() {
    Action.CreateRoom create = new Action.CreateRoom("a1", "alice", ROOM, "k1");
    Optional<String> first = key(null, create, ALICE);
    assertTrue(first.isPresent());
    assertEquals(
        first,
        key(roomWith(member(ALICE, "alice")), create, Client.on("gw-b", "c9")),
        "a retry from a new connection, after the room exists");
    assertNotEquals(first, key(null, new Action.CreateRoom("b1", "bob", ROOM, "k1"), BOB));
  }

  @Test
  void aResumeTakesNoClientMsgIdAndIsNeverKeyed() {
    RoomState room = roomWith(member(BOB, "bob"));
    assertEquals(Optional.empty(), key(room, new Action.Resume("b1", ROOM, 3), BOB));
    assertThrows(
        IllegalArgumentException.class,
        () -> Idempotency.fingerprint(new Action.Resume("b1", ROOM, 3)));
  }

  @Test
  void aRetryIsAnsweredWithTheOriginalAnswerCarryingTheRetrysRequestIdAndAppliesNothing() {
    RoomState room = roomWith(member(ALICE, "alice"), member(BOB, "bob"));
    Decision original = logic.decide(room, send("b1", "hi", "m1"), BOB.context(100));
    Idempotency.Remembered remembered =
        Idempotency.toRemember(original, send("b1", "hi", "m1"), BOB.context(100)).orElseThrow();
    ServerFrame.Message message =
        new ServerFrame.Message(ROOM, 8, "bob", "c2", "hi", 100, "m1", null);
    assertEquals(message, remembered.answer(), "remembered without the first requestId");

    Decision retry =
        Idempotency.answerRetry(remembered, send("b2", "hi", "m1"), BOB_AGAIN.context(200));

    assertEquals(
        Decision.reply(Reply.to(BOB_AGAIN.recipient(), message.withRequestId("b2"))),
        retry,
        "the original seq, sender and time, to the connection that retried");
  }

  @Test
  void rememberedAnswersOfCreateJoinAndLeave() {
    Action.CreateRoom create = new Action.CreateRoom("a1", "alice", ROOM, "k1");
    Decision created = logic.decide(null, create, ALICE.context(100));
    assertEquals(
        new ServerFrame.RoomCreated(ROOM, 2, List.of(new MemberView("c1", "alice")), null),
        Idempotency.toRemember(created, create, ALICE.context(100)).orElseThrow().answer());

    RoomState room =
        logic.apply(logic.apply(null, created.events().get(0)), created.events().get(1));
    Decision joined = logic.decide(room, join("b1", "bob", "j1"), BOB.context(110));
    ServerFrame answer =
        Idempotency.toRemember(joined, join("b1", "bob", "j1"), BOB.context(110))
            .orElseThrow()
            .answer();
    assertEquals(
        ((ServerFrame.Joined) joined.replies().get(0).frame()).withRequestId(null), answer);

    Action.LeaveRoom leave = new Action.LeaveRoom("a2", ROOM, "l1");
    Decision left = logic.decide(room, leave, ALICE.context(120));
    assertEquals(
        new ServerFrame.Left(ROOM, 3, null),
        Idempotency.toRemember(left, leave, ALICE.context(120)).orElseThrow().answer());
  }

  @Test
  void aClientMsgIdReusedForADifferentRequestAnswers409AndAppliesNothing() {
    Idempotency.Remembered sent =
        new Idempotency.Remembered(
            Idempotency.fingerprint(send(null, "hi", "m1")),
            new ServerFrame.Message(ROOM, 8, "bob", "c2", "hi", 100, "m1", null));

    Decision otherText =
        Idempotency.answerRetry(sent, send("b2", "something else", "m1"), BOB.context(200));

    assertEquals(List.of(), otherText.events());
    assertEquals(1, otherText.replies().size());
    Reply reply = otherText.replies().get(0);
    assertEquals(List.of(BOB.recipient()), reply.recipients());
    ServerFrame.ErrorFrame error = (ServerFrame.ErrorFrame) reply.frame();
    assertEquals(409, error.status());
    assertEquals(ErrorCode.CLIENT_MSG_ID_REUSED.code(), error.code());
    assertEquals("b2", error.requestId());
    assertTrue(error.message().contains("'m1'"), error.message());

    Idempotency.Remembered joined =
        new Idempotency.Remembered(
            Idempotency.fingerprint(join(null, "bob", "x")), new ServerFrame.Left(ROOM, 9, null));
    ServerFrame.ErrorFrame leaveWithJoinsId =
        (ServerFrame.ErrorFrame)
            Idempotency.answerRetry(joined, new Action.LeaveRoom("b3", ROOM, "x"), BOB.context(300))
                .replies()
                .get(0)
                .frame();
    assertEquals(ErrorCode.CLIENT_MSG_ID_REUSED.code(), leaveWithJoinsId.code());
  }

  @Test
  void refusalsAreNotRememberedSoARetryIsDecidedAfresh() {
    Action.JoinRoom early = join("b1", "bob", "j1");
    Decision roomNotFound = logic.decide(null, early, BOB.context(100));
    assertEquals(Optional.empty(), Idempotency.toRemember(roomNotFound, early, BOB.context(100)));

    RoomState room = roomWith(member(ALICE, "alice"));
    Action.SendMessage notMember = send("b2", "hi", "m1");
    Decision refused = logic.decide(room, notMember, BOB.context(110));
    assertEquals(Optional.empty(), Idempotency.toRemember(refused, notMember, BOB.context(110)));
  }

  @Test
  void theFingerprintIsWhatTheActionAsksFor() {
    assertEquals(
        Idempotency.fingerprint(send("b1", "hi", "m1")),
        Idempotency.fingerprint(send("b9", "hi", "m1")),
        "the requestId is not part of the request");
    assertNotEquals(
        Idempotency.fingerprint(send("b1", "hi", "m1")),
        Idempotency.fingerprint(send("b1", "hi!", "m1")));
    assertNotEquals(
        Idempotency.fingerprint(join(null, "bob", "x")),
        Idempotency.fingerprint(new Action.LeaveRoom(null, ROOM, "x")));
  }

  @Test
  void aServerPostIsKeyedByTheServerSoARetryThroughAnotherGatewayFindsItAndAReusedIdIsCaught() {
    RoomState room = roomWith(member(ALICE, "alice"));
    Client firstRequest = Client.on("gw-a", "gw-a.request-1");
    Client retryElsewhere = Client.on("gw-b", "gw-b.request-2");
    Action.PostMessage post = new Action.PostMessage("r1", ROOM, "hello", "ops", "p1");

    Optional<String> first = key(room, post, firstRequest);
    assertTrue(first.isPresent());
    assertEquals(
        first, key(room, new Action.PostMessage("r2", ROOM, "hello", "ops", "p1"), retryElsewhere));
    assertNotEquals(first, key(room, send("a1", "hello", "p1"), ALICE), "alice's own p1 is hers");
    assertNotEquals(
        Idempotency.fingerprint(post),
        Idempotency.fingerprint(new Action.PostMessage(null, ROOM, "hello", "someone else", "p1")),
        "the same text under another sender name is another request");
  }
}
