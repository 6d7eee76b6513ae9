package dev.roomlog.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.systemtest.KafkaBrokerProcess;
import dev.roomlog.systemtest.SharedKafka;
import dev.roomlog.systemtest.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's in-flight bound against a broker that stops answering: a real broker in its own JVM
 * is paused with SIGSTOP while a client keeps sending. Past the bound the client is told 503
 * overloaded at once (while the broker is still stopped, so the answer cannot have needed Kafka);
 * what was in flight is answered 503 logUnavailable within the log-write timeout, not never; after
 * SIGCONT the same gateway takes actions again by itself. Every action that was answered with
 * success is in the log exactly once, and no action answered "overloaded" is.
 */
class GatewayOverloadIT {
  private static final int IN_FLIGHT = 10;
  private static final int SENT_WHILE_PAUSED = 40;
  private static final Duration LOG_WRITE_TIMEOUT = Duration.ofSeconds(3);

  @Test
  void aStoppedBrokerGives503sPromptlyAndTheGatewayRecoversWhenItComesBack(@TempDir Path dir) {
    try (KafkaBrokerProcess broker = KafkaBrokerProcess.onFreePorts(dir)) {
      broker.start();
      try (InProcessRoomlog roomlog =
              InProcessRoomlog.start(
                  broker.bootstrapServers(),
                  gateway ->
                      gateway
                          .maxInFlightActions(IN_FLIGHT)
                          .maxInFlightActionsPerConnection(IN_FLIGHT)
                          .logWriteTimeout(LOG_WRITE_TIMEOUT)
                          // The rate limit is not under test here.
                          .connectionRate(10_000, 10_000));
          WsClient client = WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY)) {
        client.sendAction("createRoom", "username", "ann", "requestId", "create");
        String roomId = client.awaitAnswer("create").get("roomId").asText();

        broker.pause();
        List<String> pausedIds = new ArrayList<>();
        for (int i = 0; i < SENT_WHILE_PAUSED; i++) {
          String requestId = "paused-" + i;
          pausedIds.add(requestId);
          client.sendAction(
              "sendMessage", "roomId", roomId, "text", "while paused " + i, "requestId", requestId);
        }
        // While the broker is still stopped, every action past the bound has its answer.
        await()
            .atMost(WsClient.WAIT)
            .until(
                () ->
                    codes(client, pausedIds).getOrDefault("overloaded", 0)
                        == SENT_WHILE_PAUSED - IN_FLIGHT);
        // The ones in flight are not left hanging: they time out into logUnavailable.
        await()
            .atMost(WsClient.WAIT)
            .until(() -> codes(client, pausedIds).getOrDefault("logUnavailable", 0) == IN_FLIGHT);
        // "At once" without a stopwatch: every overloaded answer came before the first
        // logUnavailable, so none of them waited for Kafka's timeout.
        List<String> order =
            client.received().stream()
                .map(f -> f.path("code").asText(""))
                .filter(c -> !c.isEmpty())
                .toList();
        assertTrue(
            order.lastIndexOf("overloaded") < order.indexOf("logUnavailable"),
            "an overloaded answer came after a timed-out write: " + order);
        JsonNode overloaded = firstWithCode(client, "overloaded");
        assertEquals(503, overloaded.get("status").asInt());
        assertTrue(overloaded.has("retryAfterMs"), "a 503 says when to retry: " + overloaded);

        broker.resume();
        // The same gateway, with no restart, takes actions again once Kafka is back.
        AtomicInteger attempt = new AtomicInteger();
        List<String> afterIds = new ArrayList<>();
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(200))
            .until(
                () -> {
                  String requestId = "after-" + attempt.incrementAndGet();
                  afterIds.add(requestId);
                  client.sendAction(
                      "sendMessage",
                      "roomId",
                      roomId,
                      "text",
                      "after " + requestId,
                      "requestId",
                      requestId);
                  return "message".equals(client.awaitAnswer(requestId).get("type").asText());
                });

        Map<String, Integer> logged = requestIdsInTheLog(roomlog, client.connectionId());
        Set<String> succeeded = new HashSet<>();
        Set<String> refused = new HashSet<>();
        for (JsonNode frame : client.received()) {
          String requestId = frame.path("requestId").asText("");
          if ("message".equals(frame.path("type").asText())) {
            succeeded.add(requestId);
          } else if ("overloaded".equals(frame.path("code").asText())) {
            refused.add(requestId);
          }
        }
        assertTrue(succeeded.size() >= 1);
        for (String requestId : succeeded) {
          assertEquals(
              1, logged.getOrDefault(requestId, 0), requestId + " succeeded: in the log once");
        }
        for (String requestId : refused) {
          assertEquals(
              0, logged.getOrDefault(requestId, 0), requestId + " was refused: not in the log");
        }
      }
    }
  }

  private static Map<String, Integer> codes(WsClient client, List<String> requestIds) {
    Set<String> wanted = new HashSet<>(requestIds);
    Map<String, Integer> counts = new HashMap<>();
    for (JsonNode frame : client.received()) {
      if (wanted.contains(frame.path("requestId").asText(""))) {
        String code = frame.path("code").asText(frame.path("type").asText());
        counts.merge(code, 1, Integer::sum);
      }
    }
    return counts;
  }

  private static JsonNode firstWithCode(WsClient client, String code) {
    return client.received().stream()
        .filter(f -> code.equals(f.path("code").asText()))
        .findFirst()
        .orElseThrow();
  }

  private static Map<String, Integer> requestIdsInTheLog(
      InProcessRoomlog roomlog, String connectionId) {
    Map<String, Integer> counts = new HashMap<>();
    for (ConsumerRecord<String, WalRecord> record :
        SharedKafka.readAll(roomlog.bootstrapServers(), roomlog.topics().actions())) {
      WalRecord wal = record.value();
      if (connectionId.equals(wal.connectionId())
          && wal.action() instanceof Action.SendMessage send) {
        counts.merge(send.requestId(), 1, Integer::sum);
      }
    }
    return counts;
  }
}
