package dev.roomlog.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.gateway.Gateway;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.processor.ProcessorSettings;
import dev.roomlog.processor.RoomProcessor;
import dev.roomlog.processor.RoomQueries;
import dev.roomlog.processor.query.QueryServer;
import dev.roomlog.processor.query.RoomPage;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.systemtest.SharedKafka;
import dev.roomlog.systemtest.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Room state queries with two processor instances sharing the rooms: each instance answers for
 * every room, its own from its store and the other's through the other's query port; a list pages
 * through every room once; and when one instance stops, the other answers for all.
 */
class ProcessorQueriesIT {
  private static final String ADMIN_KEY = "it-admin-key";
  private static final int PARTITIONS = 4;

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @TempDir Path dir;

  private record Instance(RoomProcessor processor, QueryServer queries) {
    String base() {
      return "http://127.0.0.1:" + queries.port();
    }
  }

  private record Reply(int status, JsonNode body) {}

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private Instance startInstance(
      String bootstrap, TopicSet topics, String applicationId, String name) throws Exception {
    return startInstance(bootstrap, topics, applicationId, name, ADMIN_KEY);
  }

  private Instance startInstance(
      String bootstrap, TopicSet topics, String applicationId, String name, String adminKey)
      throws Exception {
    QueryServer queries = QueryServer.bind("127.0.0.1", 0, adminKey, PARTITIONS);
    toClose.add(queries);
    RoomProcessor processor =
        new RoomProcessor(
            ProcessorSettings.defaults(bootstrap, dir.resolve(name))
                .withApplicationId(applicationId)
                .withReplicationFactor(1)
                .withTopics(topics)
                .withApplicationServer("127.0.0.1:" + queries.port()));
    toClose.add(processor);
    processor.start();
    queries.start(processor);
    return new Instance(processor, queries);
  }

  private Reply get(String url, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
    if (headers.length > 0) {
      request.headers(headers);
    }
    HttpResponse<String> response =
        http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), Json.MAPPER.readTree(response.body()));
  }

  private Reply admin(String url) throws Exception {
    return get(url, "x-admin-key", ADMIN_KEY);
  }

  /** Until both run and share every partition, each with some. */
  private static void awaitSharing(Instance one, Instance other) {
    await("both instances running, each with partitions of its own")
        .atMost(Duration.ofSeconds(90))
        .until(
            () ->
                one.processor().state() == KafkaStreams.State.RUNNING
                    && other.processor().state() == KafkaStreams.State.RUNNING
                    && ownedPartitions(one) > 0
                    && ownedPartitions(other) > 0
                    && ownedPartitions(one) + ownedPartitions(other) == PARTITIONS);
  }

  private static int ownedPartitions(Instance instance) {
    try {
      return instance.processor().queries().localPage(null, 1).partitions().size();
    } catch (RoomQueries.NotQueryable e) {
      return 0;
    }
  }

  @Test
  void everyInstanceAnswersForEveryRoomAndListsEachRoomOnce() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    TopicSet topics = TopicSet.prefixed(SharedKafka.uniquePrefix());
    TopicProvisioner.ensureTopics(bootstrap, topics, PARTITIONS, (short) 1);
    String applicationId = topics.actions().name() + "-app";
    Instance first = startInstance(bootstrap, topics, applicationId, "first");
    Instance second = startInstance(bootstrap, topics, applicationId, "second");
    awaitSharing(first, second);

    Gateway gateway =
        Gateway.start(
            bootstrap,
            topics,
            GatewaySettings.of(Set.of(InProcessRoomlog.API_KEY), "gw-queries").toBuilder()
                .bindHost("127.0.0.1")
                .port(0)
                .adminPort(0)
                .build());
    toClose.add(gateway);

    // Rooms until each instance holds some: which partition a room id lands on is the hash's.
    List<String> rooms = new ArrayList<>();
    int heldByFirst = 0;
    int heldBySecond = 0;
    try (WsClient alice = WsClient.connect(gateway.port(), InProcessRoomlog.API_KEY);
        WsClient bob = WsClient.connect(gateway.port(), InProcessRoomlog.API_KEY)) {
      for (int i = 0; i < 40 && (heldByFirst < 2 || heldBySecond < 2); i++) {
        alice.sendAction("createRoom", "username", "alice", "requestId", "c" + i);
        String roomId = alice.awaitAnswer("c" + i).get("roomId").asText();
        rooms.add(roomId);
        if (first.processor().queries().locate(roomId) instanceof RoomQueries.Here) {
          heldByFirst++;
        } else {
          heldBySecond++;
        }
      }
      assertTrue(
          heldByFirst >= 2 && heldBySecond >= 2,
          "rooms on both instances: " + heldByFirst + "/" + heldBySecond);
      String talkedIn = rooms.get(0);
      bob.sendAction("joinRoom", "roomId", talkedIn, "username", "bob", "requestId", "j");
      bob.awaitAnswer("j");
      alice.sendAction("sendMessage", "roomId", talkedIn, "text", "hello", "requestId", "m");
      alice.awaitAnswer("m");

      for (String roomId : rooms) {
        Reply fromFirst = admin(first.base() + "/rooms/" + roomId);
        Reply fromSecond = admin(second.base() + "/rooms/" + roomId);
        assertEquals(200, fromFirst.status(), roomId + ": " + fromFirst.body());
        assertEquals(
            fromFirst.body(), fromSecond.body(), "both instances give the same room " + roomId);
        assertEquals(roomId, fromFirst.body().get("roomId").asText());
        assertEquals("alice", fromFirst.body().get("members").get(0).get("username").asText());
      }
      JsonNode talked = admin(second.base() + "/rooms/" + talkedIn).body();
      assertEquals(
          4,
          talked.get("seq").asLong(),
          "roomCreated, alice joined, bob joined, the message: " + talked);
      assertEquals(2, talked.get("members").size(), talked.toString());
      assertEquals("hello", talked.get("recent").get(3).get("text").asText(), talked.toString());
    }

    for (Instance asked : List.of(first, second)) {
      assertEquals(
          sorted(rooms),
          pageThrough(asked, 3),
          "every room once, in id order, from " + asked.base());
    }

    // One instance stops: once the group notices, the other holds, and answers for, every room.
    second.processor().close();
    second.queries().close();
    await("the remaining instance answers for every room")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                rooms.stream()
                    .allMatch(roomId -> statusOf(first.base() + "/rooms/" + roomId) == 200));
    assertEquals(sorted(rooms), pageThrough(first, RoomPage.MAX_LIMIT));
  }

  private int statusOf(String url) {
    try {
      return admin(url).status();
    } catch (Exception e) {
      return -1;
    }
  }

  private static List<String> sorted(List<String> ids) {
    List<String> out = new ArrayList<>(ids);
    out.sort(RoomPage.ID_ORDER);
    return out;
  }

  /** Every room id, following {@code next} from page to page. */
  private List<String> pageThrough(Instance instance, int limit) throws Exception {
    List<String> ids = new ArrayList<>();
    String after = null;
    for (int pages = 0; pages < 100; pages++) {
      Reply page =
          admin(
              instance.base() + "/rooms?limit=" + limit + (after == null ? "" : "&after=" + after));
      assertEquals(200, page.status(), page.body().toString());
      assertTrue(page.body().get("rooms").size() <= limit, page.body().toString());
      page.body().get("rooms").forEach(room -> ids.add(room.get("roomId").asText()));
      // The last page has no "next".
      if (!page.body().hasNonNull("next")) {
        return ids;
      }
      after = page.body().get("next").asText();
    }
    throw new AssertionError("more than 100 pages: " + ids);
  }

  @Test
  void badRequestsGetAStatusACodeAndAReason() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    TopicSet topics = TopicSet.prefixed(SharedKafka.uniquePrefix());
    TopicProvisioner.ensureTopics(bootstrap, topics, PARTITIONS, (short) 1);
    Instance only = startInstance(bootstrap, topics, topics.actions().name() + "-app", "only");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> only.processor().state() == KafkaStreams.State.RUNNING);
    String base = only.base();

    Reply health = get(base + "/healthz");
    assertEquals(200, health.status());
    assertEquals("RUNNING", health.body().get("processor").asText());
    Reply ready = get(base + "/readyz");
    assertEquals(200, ready.status());
    assertEquals("ok", ready.body().get("status").asText());

    assertError(get(base + "/rooms/nope"), 401, "unauthorized");
    assertError(get(base + "/rooms/nope", "x-admin-key", "wrong"), 403, "forbidden");
    assertError(
        get(base + "/rooms/nope", "authorization", "Bearer " + ADMIN_KEY), 404, "roomNotFound");
    assertError(admin(base + "/rooms/nope"), 404, "roomNotFound");
    assertError(admin(base + "/nowhere"), 404, "notFound");

    assertEquals(200, admin(base + "/rooms?limit=1").status());
    assertEquals(200, admin(base + "/rooms?limit=" + RoomPage.MAX_LIMIT).status());
    assertError(admin(base + "/rooms?limit=0"), 400, "badRequest");
    assertError(admin(base + "/rooms?limit=" + (RoomPage.MAX_LIMIT + 1)), 400, "badRequest");
    assertError(admin(base + "/rooms?limit=ten"), 400, "badRequest");

    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/rooms"))
                .header("x-admin-key", ADMIN_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertError(
        new Reply(post.statusCode(), Json.MAPPER.readTree(post.body())), 405, "methodNotAllowed");
  }

  @Test
  void processorsGivenDifferentAdminKeysSayItRatherThanRefuseTheClient() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    TopicSet topics = TopicSet.prefixed(SharedKafka.uniquePrefix());
    TopicProvisioner.ensureTopics(bootstrap, topics, PARTITIONS, (short) 1);
    String applicationId = topics.actions().name() + "-app";
    Instance first = startInstance(bootstrap, topics, applicationId, "first");
    // A trailing newline, as a key read from a secret file has: it is the same key.
    Instance second = startInstance(bootstrap, topics, applicationId, "second", ADMIN_KEY + "\n");
    awaitSharing(first, second);
    assertEquals(200, admin(first.base() + "/rooms").status(), "the same key, newline or not");
    second.queries().close();
    second.processor().close();

    Instance third = startInstance(bootstrap, topics, applicationId, "third", "another-key");
    awaitSharing(first, third);
    assertError(admin(first.base() + "/rooms"), 500, "adminKeyMismatch");
  }

  private static void assertError(Reply reply, int status, String code) {
    assertEquals(status, reply.status(), reply.body().toString());
    assertEquals(status, reply.body().get("status").asInt(), reply.body().toString());
    assertEquals(code, reply.body().get("code").asText(), reply.body().toString());
    assertNotNull(reply.body().get("message").asText(null), reply.body().toString());
  }
}
