package dev.roomlog.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.action.RequestContext.EventType;
import dev.roomlog.protocol.action.RequestContext.Identity;
import dev.roomlog.protocol.text.WellFormed;
import dev.roomlog.systemtest.SharedKafka;
import dev.roomlog.systemtest.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * Issue 14's outage, end to end on the real broker, gateway and processor: one frame with a lone
 * surrogate escape used to stop the processor on every start. The gateway now refuses it before
 * anything is logged, and a poison record that reaches the log anyway (an older gateway, a foreign
 * writer) is set aside in the dead-letter topic while every room goes on.
 */
class PoisonRecordsIT {
  private static final String ADMIN_KEY = "poison-admin-key";
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void loneSurrogateFramesAreRefusedAtTheEdgeAndNeverReachTheLog() throws Exception {
    try (InProcessRoomlog roomlog = InProcessRoomlog.start(g -> g.adminKey(ADMIN_KEY));
        WsClient alice = WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY);
        WsClient bob = WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY)) {
      alice.sendAction("createRoom", "username", "alice", "requestId", "c");
      String roomId = alice.awaitAnswer("c").get("roomId").asText();

      // The frames, as a client writes them (JSON escapes, so the frame is valid UTF-8).
      List<String> frames =
          List.of(
              "{\"action\":\"joinRoom\",\"roomId\":\"doesnotexist\",\"username\":\"x\",\"requestId\":\"a\\ud800\"}",
              "{\"action\":\"createRoom\",\"username\":\"x\\udfff\",\"requestId\":\"q2\"}",
              "{\"action\":\"sendMessage\",\"roomId\":\""
                  + roomId
                  + "\",\"text\":\"lone \\ud800\",\"requestId\":\"q3\"}");
      frames.forEach(alice::send);
      for (int i = 0; i < frames.size(); i++) {
        int n = i;
        JsonNode refused =
            alice.awaitFrame(
                "error", e -> e.path("code").asText().equals("badJson") && countBadJson(alice) > n);
        assertEquals(400, refused.get("status").asInt());
      }
      HttpResponse<String> post =
          post(roomlog, "/rooms/" + roomId + "/messages", "{\"text\":\"a\\ud800\"}");
      assertEquals(400, post.statusCode(), post.body());
      assertEquals("badJson", Json.MAPPER.readTree(post.body()).get("code").asText(), post.body());

      // Another client chats as before.
      bob.sendAction("joinRoom", "roomId", roomId, "username", "bob", "requestId", "j");
      bob.awaitAnswer("j");
      bob.sendAction("sendMessage", "roomId", roomId, "text", "still here", "requestId", "m");
      assertEquals(4, bob.awaitAnswer("m").get("seq").asLong(), "created, alice, bob, the message");

      // Nothing ill-formed is in the log, and a restarted processor comes up clean.
      for (ConsumerRecord<String, byte[]> r :
          readAll(roomlog.bootstrapServers(), roomlog.topics().actions().name())) {
        String text = new String(r.value(), StandardCharsets.UTF_8);
        assertFalse(
            text.contains("\\ud800") || text.contains("\\udfff") || !WellFormed.isWellFormed(text),
            text);
      }
      roomlog.stopProcessor();
      roomlog.startProcessorWithFreshStateDir();
      alice.sendAction("sendMessage", "roomId", roomId, "text", "after restart", "requestId", "m2");
      assertEquals(5, alice.awaitAnswer("m2").get("seq").asLong());
    }
  }

  @Test
  void aPoisonRecordWrittenStraightIntoTheLogIsSetAsideOnStartAndRoomsGoOn() throws Exception {
    try (InProcessRoomlog roomlog = InProcessRoomlog.start();
        WsClient alice = WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY)) {
      alice.sendAction("createRoom", "username", "alice", "requestId", "c");
      String roomId = alice.awaitAnswer("c").get("roomId").asText();

      // Written while no processor runs, so that it is already in the log when one starts: the
      // case that used to stop the processor again at every restart.
      roomlog.stopProcessor();
      long now = System.currentTimeMillis(); // stamped as a gateway stamps its records: now
      WalRecord poison =
          new WalRecord(
              new Action.SendMessage("p1", roomId, "lone \ud800", null),
              new RequestContext(
                  "sendMessage",
                  EventType.MESSAGE,
                  alice.connectionId(),
                  now,
                  now,
                  "foreign-1",
                  new Identity("127.0.0.1"),
                  roomlog.gatewayId(),
                  null,
                  null));
      byte[] bytes = roomlog.topics().actions().valueSerde().serializer().serialize("t", poison);
      try (KafkaProducer<String, byte[]> producer =
          new KafkaProducer<>(
              Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, roomlog.bootstrapServers()),
              new StringSerializer(),
              new ByteArraySerializer())) {
        producer.send(new ProducerRecord<>(roomlog.topics().actions().name(), roomId, bytes)).get();
      }
      roomlog.startProcessorWithFreshStateDir();

      JsonNode answer = alice.awaitAnswer("p1");
      assertEquals("internalError", answer.get("code").asText(), answer.toString());
      assertEquals(500, answer.get("status").asInt());

      alice.sendAction("sendMessage", "roomId", roomId, "text", "fine", "requestId", "m");
      assertEquals(3, alice.awaitAnswer("m").get("seq").asLong(), "the poison took no seq");
      assertEquals(KafkaStreams.State.RUNNING, roomlog.processor().state());

      List<ConsumerRecord<String, byte[]>> set =
          await("the poison record in the dead-letter topic")
              .atMost(Duration.ofSeconds(30))
              .until(
                  () -> readAll(roomlog.bootstrapServers(), roomlog.topics().deadLetters().name()),
                  list -> !list.isEmpty());
      assertEquals(1, set.size());
      assertEquals(roomId, set.get(0).key());
      assertTrue(java.util.Arrays.equals(bytes, set.get(0).value()), "kept byte for byte");
      assertEquals("decode", header(set.get(0), "roomlog.errors.stage"));
      assertEquals(roomlog.topics().actions().name(), header(set.get(0), "__streams.errors.topic"));
    }
  }

  private static long countBadJson(WsClient client) {
    return client.received().stream()
        .filter(f -> f.path("code").asText().equals("badJson"))
        .count();
  }

  private HttpResponse<String> post(InProcessRoomlog roomlog, String path, String body)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + roomlog.managementPort() + path))
            .timeout(Duration.ofSeconds(30))
            .header("x-admin-key", ADMIN_KEY)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, String topic) {
    return SharedKafka.readAll(
        bootstrap,
        topic,
        new org.apache.kafka.common.serialization.StringDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer());
  }

  private static String header(ConsumerRecord<String, byte[]> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
