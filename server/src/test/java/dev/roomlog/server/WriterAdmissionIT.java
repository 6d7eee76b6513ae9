package dev.roomlog.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.systemtest.SharedKafka;
import dev.roomlog.systemtest.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Issue 18's admission by time, on a real gateway, processor and broker: clients send a burst of
 * actions all at once, more than the gateway's one WAL writer can take within {@code
 * maxLogQueueWait} (set low here, so that a burst of this size passes it on any machine; the
 * count-based bounds are set out of reach, so that only the writer's backlog can refuse). The
 * gateway refuses what it cannot write in time with 503 {@code overloaded} and writes none of it;
 * nothing is failed as {@code logUnavailable} (Kafka is healthy: that code is for what Kafka did
 * not acknowledge); every action it accepted is recorded once and answered. Codes and counts only:
 * how many are refused depends on the machine, and is printed.
 */
class WriterAdmissionIT {
  private static final int CLIENTS = 20;
  private static final int PER_CLIENT = 500;
  private static final int MAX_BURSTS = 5;
  private static final Duration MAX_LOG_QUEUE_WAIT = Duration.ofMillis(5);
  private static final int OUT_OF_REACH = 1_000_000;

  @Test
  void aBurstTheWriterCannotTakeInTimeIsRefusedOverloadedAndEveryAcceptedActionIsAnswered()
      throws Exception {
    ExecutorService senders = Executors.newFixedThreadPool(CLIENTS);
    List<WsClient> clients = new ArrayList<>();
    try (InProcessRoomlog roomlog =
        InProcessRoomlog.start(
            gateway ->
                gateway
                    .maxLogQueueWait(MAX_LOG_QUEUE_WAIT)
                    .maxInFlightActions(OUT_OF_REACH)
                    .maxInFlightActionsPerConnection(OUT_OF_REACH)
                    .maxUnansweredActionsPerConnection(OUT_OF_REACH)
                    .connectionRate(OUT_OF_REACH, OUT_OF_REACH)
                    .apiKeyRate(OUT_OF_REACH, OUT_OF_REACH))) {
      List<String> rooms = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        WsClient client = WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY);
        clients.add(client);
        client.sendAction("createRoom", "username", "u" + c, "requestId", "create");
        rooms.add(client.awaitAnswer("create").get("roomId").asText());
      }

      // Bursts until one is refused: a fast machine's writer may keep up with the first.
      Map<String, Integer> codes = new HashMap<>();
      int sent = 0;
      for (int burst = 0; burst < MAX_BURSTS && codes.getOrDefault("overloaded", 0) == 0; burst++) {
        sendBurst(senders, clients, rooms, "b" + burst + "-");
        sent += CLIENTS * PER_CLIENT;
        int expected = sent;
        // Every action has its answer: the processor's message, or the gateway's refusal.
        await()
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> answers(clients).size() == expected);
        codes = codeCounts(answers(clients));
      }
      System.out.println(
          "WriterAdmissionIT: " + sent + " actions sent in bursts; answers by code: " + codes);

      assertTrue(
          codes.getOrDefault("overloaded", 0) > 0,
          "a burst past what the writer takes in " + MAX_LOG_QUEUE_WAIT + " is refused: " + codes);
      assertEquals(
          0, codes.getOrDefault("logUnavailable", 0), "Kafka was healthy all along: " + codes);
      assertEquals(
          Set.of("message", "overloaded"), codes.keySet(), "no other answer than these: " + codes);
      JsonNode refused = firstWithCode(clients, "overloaded");
      assertEquals(503, refused.get("status").asInt(), refused.toString());
      assertTrue(refused.has("retryAfterMs"), "a 503 says when to retry: " + refused);

      // Accepted and answered: in the log exactly once. Refused: not in the log at all.
      Map<String, Integer> logged = requestIdsInTheLog(roomlog);
      Map<String, JsonNode> answers = answers(clients);
      for (Map.Entry<String, JsonNode> answer : answers.entrySet()) {
        int expectedCopies = "message".equals(answer.getValue().path("type").asText()) ? 1 : 0;
        assertEquals(
            expectedCopies,
            logged.getOrDefault(answer.getKey(), 0),
            answer.getKey() + " answered " + answer.getValue());
      }
      assertEquals(
          codes.get("message"),
          (int) logged.values().stream().filter(n -> n > 0).count(),
          "nothing in the log without its answer");
    } finally {
      senders.shutdownNow();
      for (WsClient client : clients) {
        client.close();
      }
    }
  }

  /** Each client sends {@value #PER_CLIENT} messages to its room, all clients at once. */
  private static void sendBurst(
      ExecutorService senders, List<WsClient> clients, List<String> rooms, String prefix) {
    List<CompletableFuture<Void>> sending = new ArrayList<>();
    for (int c = 0; c < clients.size(); c++) {
      WsClient client = clients.get(c);
      String roomId = rooms.get(c);
      String clientPrefix = prefix + c + "-";
      sending.add(
          CompletableFuture.runAsync(
              () -> {
                for (int i = 0; i < PER_CLIENT; i++) {
                  client.sendAction(
                      "sendMessage",
                      "roomId",
                      roomId,
                      "text",
                      "burst " + i,
                      "requestId",
                      clientPrefix + i);
                }
              },
              senders));
    }
    CompletableFuture.allOf(sending.toArray(CompletableFuture[]::new)).join();
  }

  /** Each burst action's answer by its requestId (the room creations are not counted). */
  private static Map<String, JsonNode> answers(List<WsClient> clients) {
    Map<String, JsonNode> answers = new HashMap<>();
    for (WsClient client : clients) {
      for (JsonNode frame : client.received()) {
        String requestId = frame.path("requestId").asText("");
        if (requestId.startsWith("b")) {
          answers.put(requestId, frame);
        }
      }
    }
    return answers;
  }

  /** Answers by code: an error's code, else the frame's type. */
  private static Map<String, Integer> codeCounts(Map<String, JsonNode> answers) {
    Map<String, Integer> counts = new HashMap<>();
    for (JsonNode frame : answers.values()) {
      counts.merge(frame.path("code").asText(frame.path("type").asText()), 1, Integer::sum);
    }
    return counts;
  }

  private static JsonNode firstWithCode(List<WsClient> clients, String code) {
    return clients.stream()
        .flatMap(c -> c.received().stream())
        .filter(f -> code.equals(f.path("code").asText()))
        .findFirst()
        .orElseThrow();
  }

  /** How many times each burst action's requestId is in the log. */
  private static Map<String, Integer> requestIdsInTheLog(InProcessRoomlog roomlog) {
    Map<String, Integer> counts = new HashMap<>();
    for (ConsumerRecord<String, WalRecord> record :
        SharedKafka.readAll(roomlog.bootstrapServers(), roomlog.topics().actions())) {
      if (record.value().action() instanceof Action.SendMessage send
          && send.requestId() != null
          && send.requestId().startsWith("b")) {
        counts.merge(send.requestId(), 1, Integer::sum);
      }
    }
    return counts;
  }
}
