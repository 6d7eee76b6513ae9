package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.systemtest.WsClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Upgrades keep rooms (issue 18): a room the previous version stored, one whole record in the
 * {@code rooms} store's changelog, is restored by a processor of this version into an empty state
 * directory, and goes on from its seq with its history.
 */
class PreviousStateLayoutIT {
  private static final long AT = 1_767_225_600_000L;

  @Test
  void aRoomInThePreviousLayoutsChangelogIsRestoredAndGoesOnWithItsHistory() throws Exception {
    try (InProcessRoomlog roomlog = InProcessRoomlog.start()) {
      roomlog.stopProcessor();
      String roomId = "before-issue-18";
      List<RoomEvent> events =
          List.of(
              new RoomEvent.RoomCreated(roomId, 1, AT, "alice", null, null),
              new RoomEvent.MemberJoined(
                  roomId, 2, AT, "gone", "alice", "gw-old", "gw-old/run-1", null),
              new RoomEvent.MessagePosted(roomId, 3, AT + 1, "gone", "alice", "from before", null),
              new RoomEvent.MemberLeft(roomId, 4, AT + 2, "gone", "alice", "disconnected"));
      writePreviousLayout(roomlog, roomId, events);
      roomlog.startProcessorWithFreshStateDir();

      try (WsClient bob = WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY);
          WsClient carol = WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY)) {
        bob.sendAction("joinRoom", "roomId", roomId, "username", "bob", "requestId", "j");
        JsonNode joined = bob.awaitAnswer("j");
        assertEquals("joined", joined.get("type").asText(), joined.toString());
        assertEquals(5, joined.get("seq").asLong(), "the seq goes on from the old room's");
        assertEquals(List.of("from before"), texts(joined.get("history")));

        carol.send(
            Json.MAPPER
                .createObjectNode()
                .put("action", "joinRoom")
                .put("roomId", roomId)
                .put("username", "carol")
                .put("afterSeq", 1)
                .put("requestId", "k")
                .toString());
        JsonNode caughtUp = carol.awaitAnswer("k");
        List<Long> seqs = new ArrayList<>();
        caughtUp.get("events").forEach(e -> seqs.add(e.get("seq").asLong()));
        assertEquals(List.of(2L, 3L, 4L, 5L), seqs, caughtUp.toString());
      }
    }
  }

  /** The record the previous version's {@code rooms} store wrote: the whole room, as JSON. */
  private static void writePreviousLayout(
      InProcessRoomlog roomlog, String roomId, List<RoomEvent> events) throws Exception {
    ArrayNode recent = Json.MAPPER.createArrayNode();
    for (RoomEvent e : events) {
      byte[] json = roomlog.topics().roomEvents().valueSerde().serializer().serialize("t", e);
      recent.add(Json.MAPPER.readTree(json));
    }
    ObjectNode room = Json.MAPPER.createObjectNode();
    room.put("roomId", roomId);
    room.put("lastSeq", events.get(events.size() - 1).seq());
    room.set("members", Json.MAPPER.createArrayNode());
    room.set("recent", recent);
    Map<String, Object> config =
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, roomlog.bootstrapServers());
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  roomlog.applicationId() + "-rooms-changelog",
                  roomId,
                  Json.MAPPER.writeValueAsBytes(room)))
          .get();
    }
  }

  private static List<String> texts(JsonNode messages) {
    List<String> texts = new ArrayList<>();
    messages.forEach(m -> texts.add(m.get("text").asText()));
    return texts;
  }
}
