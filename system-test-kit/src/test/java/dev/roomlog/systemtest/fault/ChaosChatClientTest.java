package dev.roomlog.systemtest.fault;

import static java.util.stream.Collectors.toSet;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.systemtest.fault.FakeRoomServer.FailedSend;
import dev.roomlog.systemtest.fault.FakeRoomServer.Fault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ChaosChatClient against {@link FakeRoomServer}, without Kafka: two clients chat in one room while
 * the server fails under them, and the {@link HistoryChecker} judges what they saw.
 */
class ChaosChatClientTest {
  private static final String API_KEY = "chaos-test-key";
  private static final String ROOM = "lobby";
  private static final Duration DEADLINE = Duration.ofSeconds(20);
  private static final int MESSAGES = 200;

  private final HistoryChecker checker = new HistoryChecker();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @Test
  void reconnectsRejoinsFromItsLastSeqAndResendsUnansweredMessagesWithTheSameClientMsgId()
      throws Exception {
    FakeRoomServer server = closing(FakeRoomServer.start(2, API_KEY));
    ChaosChatClient alice = start("alice", server);
    ChaosChatClient bob = start("bob", server);
    awaitAcknowledged(alice, 3);
    awaitAcknowledged(bob, 3);

    // Recorded, but the answer is a 503: alice must retry, and be answered with the original.
    String refused =
        server
            .failNextSendOf("alice", Fault.RECORD_THEN_LOG_UNAVAILABLE)
            .get(DEADLINE.toSeconds(), TimeUnit.SECONDS)
            .clientMsgId();
    // Recorded, but her connection dies before the answer: the same after a reconnect.
    String unanswered =
        server
            .failNextSendOf("alice", Fault.RECORD_THEN_RESET)
            .get(DEADLINE.toSeconds(), TimeUnit.SECONDS)
            .clientMsgId();
    await().atMost(DEADLINE).until(() -> alice.stats().connections() >= 2);
    await().atMost(DEADLINE).until(() -> server.gatewayOf("alice") >= 0);
    // Then the gateway she is on now dies for good: she must move to the other one.
    int connectionsBefore = alice.stats().connections();
    server.killGateway(server.gatewayOf("alice"));
    await().atMost(DEADLINE).until(() -> alice.stats().connections() > connectionsBefore);

    assertTrue(alice.stop(DEADLINE), "alice's messages are all acknowledged");
    assertTrue(bob.stop(DEADLINE), "bob's messages are all acknowledged");
    long last = server.lastSeq(ROOM);
    alice.awaitSeen(ROOM, last, DEADLINE);
    bob.awaitSeen(ROOM, last, DEADLINE);
    alice.close();
    bob.close();

    List<JsonNode> log = server.roomEvents(ROOM);
    assertEquals(1, postsOf(log, refused), "messages in the room with clientMsgId " + refused);
    assertEquals(1, postsOf(log, unanswered), "messages with clientMsgId " + unanswered);
    assertTrue(
        server.retriesAnsweredWithOriginal().containsAll(List.of(refused, unanswered)),
        "retries answered with the original: " + server.retriesAnsweredWithOriginal());
    assertTrue(
        server.joinRequests().stream()
            .anyMatch(
                j ->
                    j.path("username").asText().equals("alice") && j.path("afterSeq").asLong() > 2),
        "alice rejoined from the last seq she saw: " + server.joinRequests());
    HistoryReport report =
        checker.report(log.stream().map(HistoryChecker.LogEvent::fromJson).toList());
    assertTrue(report.clean(), report::toString);
    int generated = alice.stats().generated() + bob.stats().generated();
    assertEquals(generated, report.sends(), report::toString);
    assertEquals(generated, report.acknowledged(), report::toString);
  }

  @Test
  void reportsAMessageThatTheServerAcknowledgedButNeverRecordedAsLost() throws Exception {
    FakeRoomServer server = closing(FakeRoomServer.start(1, API_KEY));
    ChaosChatClient alice = start("alice", server);
    ChaosChatClient bob = start("bob", server);
    awaitAcknowledged(alice, 3);
    awaitAcknowledged(bob, 3);

    FailedSend forgotten =
        server
            .failNextSendOf("alice", Fault.ANSWER_BUT_FORGET)
            .get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    // Its seq goes to the next event: wait for one, or nothing would contradict the answer.
    await().atMost(DEADLINE).until(() -> server.lastSeq(ROOM) >= forgotten.seq());

    assertTrue(alice.stop(DEADLINE), "alice's messages are all acknowledged");
    assertTrue(bob.stop(DEADLINE), "bob's messages are all acknowledged");
    long last = server.lastSeq(ROOM);
    alice.awaitSeen(ROOM, last, DEADLINE);
    bob.awaitSeen(ROOM, last, DEADLINE);
    alice.close();
    bob.close();

    HistoryReport fromClients = checker.report();
    assertEquals(List.of(forgotten.clientMsgId()), lostIds(fromClients), fromClients::toString);
    HistoryReport withLog =
        checker.report(
            server.roomEvents(ROOM).stream().map(HistoryChecker.LogEvent::fromJson).toList());
    assertEquals(List.of(forgotten.clientMsgId()), lostIds(withLog), withLog::toString);
  }

  @Test
  void joinsAfreshAfterResumeTooOldAndWhatItMissedIsReportedAsAnAcknowledgedGap() {
    FakeRoomServer server = closing(FakeRoomServer.start(1, API_KEY));
    ChaosChatClient alice = start("alice", server);
    ChaosChatClient bob = start("bob", server);
    awaitAcknowledged(alice, 3);
    awaitAcknowledged(bob, 3);

    // bob's gateway goes quiet while alice goes on, then the room forgets, then bob is cut.
    server.cutOff("bob");
    int aliceBefore = alice.stats().acknowledged();
    awaitAcknowledged(alice, aliceBefore + 3);
    server.forgetHistory(ROOM);
    server.resetConnectionsOf("bob");
    await().atMost(DEADLINE).until(() -> server.resumeTooOldAnswers() > 0);

    assertTrue(alice.stop(DEADLINE), "alice's messages are all acknowledged");
    assertTrue(bob.stop(DEADLINE), "bob's messages are all acknowledged");
    long last = server.lastSeq(ROOM);
    alice.awaitSeen(ROOM, last, DEADLINE);
    bob.awaitSeen(ROOM, last, DEADLINE);
    alice.close();
    bob.close();

    HistoryReport report =
        checker.report(
            server.roomEvents(ROOM).stream().map(HistoryChecker.LogEvent::fromJson).toList());
    assertTrue(report.clean(), report::toString);
    assertFalse(report.acknowledgedGaps().isEmpty(), report::toString);
    assertEquals(
        Set.of("bob"),
        report.acknowledgedGaps().stream().map(HistoryReport.Gap::client).collect(toSet()),
        report::toString);
    assertTrue(bob.stats().gaveUpSeqs() >= 3, bob.stats()::toString);
  }

  @Test
  void rejoinsFromItsLastSeqOnTheSameConnectionWhenTheRoomRemovedIt() {
    FakeRoomServer server = closing(FakeRoomServer.start(1, API_KEY));
    ChaosChatClient alice = start("alice", server);
    ChaosChatClient bob = start("bob", server);
    awaitAcknowledged(alice, 3);
    awaitAcknowledged(bob, 3);

    long removedAt = server.removeAsGatewayLost("alice");
    await()
        .atMost(DEADLINE)
        .until(
            () ->
                server.joinRequests().stream()
                    .anyMatch(
                        j ->
                            j.path("username").asText().equals("alice")
                                && j.path("afterSeq").asLong() >= removedAt));
    awaitAcknowledged(alice, alice.stats().acknowledged() + 3);

    assertTrue(alice.stop(DEADLINE), "alice's messages are all acknowledged");
    assertTrue(bob.stop(DEADLINE), "bob's messages are all acknowledged");
    long last = server.lastSeq(ROOM);
    alice.awaitSeen(ROOM, last, DEADLINE);
    bob.awaitSeen(ROOM, last, DEADLINE);
    alice.close();
    bob.close();

    assertEquals(1, alice.stats().connections(), alice.stats()::toString);
    HistoryReport report =
        checker.report(
            server.roomEvents(ROOM).stream().map(HistoryChecker.LogEvent::fromJson).toList());
    assertTrue(report.clean(), report::toString);
  }

  @Test
  void movesToTheNextPortWhenAHandshakeFails() {
    FakeRoomServer server = closing(FakeRoomServer.start(2, API_KEY));
    server.killGateway(0);
    ChaosChatClient alice = start("alice", server);

    awaitAcknowledged(alice, 3);

    assertTrue(alice.stats().connectFailures() >= 1, alice.stats()::toString);
  }

  @Test
  void keepsRetryingAHandshakeThatIsRefusedWithoutEverSending() {
    FakeRoomServer server = closing(FakeRoomServer.start(1, API_KEY));
    ChaosChatClient mallory =
        closing(
            ChaosChatClient.start(
                ChaosChatClient.Options.of("mallory", server.ports(), "wrong-key", List.of(ROOM)),
                checker));

    await().atMost(DEADLINE).until(() -> mallory.stats().connectFailures() >= 3);

    assertEquals(0, mallory.stats().connections(), mallory.stats()::toString);
    assertEquals(0, server.lastSeq(ROOM));
    assertEquals(0, checker.report().sends());
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closing(T resource) {
    toClose.add(resource);
    return resource;
  }

  private ChaosChatClient start(String name, FakeRoomServer server) {
    return closing(
        ChaosChatClient.start(
            ChaosChatClient.Options.of(name, server.ports(), API_KEY, List.of(ROOM))
                .withPace(40, MESSAGES)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5)),
            checker));
  }

  private static void awaitAcknowledged(ChaosChatClient client, int count) {
    await()
        .atMost(DEADLINE)
        .alias(client.name() + " to have " + count + " messages acknowledged")
        .until(() -> client.stats().acknowledged() >= count);
  }

  private static long postsOf(List<JsonNode> log, String clientMsgId) {
    return log.stream()
        .filter(e -> e.path("type").asText().equals("messagePosted"))
        .filter(e -> e.path("clientMsgId").asText().equals(clientMsgId))
        .count();
  }

  private static List<String> lostIds(HistoryReport report) {
    return report.lost().stream().map(HistoryReport.Lost::clientMsgId).toList();
  }
}
