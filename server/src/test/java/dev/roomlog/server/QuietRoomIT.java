package dev.roomlog.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.systemtest.WsClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A room past the presence limit (2 here) through a real gateway, broker and processor: the join
 * that takes it past the limit is told to the members marked {@code "presence":false}, later joins
 * and their leaves reach nobody but their own member, the frames after them carry {@code prevSeq},
 * the leave back within the limit is told marked {@code "presence":true}, and resume answers hold
 * the announced events only, with 410 decided on them; the same after the processor restores the
 * room from its changelogs into an empty state directory.
 */
class QuietRoomIT {
  private static final Set<String> EVENT_FRAMES = Set.of("message", "memberJoined", "memberLeft");
  private static InProcessRoomlog roomlog;

  @BeforeAll
  static void start() {
    roomlog =
        InProcessRoomlog.startWithProcessor(
            settings -> settings.withPresenceLimit(2).withHistorySize(4));
  }

  @AfterAll
  static void stop() {
    roomlog.close();
  }

  private static WsClient client() {
    return WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY);
  }

  /** The room-event frames {@code who} got, as "type seq" or "type seq after prevSeq". */
  private static List<String> events(WsClient who) {
    List<String> out = new ArrayList<>();
    for (JsonNode f : who.received()) {
      if (EVENT_FRAMES.contains(f.path("type").asText())) {
        String prev = f.has("prevSeq") ? " after " + f.get("prevSeq").asLong() : "";
        String presence = f.has("presence") ? " presence " + f.get("presence").asBoolean() : "";
        out.add(f.get("type").asText() + " " + f.get("seq").asLong() + prev + presence);
      }
    }
    return out;
  }

  private static List<Long> seqs(JsonNode frames) {
    List<Long> out = new ArrayList<>();
    frames.forEach(f -> out.add(f.get("seq").asLong()));
    return out;
  }

  @Test
  void joinsAndLeavesPastTheLimitReachOnlyTheirMemberAndResumeAnswersTheAnnouncedEvents() {
    try (WsClient owner = client();
        WsClient first = client();
        WsClient second = client();
        WsClient third = client()) {
      owner.sendAction("createRoom", "username", "owner", "requestId", "c"); // 1, 2
      String roomId = owner.awaitAnswer("c").get("roomId").asText();
      first.sendAction("joinRoom", "roomId", roomId, "username", "first", "requestId", "j"); // 3
      assertFalse(first.awaitAnswer("j").has("presence"), "two members: presence");
      // 4: crosses the limit, told to the others marked
      second.sendAction("joinRoom", "roomId", roomId, "username", "second", "requestId", "j");
      JsonNode quiet = second.awaitAnswer("j");
      assertEquals(4, quiet.get("seq").asLong());
      assertFalse(quiet.get("presence").asBoolean(true), "three members: quiet " + quiet);
      third.sendAction("joinRoom", "roomId", roomId, "username", "third", "requestId", "j"); // 5
      third.awaitAnswer("j"); // quiet

      owner.sendAction("sendMessage", "roomId", roomId, "text", "a", "requestId", "a"); // 6
      owner.awaitAnswer("a");
      third.sendAction("sendMessage", "roomId", roomId, "text", "b", "requestId", "b"); // 7
      third.awaitAnswer("b");
      second.sendAction("leaveRoom", "roomId", roomId, "requestId", "l"); // 8: 4 before, quiet
      assertEquals("left", second.awaitAnswer("l").get("type").asText());
      owner.sendAction("sendMessage", "roomId", roomId, "text", "c", "requestId", "c2"); // 9
      owner.awaitAnswer("c2");
      await()
          .atMost(WsClient.WAIT)
          .until(() -> events(first).size() == 4 && events(third).size() == 3);

      assertEquals(
          List.of(
              "memberJoined 3",
              "memberJoined 4 presence false",
              "message 6 after 4",
              "message 7",
              "message 9 after 7"),
          events(owner));
      assertEquals(
          List.of(
              "memberJoined 4 presence false",
              "message 6 after 4",
              "message 7",
              "message 9 after 7"),
          events(first));
      assertEquals(List.of("message 6 after 4", "message 7"), events(second));
      assertEquals(List.of("message 6 after 4", "message 7", "message 9 after 7"), events(third));

      checkResumes(third, roomId, "r1");
      roomlog.stopProcessor();
      roomlog.startProcessorWithFreshStateDir();
      checkResumes(third, roomId, "r2");

      try (WsClient late = client()) {
        late.sendAction("joinRoom", "roomId", roomId, "username", "late", "requestId", "j");
        JsonNode joined = late.awaitAnswer("j");
        assertEquals(10, joined.get("seq").asLong(), "the quiet leave took seq 8");
        List<String> history = new ArrayList<>();
        joined.get("history").forEach(m -> history.add(m.get("text").asText()));
        assertEquals(List.of("a", "b", "c"), history, "quiet joins pushed no message out");
        late.sendAction("leaveRoom", "roomId", roomId, "requestId", "l"); // 11: 4 before, quiet
        late.awaitAnswer("l");
      }
      // 12: 3 before, back within the limit: told, marked, after the last announced event (9).
      third.sendAction("leaveRoom", "roomId", roomId, "requestId", "l");
      third.awaitAnswer("l");
      await().atMost(WsClient.WAIT).until(() -> events(first).size() == 5);
      assertEquals("memberLeft 12 after 9 presence true", events(first).get(4));
      assertEquals("memberLeft 12 after 9 presence true", events(owner).get(5));
    }
  }

  /**
   * The announced events are 1, 2, 3, 4, 6, 7, 9; a window of 4 keeps 4, 6, 7, 9, so seq 3 is the
   * newest one forgotten: a resume from 3 or later is complete, from 2 is 410 with oldestSeq 4.
   */
  private static void checkResumes(WsClient member, String roomId, String id) {
    member.send(
        "{\"action\":\"resume\",\"roomId\":\""
            + roomId
            + "\",\"afterSeq\":5,\"requestId\":\""
            + id
            + "a\"}");
    JsonNode fromJoin = member.awaitAnswer(id + "a");
    assertEquals("resumed", fromJoin.get("type").asText(), fromJoin.toString());
    assertEquals(List.of(6L, 7L, 9L), seqs(fromJoin.get("events")));
    assertEquals(9, fromJoin.get("seq").asLong());
    assertEquals(4, fromJoin.get("events").get(0).get("prevSeq").asLong());

    member.send(
        "{\"action\":\"resume\",\"roomId\":\""
            + roomId
            + "\",\"afterSeq\":3,\"requestId\":\""
            + id
            + "b\"}");
    assertEquals(List.of(4L, 6L, 7L, 9L), seqs(member.awaitAnswer(id + "b").get("events")));

    member.send(
        "{\"action\":\"resume\",\"roomId\":\""
            + roomId
            + "\",\"afterSeq\":2,\"requestId\":\""
            + id
            + "c\"}");
    JsonNode tooOld = member.awaitAnswer(id + "c");
    assertEquals(410, tooOld.get("status").asInt(), tooOld.toString());
    assertEquals(4, tooOld.get("oldestSeq").asLong());
  }
}
