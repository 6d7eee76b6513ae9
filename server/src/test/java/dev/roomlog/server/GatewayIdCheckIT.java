package dev.roomlog.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.Gateway;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.systemtest.SharedKafka;
import dev.roomlog.systemtest.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
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
    try (InProcessRoomlog roomlog =
            InProcessRoomlog.start(gateway -> gateway.heartbeatInterval(HEARTBEAT));
        WsClient alice = WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY)) {
      takenId = roomlog.gatewayId();
      topics = roomlog.topics();
      alice.sendAction("createRoom", "username", "alice", "requestId", "c");
      String roomId = alice.awaitAnswer("c").get("roomId").asText();

      try (Gateway other = Gateway.start(bootstrap, topics, settings("gw-other-" + takenId))) {
        assertTrue(other.port() > 0, "another id starts beside it");
      }

      IllegalArgumentException refused =
          assertThrows(
              IllegalArgumentException.class,
              () -> Gateway.start(bootstrap, topics, settings(takenId)));
      assertTrue(
          refused
              .getMessage()
              .startsWith("another gateway is running with gateway id '" + takenId + "'"),
          refused.getMessage());

      // The refused start wrote no heartbeat: alice is still in her room, and it still works.
      alice.sendAction("sendMessage", "roomId", roomId, "text", "still here", "requestId", "m");
      assertEquals("message", alice.awaitAnswer("m").get("type").asText());
    }

    // Its owner stopped: the id is free again (after watching two intervals for a beat).
    try (Gateway restarted = Gateway.start(bootstrap, topics, settings(takenId))) {
      assertTrue(restarted.port() > 0);
    }
  }

  @Test
  void ofTwoGatewaysStartedUnderOneIdAtTheSameMomentOnlyOneServesAndItsMembersStay()
      throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    try (InProcessRoomlog roomlog =
        InProcessRoomlog.start(gateway -> gateway.heartbeatInterval(HEARTBEAT))) {
      String sharedId = "gw-twin-" + roomlog.gatewayId();
      CountDownLatch go = new CountDownLatch(1);
      List<CompletableFuture<Gateway>> starts = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        starts.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    go.await();
                  } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                  }
                  return Gateway.start(bootstrap, roomlog.topics(), settings(sharedId));
                }));
      }
      go.countDown();
      List<Gateway> started = new ArrayList<>();
      for (CompletableFuture<Gateway> start : starts) {
        try {
          started.add(start.get(60, TimeUnit.SECONDS));
        } catch (ExecutionException refusedAtStart) {
          assertInstanceOf(
              IllegalArgumentException.class,
              refusedAtStart.getCause(),
              "the start check refused it");
        }
      }
      try {
        assertFalse(started.isEmpty(), "one of them starts");
        // Whether the start check caught the second or both started: within the watch, only one
        // is left serving.
        await("one gateway left under the shared id")
            .atMost(Duration.ofSeconds(30))
            .until(() -> started.stream().filter(Probe::serves).count() == 1);
        Gateway survivor = started.stream().filter(Probe::serves).findFirst().orElseThrow();
        try (WsClient alice = WsClient.connect(survivor.port(), InProcessRoomlog.API_KEY)) {
          alice.sendAction("createRoom", "username", "alice", "requestId", "c");
          String roomId = alice.awaitAnswer("c").get("roomId").asText();
          // Several heartbeats later, the survivor's member is still in her room.
          for (int i = 0; i < 5; i++) {
            alice.sendAction(
                "sendMessage", "roomId", roomId, "text", "still here " + i, "requestId", "m" + i);
            assertEquals(
                "message", alice.awaitAnswer("m" + i).get("type").asText(), "message " + i);
          }
        }
      } finally {
        for (Gateway node : started) {
          node.close();
        }
      }
    }
  }

  /** Whether a node still accepts a WebSocket handshake on its port. */
  private static final class Probe {
    static boolean serves(Gateway node) {
      try {
        return WsClient.handshakeStatus(node.port(), InProcessRoomlog.API_KEY) == -1;
      } catch (RuntimeException refusedOrClosed) {
        return false;
      }
    }
  }
}
