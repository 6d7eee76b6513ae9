package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.systemtest.SharedKafka;
import dev.roomlog.systemtest.WsClient;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * One client floods far past its rate limit while ten others chat in the same room, on a real
 * gateway, processor and broker. The ten must not notice; the flooder is told 429 and then cut off
 * with 1008; nothing it was refused reaches the log, and what it got through is bounded by its
 * bucket.
 */
class GatewayFloodIT {
  private static final int RATE = 5;
  private static final int BURST = 10;
  private static final int FLOOD_TOLERANCE = 20;
  private static final int FLOOD_SIZE = 20_000;

  /** Near the protocol's 4096-character limit: 20,000 of them are about 80 MB. */
  private static final String FLOOD_TEXT = "x".repeat(4_000);

  /** Far less than the flood: the gateway must refuse and close, not buffer. */
  private static final long HEAP_GROWTH_BOUND_BYTES = 32L * 1024 * 1024;

  private static final int CHATTERS = 10;
  private static final int MESSAGES_PER_CHATTER = 5;

  @Test
  void aFlooderGets429ThenClose1008WhileTenOthersChatWithoutAnError() throws Exception {
    try (InProcessRoomlog roomlog =
        InProcessRoomlog.start(
            gateway -> gateway.connectionRate(RATE, BURST).floodTolerance(FLOOD_TOLERANCE))) {
      List<WsClient> chatters = new ArrayList<>();
      WsClient flooder = null;
      try {
        for (int i = 0; i < CHATTERS; i++) {
          chatters.add(WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY));
        }
        WsClient owner = chatters.get(0);
        owner.sendAction("createRoom", "username", "owner", "requestId", "create");
        String roomId = owner.awaitAnswer("create").get("roomId").asText();
        for (int i = 1; i < CHATTERS; i++) {
          chatters
              .get(i)
              .sendAction(
                  "joinRoom", "roomId", roomId, "username", "chatter" + i, "requestId", "join");
          chatters.get(i).awaitAnswer("join");
        }
        // The same chat once without a flooder: its round trips are the figure to compare with.
        List<Long> quietRoundTrips = chat(chatters, roomId, "quiet");
        flooder = WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY);
        flooder.sendAction(
            "joinRoom", "roomId", roomId, "username", "flooder", "requestId", "join");
        assertEquals("joined", flooder.awaitAnswer("join").get("type").asText());

        long heapBefore = heapUsedAfterGc();
        long floodStarted = System.nanoTime();
        CompletableFuture<Void> flood = floodInTheBackground(flooder, roomId);
        List<Long> floodRoundTrips = chat(chatters, roomId, "chat");
        // Printed, not asserted: speed is for benchmarks, behaviour for tests.
        System.out.println(
            "GatewayFloodIT chat round trip ms, quiet: "
                + summary(quietRoundTrips)
                + "; during the flood: "
                + summary(floodRoundTrips));
        int closeCode = flooder.awaitCloseCode();
        double floodSeconds = (System.nanoTime() - floodStarted) / 1e9;
        flood.exceptionally(e -> null).join();
        long heapGrowth = heapUsedAfterGc() - heapBefore;
        System.out.println("GatewayFloodIT heap growth after GC: " + heapGrowth / 1024 + " KiB");
        assertTrue(
            heapGrowth < HEAP_GROWTH_BOUND_BYTES,
            "the heap grew by " + heapGrowth / 1024 + " KiB during the flood");

        assertEquals(1008, closeCode, "the flooder is closed as a policy violation");
        List<JsonNode> limited =
            flooder.received().stream()
                .filter(f -> "rateLimited".equals(f.path("code").asText()))
                .toList();
        assertTrue(limited.size() >= 1, "the flooder was told 429 before being closed");
        assertEquals(429, limited.get(0).get("status").asInt());
        assertTrue(limited.get(0).get("retryAfterMs").asLong() > 0, "a 429 says when to retry");

        for (WsClient chatter : chatters) {
          List<JsonNode> errors =
              chatter.received().stream()
                  .filter(f -> "error".equals(f.path("type").asText()))
                  .toList();
          assertEquals(List.of(), errors, "a chatter saw an error while another client flooded");
          Set<String> texts =
              chatter.received().stream()
                  .filter(f -> "message".equals(f.path("type").asText()))
                  .map(f -> f.get("text").asText())
                  .filter(t -> t.startsWith("chat "))
                  .collect(Collectors.toSet());
          assertEquals(
              CHATTERS * MESSAGES_PER_CHATTER,
              texts.size(),
              "every chat message reached every member");
        }

        Set<String> refused =
            limited.stream().map(f -> f.get("requestId").asText()).collect(Collectors.toSet());
        Set<String> logged = floodRequestIdsInTheLog(roomlog, flooder.connectionId());
        Set<String> both = new HashSet<>(logged);
        both.retainAll(refused);
        assertEquals(Set.of(), both, "an action refused with 429 reached the log");
        // The bucket lets through its burst plus its rate for as long as the flood lasted.
        long allowed = BURST + (long) Math.ceil(RATE * floodSeconds) + 1;
        assertTrue(
            logged.size() <= allowed,
            "the flooder got "
                + logged.size()
                + " actions into the log; its bucket allows "
                + allowed);
      } finally {
        if (flooder != null) {
          flooder.close();
        }
        chatters.forEach(WsClient::close);
      }
    }
  }

  /** Sends FLOOD_SIZE messages as fast as the socket takes them, until the server closes it. */
  private static CompletableFuture<Void> floodInTheBackground(WsClient flooder, String roomId) {
    return CompletableFuture.runAsync(
        () -> {
          for (int i = 0; i < FLOOD_SIZE && !flooder.isClosed(); i++) {
            String json =
                "{\"action\":\"sendMessage\",\"roomId\":\""
                    + roomId
                    + "\",\"text\":\"flood "
                    + i
                    + " "
                    + FLOOD_TEXT
                    + "\",\"requestId\":\"flood-"
                    + i
                    + "\"}";
            flooder.sendAsync(json).join();
          }
        });
  }

  /**
   * Each chatter sends its messages one after another, each after the previous one came back;
   * returns every round trip in nanoseconds.
   */
  private static List<Long> chat(List<WsClient> chatters, String roomId, String label) {
    List<Long> roundTrips = new CopyOnWriteArrayList<>();
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int c = 0; c < chatters.size(); c++) {
      WsClient chatter = chatters.get(c);
      int id = c;
      all.add(
          CompletableFuture.runAsync(
              () -> {
                for (int m = 0; m < MESSAGES_PER_CHATTER; m++) {
                  String requestId = label + "-" + id + "-" + m;
                  long sent = System.nanoTime();
                  chatter.sendAction(
                      "sendMessage",
                      "roomId",
                      roomId,
                      "text",
                      label + " " + id + " " + m,
                      "requestId",
                      requestId);
                  JsonNode answer = chatter.awaitAnswer(requestId);
                  roundTrips.add(System.nanoTime() - sent);
                  assertEquals("message", answer.get("type").asText(), "answer to " + requestId);
                }
              }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    return roundTrips;
  }

  /** Live heap: what is left after a full collection (System.gc() is a full GC on G1). */
  private static long heapUsedAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    memory.gc();
    memory.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static String summary(List<Long> nanos) {
    List<Long> sorted = nanos.stream().sorted().toList();
    return String.format(
        Locale.ROOT,
        "p50 %.0f, max %.0f (n=%d)",
        sorted.get(sorted.size() / 2) / 1e6,
        sorted.get(sorted.size() - 1) / 1e6,
        sorted.size());
  }

  private static Set<String> floodRequestIdsInTheLog(
      InProcessRoomlog roomlog, String connectionId) {
    Set<String> ids = new HashSet<>();
    for (ConsumerRecord<String, WalRecord> record :
        SharedKafka.readAll(roomlog.topics().actions())) {
      WalRecord wal = record.value();
      if (connectionId.equals(wal.connectionId())
          && wal.action() instanceof Action.SendMessage send) {
        ids.add(send.requestId());
      }
    }
    return ids;
  }
}
