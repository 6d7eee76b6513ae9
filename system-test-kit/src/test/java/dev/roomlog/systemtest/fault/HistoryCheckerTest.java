package dev.roomlog.systemtest.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roomlog.protocol.Json;
import dev.roomlog.systemtest.fault.HistoryChecker.LogEvent;
import dev.roomlog.systemtest.fault.HistoryReport.DuplicateDelivery;
import dev.roomlog.systemtest.fault.HistoryReport.DuplicateEffect;
import dev.roomlog.systemtest.fault.HistoryReport.Gap;
import dev.roomlog.systemtest.fault.HistoryReport.LogAnomaly;
import dev.roomlog.systemtest.fault.HistoryReport.Reordering;
import dev.roomlog.systemtest.fault.HistoryReport.Unacknowledged;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Crafted histories, one per kind of anomaly, fed to the checker request by request and frame by
 * frame as a client would see them. Every test starts from the same room: alice (connection a1)
 * creates "lobby" (seqs 1, 2), bob (b1) joins (3), alice posts a-1 "hello" (4).
 */
class HistoryCheckerTest {
  private final HistoryChecker checker = new HistoryChecker();

  @Test
  void cleanHistoryWithReconnectRetryAndResumeReportsNothing() {
    lobbyWithOneMessage();
    // bob posts b-1; it is recorded (5), but his connection dies before the answer.
    post("bob", 1, "b-r2", "b-1", "yo");
    receive("alice", 1, message(5, "bob", "b1", "yo", "b-1", null));
    receive("alice", 1, memberLeft(6, "b1", "bob", "disconnected"));
    // He reconnects, rejoins from the last seq he saw, and sends b-1 again.
    connected("bob", 2, "b2");
    join("bob", 2, "b-r3", 4L);
    receive(
        "bob",
        2,
        joinedWithEvents(
            7,
            "b-r3",
            message(5, "bob", "b1", "yo", "b-1", null),
            memberLeft(6, "b1", "bob", "disconnected")));
    receive("alice", 1, memberJoined(7, "b2", "bob"));
    post("bob", 2, "b-r4", "b-1", "yo");
    receive("bob", 2, message(5, "bob", "b1", "yo", "b-1", "b-r4"));
    // alice is refused once (overloaded), retries, and gets through.
    post("alice", 1, "a-r3", "a-2", "again");
    receive("alice", 1, error(503, "overloaded", "a-r3"));
    post("alice", 1, "a-r4", "a-2", "again");
    receive("alice", 1, message(8, "alice", "a1", "again", "a-2", "a-r4"));
    receive("bob", 2, message(8, "alice", "a1", "again", "a-2", null));
    // bob resumes on the same connection from 7: he gets 8 again, because he asked for it.
    send("bob", 2, action("resume", "afterSeq", 7L, "requestId", "b-r5"));
    ObjectNode resumed = frame("resumed", 8).put("afterSeq", 7).put("requestId", "b-r5");
    resumed.putArray("events").add(message(8, "alice", "a1", "again", "a-2", null));
    receive("bob", 2, resumed);
    send("bob", 2, action("leaveRoom", "requestId", "b-r6"));
    receive("bob", 2, frame("left", 9).put("requestId", "b-r6"));
    receive("alice", 1, memberLeft(9, "b2", "bob", "left"));
    checker.closed("alice");
    checker.closed("bob");

    List<LogEvent> log = lobbyLog();
    log.add(logEvent(posted(5, "bob", "b1", "yo", "b-1")));
    log.add(logEvent(memberLeft(6, "b1", "bob", "disconnected")));
    log.add(logEvent(memberJoined(7, "b2", "bob")));
    log.add(logEvent(posted(8, "alice", "a1", "again", "a-2")));
    log.add(logEvent(memberLeft(9, "b2", "bob", "left")));
    HistoryReport report = checker.report(log);

    assertTrue(report.clean(), report::toString);
    assertEquals(3, report.acknowledged(), report::toString);
    // b-1, sent twice, counts once.
    assertEquals(Map.of("lobby", 3), checker.acknowledgedByRoom());
    assertEquals(List.of(), report.unconfirmed(), report::toString);
    assertEquals(List.of(), report.notes(), report::toString);
  }

  @Test
  void reportsAnAcknowledgedMessageWhoseSeqOthersSeeAsSomethingElseAsLost() {
    lobbyWithOneMessage();
    post("alice", 1, "a-r3", "a-2", "важно");
    receive("alice", 1, message(5, "alice", "a1", "важно", "a-2", "a-r3"));
    // The server forgot a-2 and gave seq 5 to bob's next message.
    post("bob", 1, "b-r2", "b-1", "yo");
    receive("bob", 1, message(5, "bob", "b1", "yo", "b-1", "b-r2"));
    receive("alice", 1, message(5, "bob", "b1", "yo", "b-1", null));

    HistoryReport report = checker.report();

    assertEquals(1, report.lost().size(), report::toString);
    assertEquals("a-2", report.lost().get(0).clientMsgId());
    assertEquals(5, report.lost().get(0).ackSeq());
    assertEquals(1, report.disagreements().size(), report::toString);
    assertEquals(5, report.disagreements().get(0).seq());
    assertEquals(
        List.of(new DuplicateDelivery("alice", 1, "lobby", 5)),
        report.duplicateDeliveries(),
        report::toString);
    assertTrue(report.toString().contains("lost 1"), report::toString);
  }

  @Test
  void reportsBothOfTwoMessagesAcknowledgedAtOneSeqAsLostWhenNoOneElseSawIt() {
    lobbyWithOneMessage();
    post("alice", 1, "a-r3", "a-2", "mine");
    receive("alice", 1, message(5, "alice", "a1", "mine", "a-2", "a-r3"));
    post("bob", 1, "b-r2", "b-1", "no, mine");
    receive("bob", 1, message(5, "bob", "b1", "no, mine", "b-1", "b-r2"));

    HistoryReport report = checker.report();

    assertEquals(
        List.of("a-2", "b-1"),
        report.lost().stream().map(HistoryReport.Lost::clientMsgId).toList(),
        report::toString);
  }

  @Test
  void reportsAnAcknowledgedMessageThatTheLogLacksAsLost() {
    lobbyWithOneMessage();
    checker.closed("alice");
    checker.closed("bob");
    List<LogEvent> log = lobbyLog();
    log.remove(log.size() - 1); // the log ends at seq 3: a-1, acknowledged at 4, is not there

    HistoryReport report = checker.report(log);

    assertEquals(1, report.lost().size(), report::toString);
    assertEquals("a-1", report.lost().get(0).clientMsgId());
    assertTrue(report.lost().get(0).why().contains("the log has no seq 4"), report::toString);
  }

  @Test
  void reportsOneClientMsgIdAtTwoSeqsAsADuplicateEffect() {
    lobbyWithOneMessage();
    // alice's retry of a-1 was applied a second time, and bob saw both.
    receive("bob", 1, message(5, "alice", "a1", "hello", "a-1", null));

    HistoryReport report = checker.report();

    assertEquals(
        List.of(new DuplicateEffect("lobby", "alice", "a-1", List.of(4L, 5L))),
        report.duplicateEffects(),
        report::toString);
    assertEquals(List.of(), report.duplicateDeliveries(), report::toString);
  }

  @Test
  void reportsTheSameSeqTwiceOnOneConnectionAsADuplicateDelivery() {
    lobbyWithOneMessage();
    receive("bob", 1, message(4, "alice", "a1", "hello", "a-1", null));

    HistoryReport report = checker.report();

    assertEquals(
        List.of(new DuplicateDelivery("bob", 1, "lobby", 4)),
        report.duplicateDeliveries(),
        report::toString);
    assertEquals(List.of(), report.duplicateEffects(), report::toString);
    assertEquals(List.of(), report.reorderings(), report::toString);
  }

  @Test
  void reportsASeqThatAMemberNeverReceivedAsAGap() {
    lobbyWithOneMessage();
    post("alice", 1, "a-r3", "a-2", "two");
    receive("alice", 1, message(5, "alice", "a1", "two", "a-2", "a-r3"));
    post("alice", 1, "a-r4", "a-3", "three");
    receive("alice", 1, message(6, "alice", "a1", "three", "a-3", "a-r4"));
    receive("bob", 1, message(6, "alice", "a1", "three", "a-3", null));

    HistoryReport report = checker.report();

    assertEquals(List.of(new Gap("bob", "lobby", 5, 5)), report.gaps(), report::toString);
    assertEquals(List.of(), report.reorderings(), report::toString);
  }

  @Test
  void reportsWhatARejoinFromTooHighAnAfterSeqSkipsAsAGap() {
    lobbyWithOneMessage();
    post("alice", 1, "a-r3", "a-2", "two");
    receive("alice", 1, message(5, "alice", "a1", "two", "a-2", "a-r3"));
    receive("alice", 1, memberLeft(6, "b1", "bob", "disconnected"));
    connected("bob", 2, "b2");
    // bob last saw 4 but claims 5: the server rightly sends only 6.
    join("bob", 2, "b-r3", 5L);
    receive("bob", 2, joinedWithEvents(7, "b-r3", memberLeft(6, "b1", "bob", "disconnected")));
    receive("alice", 1, memberJoined(7, "b2", "bob"));

    HistoryReport report = checker.report();

    assertEquals(List.of(new Gap("bob", "lobby", 5, 5)), report.gaps(), report::toString);
  }

  @Test
  void reportsAGapGivenUpAfterResumeTooOldAsAcknowledgedNotAsAGap() {
    lobbyAfterBobMissedTwoMessagesAndDisconnected();
    join("bob", 2, "b-r3", 4L);
    ObjectNode tooOld = error(410, "resumeTooOld", "b-r3").put("oldestSeq", 6);
    tooOld.putObject("room").put("roomId", "lobby").put("seq", 7).putArray("history");
    receive("bob", 2, tooOld);
    join("bob", 2, "b-r4", null);
    receive("bob", 2, joinedAfresh(8, "b-r4"));
    receive("alice", 1, memberJoined(8, "b2", "bob"));
    checker.acceptedGap("bob", "lobby", 5, 7);

    HistoryReport report = checker.report();

    assertTrue(report.clean(), report::toString);
    assertEquals(
        List.of(new Gap("bob", "lobby", 5, 6)), report.acknowledgedGaps(), report::toString);
  }

  @Test
  void reportsTheSameFreshJoinWithoutAcceptingTheGapAsAGap() {
    lobbyAfterBobMissedTwoMessagesAndDisconnected();
    join("bob", 2, "b-r4", null);
    receive("bob", 2, joinedAfresh(8, "b-r4"));
    receive("alice", 1, memberJoined(8, "b2", "bob"));

    HistoryReport report = checker.report();

    assertEquals(List.of(new Gap("bob", "lobby", 5, 6)), report.gaps(), report::toString);
    assertEquals(List.of(), report.acknowledgedGaps(), report::toString);
  }

  @Test
  void reportsALowerSeqAfterAHigherOneOnOneConnectionAsAReordering() {
    lobbyWithOneMessage();
    post("alice", 1, "a-r3", "a-2", "two");
    receive("alice", 1, message(5, "alice", "a1", "two", "a-2", "a-r3"));
    post("alice", 1, "a-r4", "a-3", "three");
    receive("alice", 1, message(6, "alice", "a1", "three", "a-3", "a-r4"));
    receive("bob", 1, message(6, "alice", "a1", "three", "a-3", null));
    receive("bob", 1, message(5, "alice", "a1", "two", "a-2", null));

    HistoryReport report = checker.report();

    assertEquals(
        List.of(new Reordering("bob", 1, "lobby", 5, 6)), report.reorderings(), report::toString);
    assertEquals(List.of(), report.gaps(), report::toString);
  }

  @Test
  void reportsTwoViewsOfOneSeqAsADisagreement() {
    lobbyWithOneMessage();
    receive("alice", 1, memberJoined(5, "c1", "carol"));
    receive("bob", 1, memberJoined(5, "c1", "carl"));

    HistoryReport report = checker.report();

    assertEquals(1, report.disagreements().size(), report::toString);
    assertEquals(5, report.disagreements().get(0).seq());
    assertEquals(2, report.disagreements().get(0).versions().size(), report::toString);
    assertEquals(List.of(), report.lost(), report::toString);
  }

  @Test
  void reportsSeqsMissingFromOrRepeatedInTheLog() {
    lobbyWithOneMessage();
    checker.closed("alice");
    checker.closed("bob");
    List<LogEvent> log = lobbyLog();
    log.remove(2); // seq 3, bob joining
    log.add(log.get(log.size() - 1)); // seq 4 twice

    HistoryReport report = checker.report(log);

    assertEquals(
        List.of(
            new LogAnomaly("lobby", 3, 3, "missing from the log"),
            new LogAnomaly("lobby", 4, 4, "in the log 2 times")),
        report.logAnomalies(),
        report::toString);
  }

  @Test
  void reportsAnAcknowledgedMessageThatIsInTheLogTwiceAsADuplicateEffect() {
    lobbyWithOneMessage();
    checker.closed("alice");
    checker.closed("bob");
    List<LogEvent> log = lobbyLog();
    log.add(logEvent(posted(5, "alice", "a1", "hello", "a-1")));

    HistoryReport report = checker.report(log);

    assertEquals(
        List.of(new DuplicateEffect("lobby", "alice", "a-1", List.of(4L, 5L))),
        report.duplicateEffects(),
        report::toString);
  }

  @Test
  void answersToRetriesThatRepeatAnEarlierSeqAreNeitherDuplicatesNorReorderings() {
    lobbyWithOneMessage();
    // a-2 times out and is sent again; it was recorded at 5, and both answers come after 6.
    post("alice", 1, "a-r3", "a-2", "two");
    post("alice", 1, "a-r4", "a-2", "two");
    receive("bob", 1, message(5, "alice", "a1", "two", "a-2", null));
    post("bob", 1, "b-r2", "b-1", "yo");
    receive("bob", 1, message(6, "bob", "b1", "yo", "b-1", "b-r2"));
    receive("alice", 1, message(6, "bob", "b1", "yo", "b-1", null));
    receive("alice", 1, message(5, "alice", "a1", "two", "a-2", "a-r3"));
    receive("alice", 1, message(5, "alice", "a1", "two", "a-2", "a-r4"));

    HistoryReport report = checker.report();

    assertTrue(report.clean(), report::toString);
    assertEquals(3, report.acknowledged(), report::toString);
  }

  @Test
  void aMemberRemovedWhileConnectedWhoRejoinsOnTheSameConnectionIsStillJudgedAfterwards() {
    lobbyWithOneMessage();
    // bob's gateway was thought lost: he is removed (5), hears of it, and rejoins from 5.
    receive("alice", 1, memberLeft(5, "b1", "bob", "gatewayLost"));
    receive("bob", 1, memberLeft(5, "b1", "bob", "gatewayLost"));
    join("bob", 1, "b-r2", 5L);
    receive("bob", 1, joinedWithEvents(6, "b-r2"));
    receive("alice", 1, memberJoined(6, "b1", "bob"));
    post("alice", 1, "a-r3", "a-2", "two");
    receive("alice", 1, message(7, "alice", "a1", "two", "a-2", "a-r3"));
    post("alice", 1, "a-r4", "a-3", "three");
    receive("alice", 1, message(8, "alice", "a1", "three", "a-3", "a-r4"));
    receive("bob", 1, message(8, "alice", "a1", "three", "a-3", null));

    HistoryReport report = checker.report();

    assertEquals(List.of(new Gap("bob", "lobby", 7, 7)), report.gaps(), report::toString);
  }

  @Test
  void aCreateRoomRetriedFromANewConnectionCountsAsAJoin() {
    // alice's first createRoom is applied, but her connection dies before the answer.
    connected("alice", 1, "a1");
    send(
        "alice",
        1,
        action("createRoom", "username", "alice", "clientMsgId", "c-1", "requestId", "a-r1"));
    connected("alice", 2, "a2");
    send(
        "alice",
        2,
        action("createRoom", "username", "alice", "clientMsgId", "c-1", "requestId", "a-r2"));
    ObjectNode created = frame("roomCreated", 4).put("requestId", "a-r2");
    created.putArray("members").addObject().put("connectionId", "a2").put("username", "alice");
    receive("alice", 2, created);
    checker.closed("alice");
    List<LogEvent> log = new ArrayList<>(lobbyLog().subList(0, 2));
    log.add(logEvent(memberLeft(3, "a1", "alice", "disconnected")));
    log.add(logEvent(memberJoined(4, "a2", "alice")));

    HistoryReport report = checker.report(log);

    assertTrue(report.clean(), report::toString);
    assertEquals(List.of(), report.notes(), report::toString);
  }

  @Test
  void anUnansweredSendIsUnacknowledgedNotLost() {
    lobbyWithOneMessage();
    post("alice", 1, "a-r3", "a-2", "two");

    HistoryReport report = checker.report();

    assertTrue(report.clean(), report::toString);
    assertEquals(List.of(new Unacknowledged("alice", "lobby", "a-2", 1)), report.unacknowledged());
  }

  // ---- the common start ----

  /** alice creates lobby (1, 2) on a1, bob joins (3) on b1, alice posts a-1 "hello" (4). */
  private void lobbyWithOneMessage() {
    connected("alice", 1, "a1");
    send("alice", 1, action("createRoom", "username", "alice", "requestId", "a-r1"));
    ObjectNode created = frame("roomCreated", 2).put("requestId", "a-r1");
    created.putArray("members").addObject().put("connectionId", "a1").put("username", "alice");
    receive("alice", 1, created);
    connected("bob", 1, "b1");
    join("bob", 1, "b-r1", null);
    receive("bob", 1, joinedAfresh(3, "b-r1"));
    receive("alice", 1, memberJoined(3, "b1", "bob"));
    post("alice", 1, "a-r2", "a-1", "hello");
    receive("alice", 1, message(4, "alice", "a1", "hello", "a-1", "a-r2"));
    receive("bob", 1, message(4, "alice", "a1", "hello", "a-1", null));
  }

  /** Then b1 misses a-2 (5) and a-3 (6) and is disconnected (7); bob is back as b2. */
  private void lobbyAfterBobMissedTwoMessagesAndDisconnected() {
    lobbyWithOneMessage();
    post("alice", 1, "a-r3", "a-2", "two");
    receive("alice", 1, message(5, "alice", "a1", "two", "a-2", "a-r3"));
    post("alice", 1, "a-r4", "a-3", "three");
    receive("alice", 1, message(6, "alice", "a1", "three", "a-3", "a-r4"));
    receive("alice", 1, memberLeft(7, "b1", "bob", "disconnected"));
    connected("bob", 2, "b2");
  }

  /** The log of {@link #lobbyWithOneMessage}, as roomlog.room-events holds it. */
  private static List<LogEvent> lobbyLog() {
    List<LogEvent> log = new ArrayList<>();
    log.add(logEvent(frame("roomCreated", 1).put("at", 1).put("createdBy", "alice")));
    log.add(logEvent(memberJoined(2, "a1", "alice").put("gatewayId", "g")));
    log.add(logEvent(memberJoined(3, "b1", "bob").put("gatewayId", "g")));
    log.add(logEvent(posted(4, "alice", "a1", "hello", "a-1")));
    return log;
  }

  // ---- requests and frames ----

  private void connected(String client, int incarnation, String connectionId) {
    receive(
        client,
        incarnation,
        Json.MAPPER.createObjectNode().put("type", "connected").put("connectionId", connectionId));
  }

  private void post(
      String client, int incarnation, String requestId, String clientMsgId, String text) {
    send(
        client,
        incarnation,
        action("sendMessage", "text", text, "clientMsgId", clientMsgId, "requestId", requestId));
  }

  private void join(String client, int incarnation, String requestId, Long afterSeq) {
    ObjectNode join = action("joinRoom", "username", client, "requestId", requestId);
    if (afterSeq != null) {
      join.put("afterSeq", afterSeq);
    }
    send(client, incarnation, join);
  }

  private void send(String client, int incarnation, ObjectNode request) {
    checker.sent(client, incarnation, request);
  }

  private void receive(String client, int incarnation, ObjectNode frame) {
    checker.received(client, incarnation, frame);
  }

  /** An action in room lobby, with fields given as name/value pairs. */
  private static ObjectNode action(String name, Object... fieldsAndValues) {
    ObjectNode action = Json.MAPPER.createObjectNode().put("action", name).put("roomId", "lobby");
    for (int i = 0; i < fieldsAndValues.length; i += 2) {
      action.set((String) fieldsAndValues[i], Json.MAPPER.valueToTree(fieldsAndValues[i + 1]));
    }
    return action;
  }

  private static ObjectNode frame(String type, long seq) {
    return Json.MAPPER.createObjectNode().put("type", type).put("roomId", "lobby").put("seq", seq);
  }

  private static ObjectNode joinedAfresh(long seq, String requestId) {
    ObjectNode joined = frame("joined", seq).put("requestId", requestId);
    joined.putArray("members");
    joined.putArray("history");
    return joined;
  }

  private static ObjectNode joinedWithEvents(long seq, String requestId, ObjectNode... events) {
    ObjectNode joined = frame("joined", seq).put("requestId", requestId);
    joined.putArray("members");
    joined.putArray("events").addAll(List.of(events));
    return joined;
  }

  private static ObjectNode message(
      long seq,
      String from,
      String connectionId,
      String text,
      String clientMsgId,
      String requestId) {
    ObjectNode message =
        frame("message", seq)
            .put("from", from)
            .put("connectionId", connectionId)
            .put("text", text)
            .put("sentAt", 1)
            .put("clientMsgId", clientMsgId);
    return requestId == null ? message : message.put("requestId", requestId);
  }

  /** A message as roomlog.room-events holds it. */
  private static ObjectNode posted(
      long seq, String username, String connectionId, String text, String clientMsgId) {
    return frame("messagePosted", seq)
        .put("at", 1)
        .put("connectionId", connectionId)
        .put("username", username)
        .put("text", text)
        .put("clientMsgId", clientMsgId);
  }

  private static ObjectNode memberJoined(long seq, String connectionId, String username) {
    return frame("memberJoined", seq)
        .put("connectionId", connectionId)
        .put("username", username)
        .put("at", 1);
  }

  private static ObjectNode memberLeft(
      long seq, String connectionId, String username, String reason) {
    return frame("memberLeft", seq)
        .put("connectionId", connectionId)
        .put("username", username)
        .put("reason", reason)
        .put("at", 1);
  }

  private static ObjectNode error(int status, String code, String requestId) {
    return Json.MAPPER
        .createObjectNode()
        .put("type", "error")
        .put("status", status)
        .put("code", code)
        .put("message", "refused")
        .put("requestId", requestId)
        .put("retryAfterMs", 50);
  }

  private static LogEvent logEvent(ObjectNode event) {
    return LogEvent.fromJson(event);
  }
}
