package dev.roomlog.loadtest.baseline;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roomlog.loadtest.RecordingWebSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The baseline over real sockets, driven by the JDK's own WebSocket client. */
class BareBroadcastServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private BareBroadcastServer server;

  @BeforeEach
  void start() {
    server = BareBroadcastServer.start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void everyMemberGetsTheMessageAndOnlyTheSenderCopyCarriesTheRequestId() {
    try (Client alice = connect();
        Client bob = connect()) {
      alice.send("createRoom", "roomId", "lobby", "username", "alice", "requestId", "c1");
      JsonNode created = alice.awaitAnswer("c1");
      assertEquals("roomCreated", created.get("type").asText(), created.toString());
      assertEquals("lobby", created.get("roomId").asText());
      assertEquals(2, created.get("seq").asLong());
      assertEquals(alice.connectionId, created.at("/members/0/connectionId").asText());

      bob.send("joinRoom", "roomId", "lobby", "username", "bob", "requestId", "j1");
      JsonNode joined = bob.awaitAnswer("j1");
      assertEquals("joined", joined.get("type").asText(), joined.toString());
      assertEquals(3, joined.get("seq").asLong());
      assertEquals(2, joined.get("members").size());
      assertTrue(joined.get("history").isArray() && joined.get("history").isEmpty());
      JsonNode memberJoined = alice.awaitType("memberJoined");
      assertEquals(bob.connectionId, memberJoined.get("connectionId").asText());
      assertEquals("bob", memberJoined.get("username").asText());

      bob.send("sendMessage", "roomId", "lobby", "text", "hello \"room\"\n", "requestId", "m1");
      JsonNode own = bob.awaitType("message");
      JsonNode theirs = alice.awaitType("message");
      for (JsonNode message : List.of(own, theirs)) {
        assertEquals("lobby", message.get("roomId").asText());
        assertEquals(4, message.get("seq").asLong());
        assertEquals("bob", message.get("from").asText());
        assertEquals(bob.connectionId, message.get("connectionId").asText());
        assertEquals("hello \"room\"\n", message.get("text").asText());
        assertTrue(message.get("sentAt").asLong() > 0);
      }
      assertEquals("m1", own.get("requestId").asText());
      assertFalse(theirs.has("requestId"), theirs.toString());
    }
  }

  @Test
  void createRoomWithoutRoomIdGetsOneChosenByTheServer() {
    try (Client alice = connect()) {
      alice.send("createRoom", "username", "alice", "requestId", "c1");
      JsonNode created = alice.awaitAnswer("c1");
      assertEquals("roomCreated", created.get("type").asText(), created.toString());
      assertTrue(created.get("roomId").asText().startsWith("r-"), created.toString());
    }
  }

  @Test
  void refusedRequestsGetRoomlogsErrorFramesAndTheConnectionStaysOpen() {
    try (Client alice = connect();
        Client bob = connect()) {
      alice.send("createRoom", "roomId", "lobby", "username", "alice", "requestId", "c1");
      alice.awaitAnswer("c1");

      assertError(bob, "409", "roomExists", "createRoom", "roomId", "lobby", "username", "b");
      assertError(bob, "404", "roomNotFound", "joinRoom", "roomId", "nope", "username", "b");
      assertError(bob, "403", "notMember", "sendMessage", "roomId", "lobby", "text", "hi");
      assertError(alice, "409", "alreadyMember", "joinRoom", "roomId", "lobby", "username", "a");
      assertError(bob, "400", "missingField", "joinRoom", "roomId", "lobby");
      assertError(bob, "400", "unknownAction", "leaveRoom", "roomId", "lobby");

      bob.socket.send("not json");
      JsonNode badJson =
          Client.read(
              bob.socket.awaitFrame(
                  "an error without requestId",
                  f ->
                      Client.read(f).path("type").asText().equals("error")
                          && !Client.read(f).has("requestId")));
      assertEquals("error", badJson.get("type").asText(), badJson.toString());
      assertEquals("badJson", badJson.get("code").asText(), badJson.toString());

      bob.send("joinRoom", "roomId", "lobby", "username", "bob", "requestId", "ok");
      assertEquals("joined", bob.awaitAnswer("ok").get("type").asText());
    }
  }

  @Test
  void aClosedConnectionLeavesItsRooms() {
    try (Client alice = connect()) {
      alice.send("createRoom", "roomId", "lobby", "username", "alice", "requestId", "c1");
      alice.awaitAnswer("c1");
      try (Client bob = connect()) {
        bob.send("joinRoom", "roomId", "lobby", "username", "bob", "requestId", "j1");
        bob.awaitAnswer("j1");
        assertEquals(2, server.rooms().members("lobby").size());
      }
      await()
          .atMost(RecordingWebSocket.WAIT)
          .until(() -> server.rooms().members("lobby").equals(List.of(alice.connectionId)));
    }
  }

  @Test
  void aMemberThatStopsReadingIsCutOffAndTheOthersStillGetTheirMessages() throws Exception {
    try (Client alice = connect()) {
      alice.send("createRoom", "roomId", "lobby", "username", "alice", "requestId", "c1");
      alice.awaitAnswer("c1");
      WebSocket stuck = stalledMember("lobby");
      try {
        // 64 MiB for a member whose socket is never read: far past its 1 MiB high-water mark and
        // whatever the kernel's socket buffers hold.
        String text = "x".repeat(16 * 1024);
        for (int i = 0; i < 4096 && server.slowClientsCut() == 0; i++) {
          alice.send("sendMessage", "roomId", "lobby", "text", text);
        }
        await().atMost(RecordingWebSocket.WAIT).until(() -> server.slowClientsCut() == 1);
        await()
            .atMost(RecordingWebSocket.WAIT)
            .until(() -> server.rooms().members("lobby").equals(List.of(alice.connectionId)));

        alice.send("sendMessage", "roomId", "lobby", "text", "still here", "requestId", "last");
        assertEquals("still here", alice.awaitAnswer("last").get("text").asText());
      } finally {
        stuck.abort();
      }
    }
  }

  private static void assertError(
      Client client, String status, String code, String action, String... fields) {
    String requestId = "e-" + code;
    String[] withRequestId = new String[fields.length + 2];
    System.arraycopy(fields, 0, withRequestId, 0, fields.length);
    withRequestId[fields.length] = "requestId";
    withRequestId[fields.length + 1] = requestId;
    client.send(action, withRequestId);
    JsonNode error = client.awaitAnswer(requestId);
    assertEquals("error", error.get("type").asText(), error.toString());
    assertEquals(status, error.get("status").asText(), error.toString());
    assertEquals(code, error.get("code").asText(), error.toString());
  }

  /** A member of {@code roomId} whose client never reads a byte after the handshake. */
  private WebSocket stalledMember(String roomId) {
    WebSocket socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .buildAsync(
                uri(),
                new WebSocket.Listener() {
                  @Override
                  public void onOpen(WebSocket webSocket) {
                    // No request(n): the client asks for no messages, so it stops reading.
                  }

                  @Override
                  public CompletionStage<?> onText(
                      WebSocket webSocket, CharSequence data, boolean last) {
                    return null;
                  }
                })
            .join();
    ObjectNode join =
        JSON.createObjectNode()
            .put("action", "joinRoom")
            .put("roomId", roomId)
            .put("username", "stuck");
    socket.sendText(join.toString(), true).join();
    await()
        .atMost(RecordingWebSocket.WAIT)
        .pollInterval(Duration.ofMillis(10))
        .until(() -> server.rooms().members(roomId).size() == 2);
    return socket;
  }

  private URI uri() {
    return URI.create("ws://127.0.0.1:" + server.port() + "/");
  }

  private Client connect() {
    // Roomlog's header, which the baseline accepts and ignores.
    return new Client(RecordingWebSocket.connect(uri(), Map.of("x-api-key", "ignored")));
  }

  /** A Roomlog-protocol client: JSON frames, answers found by requestId. */
  private static final class Client implements AutoCloseable {
    final RecordingWebSocket socket;
    final String connectionId;

    Client(RecordingWebSocket socket) {
      this.socket = socket;
      this.connectionId = awaitType("connected").get("connectionId").asText();
    }

    void send(String action, String... fieldsAndValues) {
      ObjectNode request = JSON.createObjectNode().put("action", action);
      for (int i = 0; i < fieldsAndValues.length; i += 2) {
        request.put(fieldsAndValues[i], fieldsAndValues[i + 1]);
      }
      socket.send(request.toString());
    }

    JsonNode awaitAnswer(String requestId) {
      return read(
          socket.awaitFrame(
              "an answer to " + requestId,
              f -> requestId.equals(read(f).path("requestId").asText(null))));
    }

    JsonNode awaitType(String type) {
      return read(
          socket.awaitFrame(
              "a '" + type + "' frame", f -> type.equals(read(f).path("type").asText())));
    }

    @Override
    public void close() {
      socket.close();
    }

    private static JsonNode read(String frame) {
      try {
        return JSON.readTree(frame);
      } catch (IOException e) {
        throw new UncheckedIOException("the server sent a frame that is not JSON: " + frame, e);
      }
    }
  }
}
