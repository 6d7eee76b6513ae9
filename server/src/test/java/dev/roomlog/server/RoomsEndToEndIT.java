package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.systemtest.SharedKafka;
import dev.roomlog.systemtest.WsClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two real WebSocket clients chat through the whole system: gateway, write-ahead log, room
 * processor (exactly-once), deliveries, back to the sockets. One Roomlog for the class; each test
 * makes its own rooms.
 */
class RoomsEndToEndIT {
  private static InProcessRoomlog roomlog;

  @BeforeAll
  static void start() {
    roomlog = InProcessRoomlog.start();
  }

  @AfterAll
  static void stop() {
    roomlog.close();
  }

  private static WsClient client() {
    return WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY);
  }

  private static List<String> memberNames(JsonNode frame) {
    List<String> names = new ArrayList<>();
    frame.get("members").forEach(m -> names.add(m.get("username").asText()));
    return names;
  }

  @Test
  void twoClientsCreateJoinChatAndLeaveARoom() {
    try (WsClient alice = client();
        WsClient bob = client()) {
      alice.sendAction("createRoom", "username", "alice", "requestId", "c1");
      JsonNode created = alice.awaitAnswer("c1");
      assertEquals("roomCreated", created.get("type").asText());
      String roomId = created.get("roomId").asText();
      assertEquals(List.of("alice"), memberNames(created));

      bob.sendAction("joinRoom", "roomId", roomId, "username", "bob", "requestId", "j1");
      JsonNode joined = bob.awaitAnswer("j1");
      assertEquals("joined", joined.get("type").asText());
      assertEquals(List.of("alice", "bob"), memberNames(joined));
      long joinSeq = joined.get("seq").asLong();
      JsonNode told =
          alice.awaitFrame("memberJoined", f -> f.get("username").asText().equals("bob"));
      assertEquals(joinSeq, told.get("seq").asLong());

      alice.sendAction("sendMessage", "roomId", roomId, "text", "hello bob", "requestId", "m1");
      JsonNode aliceCopy = alice.awaitAnswer("m1");
      JsonNode bobCopy = bob.awaitFrame("message", f -> f.get("text").asText().equals("hello bob"));
      assertEquals("message", aliceCopy.get("type").asText());
      assertEquals(joinSeq + 1, aliceCopy.get("seq").asLong());
      assertEquals(aliceCopy.get("seq"), bobCopy.get("seq"));
      assertEquals("alice", bobCopy.get("from").asText());
      assertEquals(roomId, bobCopy.get("roomId").asText());
      assertFalse(bobCopy.has("requestId"), "only the sender's copy answers its request");

      bob.sendAction("leaveRoom", "roomId", roomId, "requestId", "l1");
      assertEquals("left", bob.awaitAnswer("l1").get("type").asText());
      JsonNode left = alice.awaitFrame("memberLeft", f -> f.get("username").asText().equals("bob"));
      assertEquals("left", left.get("reason").asText());
      assertEquals(joinSeq + 2, left.get("seq").asLong());
    }
  }

  @Test
  void aMemberWhoDisconnectsIsRemovedAndTheOthersAreTold() {
    try (WsClient alice = client()) {
      alice.sendAction("createRoom", "username", "alice", "requestId", "c");
      String roomId = alice.awaitAnswer("c").get("roomId").asText();

      String bobId;
      try (WsClient bob = client()) {
        bobId = bob.connectionId();
        bob.sendAction("joinRoom", "roomId", roomId, "username", "bob", "requestId", "j");
        bob.awaitAnswer("j");
      }

      JsonNode gone =
          alice.awaitFrame("memberLeft", f -> f.get("connectionId").asText().equals(bobId));
      assertEquals("disconnected", gone.get("reason").asText());

      try (WsClient carol = client()) {
        carol.sendAction("joinRoom", "roomId", roomId, "username", "carol", "requestId", "j2");
        assertEquals(List.of("alice", "carol"), memberNames(carol.awaitAnswer("j2")));
      }
    }
  }

  @Test
  void aLateJoinerGetsTheRecentHistoryInSeqOrder() {
    try (WsClient alice = client()) {
      alice.sendAction("createRoom", "username", "alice", "requestId", "c");
      String roomId = alice.awaitAnswer("c").get("roomId").asText();
      for (int i = 1; i <= 3; i++) {
        alice.sendAction("sendMessage", "roomId", roomId, "text", "m" + i, "requestId", "s" + i);
      }
      alice.awaitAnswer("s3");

      try (WsClient late = client()) {
        late.sendAction("joinRoom", "roomId", roomId, "username", "late", "requestId", "j");
        JsonNode joined = late.awaitAnswer("j");
        List<String> texts = new ArrayList<>();
        List<Long> seqs = new ArrayList<>();
        joined
            .get("history")
            .forEach(
                m -> {
                  texts.add(m.get("text").asText());
                  seqs.add(m.get("seq").asLong());
                });
        assertEquals(List.of("m1", "m2", "m3"), texts);
        assertTrue(seqs.get(0) < seqs.get(1) && seqs.get(1) < seqs.get(2), "seq order: " + seqs);
        assertEquals(seqs.get(2) + 1, joined.get("seq").asLong());
      }
    }
  }

  @Test
  void wrongInputGetsAnErrorAndTheConnectionStaysOpen() {
    try (WsClient alice = client()) {
      alice.send("this is not json");
      JsonNode badJson = alice.awaitFrame("error", f -> f.get("code").asText().equals("badJson"));
      assertEquals(400, badJson.get("status").asInt());

      alice.sendAction("dance", "requestId", "e1");
      assertEquals("unknownAction", alice.awaitAnswer("e1").get("code").asText());

      alice.sendAction("joinRoom", "roomId", "no-such-room", "username", "a", "requestId", "e2");
      JsonNode notFound = alice.awaitAnswer("e2");
      assertEquals(404, notFound.get("status").asInt());
      assertEquals("roomNotFound", notFound.get("code").asText());

      alice.sendAction("createRoom", "username", "alice", "requestId", "c");
      String roomId = alice.awaitAnswer("c").get("roomId").asText();
      try (WsClient outsider = client()) {
        outsider.sendAction(
            "sendMessage", "roomId", roomId, "text", "let me in", "requestId", "e3");
        JsonNode notMember = outsider.awaitAnswer("e3");
        assertEquals(403, notMember.get("status").asInt());
        assertEquals("notMember", notMember.get("code").asText());
        assertFalse(outsider.isClosed());
      }

      alice.sendAction(
          "sendMessage", "roomId", roomId, "text", "x".repeat(4097), "requestId", "e4");
      assertEquals(413, alice.awaitAnswer("e4").get("status").asInt());

      alice.sendAction("sendMessage", "roomId", roomId, "text", "still here", "requestId", "ok");
      assertEquals("message", alice.awaitAnswer("ok").get("type").asText());
      assertFalse(alice.isClosed());
    }
  }

  @Test
  void aClientChosenRoomIdIsTakenOnceThenAnswered409() {
    String roomId = "room-" + SharedKafka.uniquePrefix();
    try (WsClient alice = client();
        WsClient bob = client()) {
      alice.sendAction("createRoom", "username", "alice", "roomId", roomId, "requestId", "c");
      assertEquals(roomId, alice.awaitAnswer("c").get("roomId").asText());
      bob.sendAction("createRoom", "username", "bob", "roomId", roomId, "requestId", "c2");
      JsonNode taken = bob.awaitAnswer("c2");
      assertEquals(409, taken.get("status").asInt());
      assertEquals("roomExists", taken.get("code").asText());
    }
  }
}
