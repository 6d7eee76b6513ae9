package dev.roomlog.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.gateway.Gateway;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.processor.ProcessorSettings;
import dev.roomlog.processor.RoomProcessor;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.systemtest.SharedKafka;
import dev.roomlog.systemtest.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18's bound on a connection's unanswered actions, on the shared real broker: a gateway runs
 * with no processor, so Kafka acknowledges every action and nothing answers them. A client sends
 * {@value #BOUND} actions, then {@value #PAST} more: those past the bound are answered 503
 * overloaded by the gateway (the in-flight bound, which Kafka's acknowledgements free, is not what
 * refuses them), and none of them reaches the log. Then a processor starts: its answers to the
 * waiting actions free the connection, whose next action is recorded and answered.
 */
class UnansweredBoundIT {
  private static final String API_KEY = "unanswered-it-key";
  private static final int BOUND = 5;
  private static final int PAST = 3;

  @TempDir Path stateDir;

  @Test
  void pastTheBoundAClientGets503OverloadedAndNothingReachesTheLogUntilAnswersCome() {
    String bootstrap = SharedKafka.bootstrapServers();
    String prefix = SharedKafka.uniquePrefix();
    TopicSet topics = TopicSet.prefixed(prefix);
    TopicProvisioner.ensureTopics(bootstrap, topics, InProcessRoomlog.PARTITIONS, (short) 1);
    GatewaySettings settings =
        GatewaySettings.of(Set.of(API_KEY), "gw-" + prefix).toBuilder()
            .bindHost("127.0.0.1")
            .port(0)
            .adminPort(-1)
            .maxUnansweredActionsPerConnection(BOUND)
            .build();
    try (Gateway gateway = Gateway.start(bootstrap, topics, settings);
        WsClient client = WsClient.connect(gateway.port(), API_KEY)) {
      List<String> accepted = new ArrayList<>();
      for (int i = 0; i < BOUND; i++) {
        accepted.add("within-" + i);
        send(client, "within-" + i);
      }
      // Kafka has them all (acknowledged, so no longer in flight) and nobody answers them.
      await()
          .atMost(WsClient.WAIT)
          .until(() -> requestIdsInTheLog(bootstrap, topics, client).size() == BOUND);
      assertEquals(
          List.of("connected"),
          client.received().stream().map(f -> f.path("type").asText()).toList(),
          "no answer without a processor");

      List<String> refused = new ArrayList<>();
      for (int i = 0; i < PAST; i++) {
        refused.add("past-" + i);
        send(client, "past-" + i);
      }
      for (String requestId : refused) {
        JsonNode error = client.awaitAnswer(requestId);
        assertEquals(503, error.get("status").asInt(), error.toString());
        assertEquals("overloaded", error.get("code").asText(), error.toString());
        assertTrue(error.has("retryAfterMs"), error.toString());
      }

      try (RoomProcessor processor = startProcessor(bootstrap, topics, prefix)) {
        // The room does not exist: each waiting action is answered 404, and each answer frees it.
        for (String requestId : accepted) {
          assertEquals("roomNotFound", client.awaitAnswer(requestId).get("code").asText());
        }
        send(client, "after");
        assertEquals("roomNotFound", client.awaitAnswer("after").get("code").asText());
      }

      List<String> logged = requestIdsInTheLog(bootstrap, topics, client);
      List<String> expected = new ArrayList<>(accepted);
      expected.add("after");
      assertEquals(expected, logged, "the actions past the bound never reached the log");
    }
  }

  private static void send(WsClient client, String requestId) {
    client.sendAction(
        "sendMessage", "roomId", "no-such-room", "text", "hello", "requestId", requestId);
  }

  private RoomProcessor startProcessor(String bootstrap, TopicSet topics, String prefix) {
    RoomProcessor processor =
        new RoomProcessor(
            ProcessorSettings.defaults(bootstrap, stateDir)
                .withApplicationId(prefix + "-processor")
                .withReplicationFactor(1)
                .withTopics(topics));
    processor.start();
    Readiness.await(
        "the room processor",
        () -> processor.state() == KafkaStreams.State.RUNNING,
        Duration.ofSeconds(60));
    return processor;
  }

  /** The requestIds of the client's sendMessage actions in the log, in the log's order. */
  private static List<String> requestIdsInTheLog(
      String bootstrap, TopicSet topics, WsClient client) {
    List<String> requestIds = new ArrayList<>();
    for (ConsumerRecord<String, WalRecord> record :
        SharedKafka.readAll(bootstrap, topics.actions())) {
      WalRecord wal = record.value();
      if (client.connectionId().equals(wal.connectionId())
          && wal.action() instanceof Action.SendMessage message) {
        requestIds.add(message.requestId());
      }
    }
    return requestIds;
  }
}
