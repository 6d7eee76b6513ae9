package dev.roomlog.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.roomlog.integrations.Integrations;
import dev.roomlog.integrations.IntegrationsSettings;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.integration.ParkedCall;
import dev.roomlog.systemtest.SharedKafka;
import dev.roomlog.systemtest.WsClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Webhooks of room events through a real Roomlog (gateway, processor, shared broker) and a real
 * integrations worker, to a real HTTP receiver that fails the first calls (500), answers one too
 * slowly (past the call timeout), answers 429 with Retry-After, and is then down for a while
 * (stopped, restarted on the same port): every event arrives, in seq order per room, with a valid
 * signature, and deduplicated by its id the receiver sees no gap. A subscription whose receiver
 * always fails ends in the dead-letter topic with the reason.
 */
class WebhooksIT {
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(1);

  @Test
  void everyEventArrivesInOrderSignedOnceDeduplicatedAndTheHopelessOnesAreDeadLettered()
      throws Exception {
    Receiver receiver = new Receiver();
    receiver.start(0);
    // The hopeless receiver stays up (it answers 500), whatever the good one does.
    HttpServer hopeless = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    hopeless.createContext("/bad", exchange -> Receiver.answer(exchange, 500, null));
    hopeless.start();
    Path file = Files.createTempFile("webhooks", ".json");
    Files.writeString(
        file,
        """
        [{"id":"good","url":"http://127.0.0.1:%d/good","secrets":[{"id":"k1","secret":"%s"}],
          "events":["roomCreated","memberJoined","memberLeft","message"],"retryFor":"2m"},
         {"id":"bad","url":"http://127.0.0.1:%d/bad","secrets":[{"id":"k1","secret":"%s"}],
          "events":["roomCreated"],"retryFor":"3s"}]
        """
            .formatted(receiver.port, SECRET, hopeless.getAddress().getPort(), SECRET));
    try (InProcessRoomlog roomlog = InProcessRoomlog.start();
        Integrations worker =
            Integrations.start(
                IntegrationsSettings.of(roomlog.bootstrapServers(), roomlog.topics())
                    .with(IntegrationsSettings.WEBHOOKS_FILE, file)
                    .with(IntegrationsSettings.GROUP_ID, roomlog.applicationId() + "-hooks")
                    .with(IntegrationsSettings.START_FROM, "earliest")
                    .with(IntegrationsSettings.CALL_TIMEOUT, CALL_TIMEOUT)
                    .with(IntegrationsSettings.IN_MEMORY_ATTEMPTS, 3)
                    .with(IntegrationsSettings.RETRY_BASE_DELAY, Duration.ofMillis(100))
                    .with(IntegrationsSettings.RETRY_MAX_DELAY, Duration.ofSeconds(1)),
                failure -> {});
        WsClient alice = WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY);
        WsClient bob = WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY)) {
      List<String> rooms = new ArrayList<>();
      for (int r = 0; r < 3; r++) {
        alice.sendAction("createRoom", "username", "alice", "requestId", "c" + r);
        rooms.add(alice.awaitAnswer("c" + r).get("roomId").asText());
      }
      chat(alice, bob, rooms, "a");
      // Through the failures, the slow answer and the 429, the first phase is delivered.
      await().atMost(Duration.ofSeconds(60)).until(() -> receiver.complete(roomlog, "good"));

      receiver.stop();
      chat(alice, bob, rooms, "b");
      // Down long enough for every room to spend its in-memory attempts and be parked.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> !SharedKafka.readAll(roomlog.topics().webhookRetry()).isEmpty());
      chat(alice, bob, rooms, "c");
      receiver.start(receiver.port);

      await().atMost(Duration.ofSeconds(90)).until(() -> receiver.complete(roomlog, "good"));
      assertTrue(receiver.badSignatures.isEmpty(), "bad signatures: " + receiver.badSignatures);
      receiver.firstArrivals.forEach(
          (room, seqs) -> {
            List<Long> sorted = new ArrayList<>(new TreeSet<>(seqs));
            assertEquals(sorted, seqs, "first arrivals of room " + room + " in seq order");
          });
      assertTrue(receiver.duplicates.get() > 0, "the slow call was sent again: a duplicate");
      assertTrue(
          SharedKafka.readAll(roomlog.topics().webhookRetry()).stream()
              .anyMatch(r -> r.value().subscriptionId().equals("good")),
          "the receiver's down time parked calls in the retry topic");

      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> deadLetters(roomlog, "bad").size() == rooms.size());
      for (ParkedCall dead : deadLetters(roomlog, "bad")) {
        assertEquals(1, dead.event().seq(), "the room's roomCreated");
        assertTrue(dead.reason().contains("HTTP 500"), dead.reason());
        assertEquals(500, dead.lastStatus());
        assertTrue(dead.attempts() >= 3, "attempts " + dead.attempts());
        assertTrue(dead.lastAttemptAt() - dead.firstAttemptAt() >= 2_000, dead.toString());
      }
      assertTrue(deadLetters(roomlog, "good").isEmpty(), "nothing of the good one was given up");
    } finally {
      receiver.stop();
      hopeless.stop(0);
    }
  }

  private static void chat(WsClient alice, WsClient bob, List<String> rooms, String phase) {
    for (String room : rooms) {
      bob.sendAction(
          "joinRoom", "roomId", room, "username", "bob", "requestId", "j" + phase + room);
      bob.awaitAnswer("j" + phase + room);
      for (int m = 0; m < 3; m++) {
        String id = phase + room + m;
        alice.sendAction("sendMessage", "roomId", room, "text", id, "requestId", id);
        alice.awaitAnswer(id);
      }
      bob.sendAction("leaveRoom", "roomId", room, "requestId", "l" + phase + room);
      bob.awaitAnswer("l" + phase + room);
    }
  }

  private static List<ParkedCall> deadLetters(InProcessRoomlog roomlog, String subscription) {
    return SharedKafka.readAll(roomlog.topics().webhookDeadLetter()).stream()
        .map(ConsumerRecord::value)
        .filter(call -> call.subscriptionId().equals(subscription))
        .toList();
  }

  /**
   * The test's webhook receiver: verifies each call's signature (its own HMAC code, not Roomlog's),
   * keeps each event's first arrival by id, and misbehaves on cue.
   */
  static final class Receiver {
    final Map<String, List<Long>> firstArrivals = new LinkedHashMap<>();
    final Set<String> seen = new HashSet<>();
    final List<String> badSignatures = new CopyOnWriteArrayList<>();
    final AtomicInteger goodCalls = new AtomicInteger();
    final AtomicInteger duplicates = new AtomicInteger();
    int port;
    private HttpServer server;

    void start(int onPort) throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", onPort), 0);
      server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(8));
      server.createContext("/good", this::good);
      server.start();
      port = server.getAddress().getPort();
    }

    void stop() {
      if (server != null) {
        server.stop(0);
        server = null;
      }
    }

    private void good(HttpExchange exchange) throws IOException {
      byte[] body = exchange.getRequestBody().readAllBytes();
      int call = goodCalls.incrementAndGet();
      if (call <= 2) {
        answer(exchange, 500, null);
        return;
      }
      record(exchange, body);
      if (call == 3) {
        sleep(CALL_TIMEOUT.multipliedBy(2));
      }
      if (call == 4) {
        answer(exchange, 429, "1");
        return;
      }
      answer(exchange, 204, null);
    }

    private synchronized void record(HttpExchange exchange, byte[] body) throws IOException {
      String id = exchange.getRequestHeaders().getFirst("webhook-id");
      String timestamp = exchange.getRequestHeaders().getFirst("webhook-timestamp");
      String signature = exchange.getRequestHeaders().getFirst("webhook-signature");
      if (!verifies(id, timestamp, body, signature)
          || !id.equals(exchange.getRequestHeaders().getFirst("Idempotency-Key"))) {
        badSignatures.add(id);
        return;
      }
      JsonNode events = Json.MAPPER.readTree(body).path("events");
      for (JsonNode event : events) {
        if (seen.add(event.path("id").asText())) {
          firstArrivals
              .computeIfAbsent(event.path("roomId").asText(), r -> new ArrayList<>())
              .add(event.path("seq").asLong());
        } else {
          duplicates.incrementAndGet();
        }
      }
    }

    /** Standard Webhooks verification, as docs/INTEGRATIONS.md shows it. */
    private static boolean verifies(String id, String timestamp, byte[] body, String header) {
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(
            new SecretKeySpec(
                Base64.getDecoder().decode(SECRET.substring("whsec_".length())), "HmacSHA256"));
        mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
        byte[] expected = mac.doFinal(body);
        for (String entry : header.split(" ")) {
          if (entry.startsWith("v1,")
              && MessageDigest.isEqual(expected, Base64.getDecoder().decode(entry.substring(3)))) {
            return true;
          }
        }
        return false;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    /** Every seq of every room in room-events has arrived at {@code subscription}'s receiver. */
    synchronized boolean complete(InProcessRoomlog roomlog, String subscription) {
      Map<String, Set<Long>> expected = new LinkedHashMap<>();
      for (ConsumerRecord<String, RoomEvent> r :
          SharedKafka.readAll(roomlog.topics().roomEvents())) {
        RoomEvent e = r.value();
        if (!(e instanceof RoomEvent.UserBanned) && !(e instanceof RoomEvent.UserInvited)) {
          expected.computeIfAbsent(e.roomId(), k -> new TreeSet<>()).add(e.seq());
        }
      }
      assertFalse(expected.isEmpty(), "room events for " + subscription);
      for (Map.Entry<String, Set<Long>> room : expected.entrySet()) {
        List<Long> got = firstArrivals.getOrDefault(room.getKey(), List.of());
        if (!new TreeSet<>(got).equals(room.getValue())) {
          return false;
        }
      }
      return true;
    }

    static void answer(HttpExchange exchange, int status, String retryAfter) throws IOException {
      if (retryAfter != null) {
        exchange.getResponseHeaders().add("Retry-After", retryAfter);
      }
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    }

    private static void sleep(Duration duration) {
      try {
        Thread.sleep(duration.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UncheckedIOException(new IOException("interrupted"));
      }
    }
  }
}
