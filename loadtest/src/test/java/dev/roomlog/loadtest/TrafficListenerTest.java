package dev.roomlog.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a member's frames count for, fed as the server's text frames. */
class TrafficListenerTest {
  private final RunMetrics metrics = new RunMetrics(0);
  private final RoomlogProtocol protocol = new RoomlogProtocol("k");
  private final RoomPlan plan = new RoomPlan(2, 2, true);

  @Test
  void aMemberTheServerTookOutOfTheRoomIsCountedWithTheReason() {
    try (RoomSetup setup =
        new RoomSetup(protocol, plan, "lt-x", 100, Duration.ofSeconds(1), metrics.errors)) {
      TrafficListener listener =
          new TrafficListener(plan, new MessageLedger(), setup, metrics, false);
      WsConnection member = new WsConnection(1, 0, protocol, listener, metrics.errors);
      member.onText("{\"type\":\"connected\",\"connectionId\":\"c1\"}", 1);
      // Another member's leave is only news; this member's own is a removal.
      member.onText(
          "{\"type\":\"memberLeft\",\"roomId\":\"lt-x-r0\",\"connectionId\":\"c0\",\"reason\":\"left\"}",
          2);
      member.onText(
          "{\"type\":\"memberLeft\",\"roomId\":\"lt-x-r0\",\"connectionId\":\"c1\","
              + "\"reason\":\"gatewayLost\"}",
          3);
      assertEquals(Map.of("removed from the room: gatewayLost", 1L), metrics.errors.snapshot());
    }
  }
}
