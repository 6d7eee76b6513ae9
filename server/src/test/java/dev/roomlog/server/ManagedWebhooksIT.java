package dev.roomlog.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.roomlog.integrations.Integrations;
import dev.roomlog.integrations.IntegrationsSettings;
import dev.roomlog.protocol.Json;
import dev.roomlog.systemtest.WsClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Webhook subscriptions managed through the gateway's management API, through a real Roomlog
 * (gateway, processor, shared broker), a real integrations worker without a webhooks file and a
 * real HTTP receiver: a subscription created with the admin key takes the events after its creation
 * (not those before), is listed without its secret, and once deleted is called for no new event; a
 * restarted worker reads the subscriptions from the topic again.
 */
class ManagedWebhooksIT {
  private static final String ADMIN_KEY = "it-admin-key";
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final HttpClient http = HttpClient.newHttpClient();

  /** The texts of the message events each subscription's path received, in arrival order. */
  private final Map<String, List<String>> received = new ConcurrentHashMap<>();

  @Test
  void aSubscriptionOfTheApiIsCalledListedWithoutSecretsDeletedAndReadAgainAfterARestart()
      throws Exception {
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/", this::receive);
    receiver.start();
    String base = "http://127.0.0.1:" + receiver.getAddress().getPort();
    try (InProcessRoomlog roomlog = InProcessRoomlog.start(gateway -> gateway.adminKey(ADMIN_KEY));
        WsClient alice = WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY)) {
      alice.sendAction("createRoom", "username", "alice", "requestId", "c");
      String room = alice.awaitAnswer("c").get("roomId").asText();
      Integrations worker = startWorker(roomlog);
      try {
        say(alice, room, "before");
        // The API answers 503 notReady until its gateway has read the subscriptions topic (on a
        // busy machine, a second or more after the start); a client retries, and so does this.
        await().atMost(WAIT).until(() -> call(roomlog, "GET", "/webhooks", null).status() == 200);

        Reply gone = call(roomlog, "POST", "/webhooks", subscription("gone", base + "/gone"));
        assertEquals(201, gone.status(), gone.body());
        assertFalse(gone.body().contains(SECRET), gone.body());
        assertEquals("k1", Json.MAPPER.readTree(gone.body()).at("/secrets/0/id").asText());
        Reply kept = call(roomlog, "POST", "/webhooks", subscription("kept", base + "/kept"));
        assertEquals(201, kept.status(), kept.body());
        assertEquals(
            403,
            call(roomlog, "POST", "/webhooks", subscription("x", base + "/x"), "x-admin-key", "no")
                .status(),
            "a wrong key is refused");

        say(alice, room, "m1");
        await()
            .atMost(WAIT)
            .until(() -> texts("gone").contains("m1") && texts("kept").contains("m1"));
        assertEquals(List.of("m1"), texts("gone"), "nothing from before its creation");
        assertEquals(List.of("m1"), texts("kept"), "nothing from before its creation");

        Reply list = call(roomlog, "GET", "/webhooks", null);
        assertEquals(200, list.status());
        assertFalse(list.body().contains(SECRET), list.body());
        assertEquals(List.of("gone", "kept"), ids(Json.MAPPER.readTree(list.body())));
        assertEquals(200, call(roomlog, "GET", "/webhooks/gone", null).status());

        assertEquals(204, call(roomlog, "DELETE", "/webhooks/gone", null).status());
        assertEquals(404, call(roomlog, "DELETE", "/webhooks/gone", null).status());
        assertEquals(
            List.of("kept"),
            ids(Json.MAPPER.readTree(call(roomlog, "GET", "/webhooks", null).body())));

        say(alice, room, "m2");
        await().atMost(WAIT).until(() -> texts("kept").contains("m2"));
        assertEquals(List.of("m1"), texts("gone"), "a deleted subscription is not called");
      } finally {
        worker.close();
      }

      // A new worker (same group) knows of the subscriptions only through the topic.
      worker = startWorker(roomlog);
      try {
        say(alice, room, "m3");
        await().atMost(WAIT).until(() -> texts("kept").contains("m3"));
        assertEquals(List.of("m1", "m2", "m3"), texts("kept"));
        assertEquals(List.of("m1"), texts("gone"), "still deleted after the restart");
      } finally {
        worker.close();
      }
    } finally {
      receiver.stop(0);
    }
  }

  private void say(WsClient alice, String room, String text) {
    alice.sendAction("sendMessage", "roomId", room, "text", text, "requestId", text);
    alice.awaitAnswer(text);
  }

  private static Integrations startWorker(InProcessRoomlog roomlog) {
    return Integrations.start(
        IntegrationsSettings.of(roomlog.bootstrapServers(), roomlog.topics())
            .with(IntegrationsSettings.GROUP_ID, roomlog.applicationId() + "-hooks")
            .with(IntegrationsSettings.START_FROM, "earliest"),
        failure -> {});
  }

  private static String subscription(String id, String url) {
    return """
        {"id":"%s","url":"%s","secrets":[{"id":"k1","secret":"%s"}],"events":["message"]}
        """
        .formatted(id, url, SECRET);
  }

  private static List<String> ids(JsonNode list) {
    return java.util.stream.StreamSupport.stream(list.spliterator(), false)
        .map(s -> s.get("id").asText())
        .toList();
  }

  private List<String> texts(String subscription) {
    return List.copyOf(received.getOrDefault(subscription, List.of()));
  }

  private void receive(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath().substring(1);
    JsonNode body = Json.MAPPER.readTree(exchange.getRequestBody().readAllBytes());
    List<String> texts = received.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>());
    for (JsonNode event : body.path("events")) {
      texts.add(event.path("text").asText());
    }
    exchange.sendResponseHeaders(204, -1);
    exchange.close();
  }

  private record Reply(int status, String body) {}

  private Reply call(InProcessRoomlog roomlog, String method, String path, String body)
      throws Exception {
    return call(roomlog, method, path, body, "x-admin-key", ADMIN_KEY);
  }

  private Reply call(
      InProcessRoomlog roomlog, String method, String path, String body, String... headers)
      throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + roomlog.managementPort() + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .headers(headers)
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), response.body());
  }
}
