package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.systemtest.WsClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Room state lives in Kafka, not in the processor: a processor restart loses nothing. */
class ProcessorRestartIT {

  @Test
  void roomsSurviveAProcessorRestartAndActionsSentWhileItWasDownAreApplied() {
    try (InProcessRoomlog roomlog = InProcessRoomlog.start();
        WsClient alice = WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY)) {
      alice.sendAction("createRoom", "username", "alice", "requestId", "c");
      String roomId = alice.awaitAnswer("c").get("roomId").asText();
      alice.sendAction("sendMessage", "roomId", roomId, "text", "m1", "requestId", "s1");
      alice.awaitAnswer("s1");

      roomlog.stopProcessor();
      // Accepted into the log while no processor runs; applied when one comes back.
      alice.sendAction("sendMessage", "roomId", roomId, "text", "m2", "requestId", "s2");
      // A new, empty state directory: the restarted processor must rebuild the room from Kafka.
      roomlog.startProcessorWithFreshStateDir();

      JsonNode m2 = alice.awaitAnswer("s2");
      assertEquals(4, m2.get("seq").asLong(), "created=1, alice joined=2, m1=3, m2=4");

      try (WsClient bob = WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY)) {
        bob.sendAction("joinRoom", "roomId", roomId, "username", "bob", "requestId", "j");
        JsonNode joined = bob.awaitAnswer("j");
        assertEquals("joined", joined.get("type").asText());
        assertEquals(5, joined.get("seq").asLong());
        List<String> history = new ArrayList<>();
        joined.get("history").forEach(m -> history.add(m.get("text").asText()));
        assertEquals(List.of("m1", "m2"), history);
        List<String> members = new ArrayList<>();
        joined.get("members").forEach(m -> members.add(m.get("username").asText()));
        assertEquals(List.of("alice", "bob"), members);
      }
    }
  }
}
