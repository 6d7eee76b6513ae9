package dev.roomlog.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.systemtest.RoomlogProcess;
import dev.roomlog.systemtest.SharedKafka;
import dev.roomlog.systemtest.WsClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 19's "none lost across a SIGKILL of the integration worker": a real Roomlog (gateway and
 * processor in this JVM, shared broker), the integrations worker as a process of its own ({@code
 * roomlog integrations}), and a slow HTTP receiver started by the test for both the webhooks of
 * room events and a routed custom action. The receiver refuses one room's and one connection's
 * calls for a while, so that calls are parked in the retry topic; the worker is SIGKILLed twice
 * while calls are in flight and restarted with the same group. Every event and every routed action
 * must then have arrived, signed, with first arrivals in order and without a gap: a kill may only
 * cause duplicates. Nothing is dead-lettered.
 */
class IntegrationsKillIT {
  private static final Logger LOG = LoggerFactory.getLogger(IntegrationsKillIT.class);
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final int ROOMS = 3;
  private static final int CONNECTIONS = 4;

  /** Messages over all rooms; every third one is followed by a routed action. */
  private static final int MESSAGES = 300;

  private static final int ACTIONS_EVERY = 3;
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  /** Kept when the test fails: the worker's output (roomlog.log, across its restarts) is in it. */
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  @Test
  void killingTheWorkerTwiceMidStreamLosesNoEventAndNoRoutedActionOnlyDuplicates()
      throws Exception {
    Receiver receiver = new Receiver();
    Path routes = dir.resolve("routes.json");
    Files.writeString(
        routes,
        "[{\"routeKey\":\"ping\",\"url\":\"http://127.0.0.1:%d/routes\"}]"
            .formatted(receiver.port()));
    Path webhooks = dir.resolve("webhooks.json");
    Files.writeString(
        webhooks,
        """
        [{"id":"hooks","url":"http://127.0.0.1:%d/hooks","secrets":[{"id":"k1","secret":"%s"}],
          "events":["roomCreated","memberJoined","memberLeft","message"]}]
        """
            .formatted(receiver.port(), SECRET));
    List<WsClient> clients = new ArrayList<>();
    try (InProcessRoomlog roomlog =
            InProcessRoomlog.start(
                // alice sends every message: the connection rate limit is not under test here
                g -> g.routesFile(routes).connectionRate(1_000, 1_000));
        RoomlogProcess worker =
            RoomlogProcess.integrations(
                    dir.resolve("worker"),
                    new RoomlogProcess.KafkaFlags(
                        roomlog.bootstrapServers(),
                        roomlog.topicPrefix(),
                        InProcessRoomlog.PARTITIONS,
                        (short) 1),
                    roomlog.topicPrefix() + "-integrations",
                    "--webhooks-file",
                    webhooks.toString(),
                    "--routes-file",
                    routes.toString(),
                    "--webhooks-start-from",
                    "earliest",
                    // Small batches and quick retries: many calls, so that a kill finds some in
                    // flight, and parking within a second of the receiver refusing a room.
                    "--max-batch-events",
                    "2",
                    "--in-memory-attempts",
                    "2",
                    "--retry-base-delay",
                    "50ms",
                    "--retry-max-delay",
                    "500ms",
                    "--call-timeout",
                    "2s")
                .start()) {
      WsClient alice = connect(roomlog, clients);
      WsClient bob = connect(roomlog, clients);
      List<WsClient> senders = new ArrayList<>();
      for (int c = 0; c < CONNECTIONS; c++) {
        senders.add(connect(roomlog, clients));
      }
      List<String> rooms = new ArrayList<>();
      for (int r = 0; r < ROOMS; r++) {
        alice.sendAction("createRoom", "username", "alice", "requestId", "c" + r);
        rooms.add(alice.awaitAnswer("c" + r).get("roomId").asText());
        bob.sendAction("joinRoom", "roomId", rooms.get(r), "username", "bob", "requestId", "j" + r);
        bob.awaitAnswer("j" + r);
      }
      Traffic traffic = new Traffic(alice, rooms, senders);

      // 1. The receiver refuses a room and a connection: their calls are parked.
      receiver.refuse(Set.of(rooms.get(0), senders.get(0).connectionId()));
      traffic.send(MESSAGES / 3);
      await("calls of the refused room and connection parked in the retry topic")
          .atMost(DEADLINE)
          .until(() -> parked(roomlog, "hooks") && parked(roomlog, "ping"));
      killMidStream(worker, receiver, 1);
      worker.restart();

      LOG.info("worker restarted after kill 1");
      // 2. More traffic; the receiver takes everything again, the parked calls included.
      traffic.send(MESSAGES / 3);
      receiver.refuse(Set.of());
      int before = receiver.firstArrivals();
      await("progress after the first restart")
          .atMost(DEADLINE)
          .until(() -> receiver.firstArrivals() > before);
      killMidStream(worker, receiver, 2);
      worker.restart();

      LOG.info("worker restarted after kill 2");
      // 3. The rest, and bob leaves every room.
      traffic.send(MESSAGES - 2 * (MESSAGES / 3));
      for (String room : rooms) {
        bob.sendAction("leaveRoom", "roomId", room, "requestId", "l" + room);
        bob.awaitAnswer("l" + room);
      }

      Map<String, Integer> roomEvents = lastSeqs(roomlog, rooms);
      Map<String, Integer> actions = traffic.sentPerConnection();
      await("every room event and routed action at the receiver")
          .atMost(DEADLINE)
          .until(() -> receiver.hasAll(roomEvents, actions));
      LOG.info(
          "after 2 kills: {} calls, {} duplicate events, {} duplicate actions",
          receiver.calls.get(),
          receiver.duplicateEvents.get(),
          receiver.duplicateActions.get());

      assertTrue(receiver.badSignatures.isEmpty(), "bad signatures: " + receiver.badSignatures);
      assertTrue(receiver.gaps.isEmpty(), "first arrivals past a gap: " + receiver.gaps);
      for (String room : rooms) {
        assertEquals(
            range(1, roomEvents.get(room)),
            receiver.firstSeqs(room),
            "room " + room + ": each event's first arrival, in seq order");
      }
      actions.forEach(
          (connection, count) ->
              assertEquals(
                  range(0, count - 1),
                  receiver.firstSeqs(connection),
                  "connection " + connection + ": each action's first arrival, in order sent"));
      assertTrue(
          SharedKafka.readAll(roomlog.topics().webhookDeadLetter()).isEmpty(),
          "nothing was dead-lettered");
      assertTrue(
          SharedKafka.readAll(roomlog.topics().deadLetters()).isEmpty(),
          "the processor set nothing aside");
    } finally {
      clients.forEach(WsClient::close);
      receiver.stop();
    }
  }

  private static WsClient connect(InProcessRoomlog roomlog, List<WsClient> clients) {
    WsClient client = WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY);
    clients.add(client);
    return client;
  }

  /** SIGKILLs the worker once the receiver has delivered some calls and has others in flight. */
  private static void killMidStream(RoomlogProcess worker, Receiver receiver, int kill) {
    int[] inFlight = new int[1];
    await("calls in flight before kill " + kill)
        .atMost(DEADLINE)
        .pollInterval(Duration.ofMillis(5))
        .until(() -> receiver.firstArrivals() > 0 && (inFlight[0] = receiver.inFlight.get()) > 0);
    worker.kill();
    LOG.info(
        "kill {}: {} first arrivals, {} calls in flight just before, {} duplicates so far",
        kill,
        receiver.firstArrivals(),
        inFlight[0],
        receiver.duplicateEvents.get() + receiver.duplicateActions.get());
  }

  private static boolean parked(InProcessRoomlog roomlog, String subscriptionOrRoute) {
    return SharedKafka.readAll(roomlog.topics().webhookRetry()).stream()
        .map(ConsumerRecord::value)
        .anyMatch(call -> call.subscriptionId().equals(subscriptionOrRoute));
  }

  /** Each room's last seq in room-events, once bob's leave is there, of the events subscribed. */
  private static Map<String, Integer> lastSeqs(InProcessRoomlog roomlog, List<String> rooms) {
    Map<String, Integer> last = new TreeMap<>();
    await("bob's leaves in room-events")
        .atMost(DEADLINE)
        .until(
            () -> {
              last.clear();
              Set<String> left = new HashSet<>();
              for (ConsumerRecord<String, RoomEvent> r :
                  SharedKafka.readAll(roomlog.topics().roomEvents())) {
                RoomEvent e = r.value();
                if (!(e instanceof RoomEvent.UserBanned) && !(e instanceof RoomEvent.UserInvited)) {
                  last.merge(e.roomId(), (int) e.seq(), Math::max);
                }
                if (e instanceof RoomEvent.MemberLeft) {
                  left.add(e.roomId());
                }
              }
              return left.equals(Set.copyOf(rooms));
            });
    assertEquals(Set.copyOf(rooms), last.keySet());
    return last;
  }

  private static List<Integer> range(int first, int last) {
    List<Integer> all = new ArrayList<>();
    for (int i = first; i <= last; i++) {
      all.add(i);
    }
    return all;
  }

  /** Messages round-robin over the rooms, and every third one a routed action of a connection. */
  private static final class Traffic {
    private final WsClient alice;
    private final List<String> rooms;
    private final List<WsClient> senders;
    private final Map<String, Integer> sent = new HashMap<>();
    private int messages;

    Traffic(WsClient alice, List<String> rooms, List<WsClient> senders) {
      this.alice = alice;
      this.rooms = rooms;
      this.senders = senders;
    }

    void send(int count) {
      for (int i = 0; i < count; i++, messages++) {
        String id = "m" + messages;
        alice.sendAction(
            "sendMessage",
            "roomId",
            rooms.get(messages % rooms.size()),
            "text",
            id,
            "requestId",
            id);
        // Answers awaited in steps: below the gateway's bound of unanswered actions (100).
        if (i % 50 == 49 || i == count - 1) {
          alice.awaitAnswer(id);
        }
        if (messages % ACTIONS_EVERY == 0) {
          WsClient sender = senders.get((messages / ACTIONS_EVERY) % senders.size());
          int n = sent.merge(sender.connectionId(), 1, Integer::sum) - 1;
          sender.send("{\"action\":\"ping\",\"n\":" + n + "}");
        }
      }
    }

    Map<String, Integer> sentPerConnection() {
      return Map.copyOf(sent);
    }
  }

  /**
   * The test's backend for both: slow (50 to 150 ms a call, so that a kill finds calls in flight),
   * refusing (500) the calls of the rooms and connections it is told to, verifying each webhook's
   * signature, and keeping each event's and action's first arrival by its key (room or connection)
   * and noting a first arrival that is not the next one expected (a gap).
   */
  static final class Receiver {
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger duplicateEvents = new AtomicInteger();
    final AtomicInteger duplicateActions = new AtomicInteger();
    final List<String> badSignatures = new CopyOnWriteArrayList<>();
    final List<String> gaps = new CopyOnWriteArrayList<>();
    private final Map<String, List<Integer>> firstSeqs = new HashMap<>();
    private final Set<String> seen = new HashSet<>();
    private volatile Set<String> refused = Set.of();
    private final ExecutorService threads = Executors.newFixedThreadPool(16);
    private final HttpServer server;

    Receiver() throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.setExecutor(threads);
      server.createContext("/hooks", exchange -> slowly(exchange, this::hooks));
      server.createContext("/routes", exchange -> slowly(exchange, this::routes));
      server.start();
    }

    int port() {
      return server.getAddress().getPort();
    }

    void stop() {
      server.stop(0);
      threads.shutdownNow();
    }

    void refuse(Set<String> keys) {
      refused = Set.copyOf(keys);
    }

    synchronized int firstArrivals() {
      return seen.size();
    }

    synchronized List<Integer> firstSeqs(String key) {
      return List.copyOf(firstSeqs.getOrDefault(key, List.of()));
    }

    synchronized boolean hasAll(Map<String, Integer> lastSeqs, Map<String, Integer> actions) {
      for (Map.Entry<String, Integer> room : lastSeqs.entrySet()) {
        if (firstSeqs.getOrDefault(room.getKey(), List.of()).size() < room.getValue()) {
          return false;
        }
      }
      for (Map.Entry<String, Integer> connection : actions.entrySet()) {
        if (firstSeqs.getOrDefault(connection.getKey(), List.of()).size() < connection.getValue()) {
          return false;
        }
      }
      return true;
    }

    private interface Handler {
      /** Takes the call; answers false to refuse it. */
      boolean take(HttpExchange exchange, byte[] body) throws IOException;
    }

    private void slowly(HttpExchange exchange, Handler handler) throws IOException {
      inFlight.incrementAndGet();
      try {
        byte[] body = exchange.getRequestBody().readAllBytes();
        calls.incrementAndGet();
        Thread.sleep(ThreadLocalRandom.current().nextLong(50, 151));
        exchange.sendResponseHeaders(handler.take(exchange, body) ? 204 : 500, -1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        exchange.sendResponseHeaders(503, -1);
      } finally {
        exchange.close();
        inFlight.decrementAndGet();
      }
    }

    private boolean hooks(HttpExchange exchange, byte[] body) throws IOException {
      JsonNode call = Json.MAPPER.readTree(body);
      if (refused.contains(call.path("roomId").asText())) {
        return false;
      }
      String id = exchange.getRequestHeaders().getFirst("webhook-id");
      if (!verifies(
          id,
          exchange.getRequestHeaders().getFirst("webhook-timestamp"),
          body,
          exchange.getRequestHeaders().getFirst("webhook-signature"))) {
        badSignatures.add(id);
        return false;
      }
      for (JsonNode event : call.path("events")) {
        arrived(
            event.path("roomId").asText(),
            event.path("id").asText(),
            event.path("seq").asInt(),
            1,
            duplicateEvents);
      }
      return true;
    }

    private boolean routes(HttpExchange exchange, byte[] body) throws IOException {
      JsonNode event = Json.MAPPER.readTree(body);
      String connection = event.at("/requestContext/connectionId").asText();
      if (refused.contains(connection)) {
        return false;
      }
      int n = Json.MAPPER.readTree(event.path("body").asText()).path("n").asInt();
      arrived(
          connection,
          exchange.getRequestHeaders().getFirst("Idempotency-Key"),
          n,
          0,
          duplicateActions);
      return true;
    }

    private synchronized void arrived(
        String key, String id, int seq, int first, AtomicInteger duplicates) {
      if (!seen.add(id)) {
        duplicates.incrementAndGet();
        return;
      }
      List<Integer> seqs = firstSeqs.computeIfAbsent(key, k -> new ArrayList<>());
      int expected = seqs.isEmpty() ? first : seqs.get(seqs.size() - 1) + 1;
      if (seq != expected) {
        gaps.add(key + ": " + seq + " arrived first where " + expected + " was expected");
      }
      seqs.add(seq);
    }

    /** Standard Webhooks verification, as docs/INTEGRATIONS.md shows it. */
    private static boolean verifies(String id, String timestamp, byte[] body, String header) {
      if (id == null || timestamp == null || header == null) {
        return false;
      }
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
  }
}
