package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.GatewaySettings;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A gateway refuses to start under an id another running gateway uses (they would evict each
 * other's members), and starts under it once that gateway has stopped.
 */
class GatewayIdCheckIT {
  private static final Duration HEARTBEAT = Duration.ofMillis(300);

  private static GatewaySettings settings(String gatewayId) {
    return GatewaySettings.of(Set.of(InProcessRoomlog.API_KEY), gatewayId).toBuilder()
        .bindHost("127.0.0.1")
        .port(0)
        .adminPort(0)
        .heartbeatInterval(HEARTBEAT)
        .build();
  }

  @Test
  void aSecondGatewayUnderARunningOnesIdIsRefusedAndTheFirstKeepsItsMembers() {
    String bootstrap = SharedKafka.bootstrapServers();
    String takenId;
    dev.roomlog.protocol.TopicSet topics;
    try (InProcessRoomlog roomlog = InProcessRoomlog.start(gateway -> gateway.heartbeatInterval(HEARTBEAT));
        WsClient alice = WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY)) {
      takenId = roomlog.gatewayId();
      topics = roomlog.topics();
      alice.sendAction("createRoom", "username", "alice", "requestId", "c");
      String roomId = alice.awaitAnswer("c").get("roomId").asText();

      try (GatewayNode other = GatewayNode.start(bootstrap, topics, settings("gw-other-" + takenId))) {
        assertTrue(other.port() > 0, "another id starts beside it");
      }

      IllegalArgumentException refused =
          assertThrows(
              IllegalArgumentException.class, () -> GatewayNode.start(bootstrap, topics, settings(takenId)));
      assertTrue(
          refused.getMessage().startsWith("another gateway is running with gateway id '" + takenId + "'"),
          refused.getMessage());

      // The refused start wrote no heartbeat: alice is still in her room, and it still works.
      alice.sendAction("sendMessage", "roomId", roomId, "text", "still here", "requestId", "m");
      assertEquals("message", alice.awaitAnswer("m").get("type").asText());
    }

    // Its owner stopped: the id is free again (after watching two intervals for a beat).
    try (GatewayNode restarted = GatewayNode.start(bootstrap, topics, settings(takenId))) {
      assertTrue(restarted.port() > 0);
    }
  }
}
