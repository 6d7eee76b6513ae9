package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.action.Limits;
import dev.roomlog.systemtest.WsClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A room of a few hundred real WebSocket clients through the whole system: the joined answer lists
 * the first page of members and counts them all, and the members action pages through every one, in
 * join order, while one more joins and one leaves between pages.
 */
class LargeRoomMembersIT {
  private static final int MEMBERS = 300;
  private static InProcessRoomlog roomlog;

  @BeforeAll
  static void start() {
    // Hundreds of handshakes from one loopback address: past the default per-address rate.
    roomlog = InProcessRoomlog.start(b -> b.handshakeRatePerIp(10_000, 10_000));
  }

  @AfterAll
  static void stop() {
    roomlog.close();
  }

  private static WsClient client() {
    return WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY);
  }

  private static List<String> ids(JsonNode frame) {
    List<String> out = new ArrayList<>();
    frame.get("members").forEach(m -> out.add(m.get("connectionId").asText()));
    return out;
  }

  /** A members action with the given cursor (null: none) and limit. */
  private static void askMembers(WsClient who, String roomId, Long after, int limit, String id) {
    var node =
        Json.MAPPER
            .createObjectNode()
            .put("action", "members")
            .put("roomId", roomId)
            .put("limit", limit)
            .put("requestId", id);
    if (after != null) {
      node.put("after", after);
    }
    who.send(node.toString());
  }

  @Test
  void aRoomOfSomeHundredMembersIsListedWholeAPageAtATimeInJoinOrder() {
    List<WsClient> clients = new ArrayList<>();
    try {
      WsClient owner = client();
      clients.add(owner);
      owner.sendAction("createRoom", "username", "owner", "requestId", "c");
      String roomId = owner.awaitAnswer("c").get("roomId").asText();
      List<String> joinOrder = new ArrayList<>(List.of(owner.connectionId()));
      for (int i = 1; i < MEMBERS; i++) {
        WsClient member = client();
        clients.add(member);
        member.sendAction("joinRoom", "roomId", roomId, "username", "m" + i, "requestId", "j");
        JsonNode joined = member.awaitAnswer("j");
        assertEquals("joined", joined.get("type").asText(), joined.toString());
        joinOrder.add(member.connectionId());
        if (i == MEMBERS - 1) {
          assertEquals(MEMBERS, joined.get("memberCount").asInt());
          assertEquals(joinOrder.subList(0, Limits.FIRST_MEMBERS_PAGE), ids(joined));
          assertTrue(joined.has("membersNext"), joined.toString());
        }
      }

      WsClient asker = clients.get(MEMBERS - 1);
      List<String> seen = new ArrayList<>();
      List<String> leftBeforeSeen = new ArrayList<>();
      Long after = null;
      int page = 0;
      do {
        askMembers(asker, roomId, after, 70, "p" + page);
        JsonNode answer = asker.awaitAnswer("p" + page);
        assertEquals("members", answer.get("type").asText(), answer.toString());
        seen.addAll(ids(answer));
        after = answer.get("next").isNull() ? null : answer.get("next").asLong();
        if (after != null) {
          WsClient late = client();
          clients.add(late);
          late.sendAction(
              "joinRoom", "roomId", roomId, "username", "late" + page, "requestId", "j");
          late.awaitAnswer("j");
          joinOrder.add(late.connectionId());
          // The last member not listed yet leaves: it must not be listed.
          WsClient leaving = clients.get(MEMBERS - 2 - page);
          leaving.sendAction("leaveRoom", "roomId", roomId, "requestId", "l");
          leaving.awaitAnswer("l");
          leftBeforeSeen.add(leaving.connectionId());
        }
        page++;
      } while (after != null);

      assertEquals(seen.size(), new HashSet<>(seen).size(), "nobody twice");
      List<String> expected = new ArrayList<>(joinOrder);
      expected.removeAll(leftBeforeSeen);
      assertEquals(expected, seen, "every member still there, once, in join order");
      assertTrue(page >= 5, page + " pages");
    } finally {
      clients.forEach(WsClient::close);
    }
  }

  @Test
  void aConnectionThatIsNotAMemberMayNotList() {
    try (WsClient owner = client();
        WsClient outsider = client()) {
      owner.sendAction("createRoom", "username", "owner", "requestId", "c");
      String roomId = owner.awaitAnswer("c").get("roomId").asText();
      askMembers(outsider, roomId, null, 10, "q");
      JsonNode refused = outsider.awaitAnswer("q");
      assertEquals(403, refused.get("status").asInt());
      assertEquals("notMember", refused.get("code").asText());
    }
  }
}
