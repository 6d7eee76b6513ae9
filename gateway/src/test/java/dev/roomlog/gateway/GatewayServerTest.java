package dev.roomlog.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.gateway.connection.ConnectionRegistry;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.protocol.ConnectionIds;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.action.Action;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The server on a real socket (port 0) with the JDK's WebSocket client. */
class GatewayServerTest {
  private static final String KEY = "k1";

  private final RecordingWalAppender wal = new RecordingWalAppender();
  private final ConnectionRegistry registry = new ConnectionRegistry();
  private final HttpClient http = HttpClient.newHttpClient();
  private GatewayServer server;

  @BeforeEach
  void start() {
    GatewaySettings settings =
        GatewaySettings.of(Set.of(KEY), "gw-socket").withBindHost("127.0.0.1").withPort(0);
    server = new GatewayServer(settings, wal, registry, Clock.systemUTC());
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private URI uri() {
    return URI.create("ws://127.0.0.1:" + server.port() + "/");
  }

  /** Collects text messages as they arrive. */
  static final class Inbox implements WebSocket.Listener {
    final LinkedBlockingQueue<String> texts = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        texts.add(partial.toString());
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    JsonNode next() throws Exception {
      String text = texts.poll(10, TimeUnit.SECONDS);
      if (text == null) {
        throw new AssertionError("no frame within 10 s");
      }
      return Json.MAPPER.readTree(text);
    }
  }

  private WebSocket connect(String key, Inbox inbox) {
    return http.newWebSocketBuilder()
        .header("x-api-key", key)
        .buildAsync(uri(), inbox)
        .orTimeout(10, TimeUnit.SECONDS)
        .join();
  }

  @Test
  void clientConnectsSendsAnActionAndReceivesADelivery() throws Exception {
    Inbox inbox = new Inbox();
    WebSocket ws = connect(KEY, inbox);

    JsonNode connected = inbox.next();
    assertEquals("connected", connected.get("type").asText());
    String connectionId = connected.get("connectionId").asText();
    assertEquals(
        "gw-socket",
        ConnectionIds.gatewayOf(connectionId).orElseThrow(),
        "the id names its gateway");
    assertEquals("gw-socket".length() + 1 + 16, connectionId.length(), "and 16 random characters");

    ws.sendText("{\"action\":\"createRoom\",\"username\":\"ann\",\"requestId\":\"r1\"}", true)
        .join();
    await().atMost(Duration.ofSeconds(10)).until(() -> wal.records().size() == 2);
    assertEquals(connectionId, wal.records().get(1).connectionId());
    assertEquals("127.0.0.1", wal.records().get(1).requestContext().identity().sourceIp());

    registry.deliver(List.of(connectionId), "{\"type\":\"roomCreated\",\"roomId\":\"x\"}");
    assertEquals("roomCreated", inbox.next().get("type").asText());

    ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> wal.records().stream().anyMatch(r -> r.action() instanceof Action.Disconnect));
    assertEquals(0, registry.size());
  }

  @Test
  void wrongKeyIsRefusedWith401() {
    CompletionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            CompletionException.class, () -> connect("wrong", new Inbox()));

    WebSocketHandshakeException handshake =
        assertInstanceOf(WebSocketHandshakeException.class, e.getCause());
    HttpResponse<?> response = handshake.getResponse();
    assertEquals(401, response.statusCode());
    assertEquals(List.of(), wal.records());
  }

  @Test
  void closeSendsGoingAwayAndWritesADisconnectForEveryConnection() throws Exception {
    Inbox first = new Inbox();
    Inbox second = new Inbox();
    // Members of a room: only a connection that may be in one has a $disconnect to write.
    for (Inbox inbox : List.of(first, second)) {
      connect(KEY, inbox)
          .sendText("{\"action\":\"joinRoom\",\"roomId\":\"lobby\",\"username\":\"ann\"}", true)
          .join();
      inbox.next();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> wal.count(Action.JoinRoom.class) == 2);

    server.close();

    assertEquals(1001, first.closed.get(10, TimeUnit.SECONDS));
    assertEquals(1001, second.closed.get(10, TimeUnit.SECONDS));
    long disconnects =
        wal.records().stream().filter(r -> r.action() instanceof Action.Disconnect).count();
    assertEquals(2, disconnects, "closeAll returns after each $disconnect was appended");
    assertTrue(registry.size() == 0);
  }
}
