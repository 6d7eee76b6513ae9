package dev.roomlog.systemtest;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roomlog.protocol.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real WebSocket client for the tests (the JDK's own, over a real socket). It records every frame
 * it receives so that a test can wait for the one it expects, with a deadline.
 */
public final class WsClient implements AutoCloseable {
  public static final Duration WAIT = Duration.ofSeconds(30);

  private final WebSocket socket;
  private final List<JsonNode> received = new CopyOnWriteArrayList<>();

  /** Every text frame as it came, JSON or not (the management API may send any text). */
  private final List<String> texts = new CopyOnWriteArrayList<>();

  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final String connectionId;

  private WsClient(URI uri, String apiKey) {
    HttpClient http = HttpClient.newHttpClient();
    WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
    if (apiKey != null) {
      builder.header("x-api-key", apiKey);
    }
    socket = builder.buildAsync(uri, new Listener()).join();
    connectionId = awaitFrame("connected", f -> true).get("connectionId").asText();
  }

  public static WsClient connect(int port, String apiKey) {
    return new WsClient(URI.create("ws://127.0.0.1:" + port + "/"), apiKey);
  }

  /**
   * Connects to {@code uri} with no header of its own, as a browser does (a user token in its query
   * string, {@code ?token=}).
   */
  public static WsClient connect(URI uri) {
    return new WsClient(uri, null);
  }

  /** The HTTP status with which the server refuses the upgrade, or -1 if it accepts it. */
  public static int handshakeStatus(int port, String apiKey) {
    try {
      connect(port, apiKey).close();
      return -1;
    } catch (CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException refused) {
        return refused.getResponse().statusCode();
      }
      throw e;
    }
  }

  public String connectionId() {
    return connectionId;
  }

  public void send(String json) {
    socket.sendText(json, true).join();
  }

  /** Sends an action built from name/value pairs, e.g. send("createRoom", "username", "a"). */
  public void sendAction(String action, String... fieldsAndValues) {
    ObjectNode node = Json.MAPPER.createObjectNode().put("action", action);
    for (int i = 0; i < fieldsAndValues.length; i += 2) {
      node.put(fieldsAndValues[i], fieldsAndValues[i + 1]);
    }
    send(node.toString());
  }

  /** Waits for the first frame of this type that matches, and returns it. */
  public JsonNode awaitFrame(String type, Predicate<JsonNode> matching) {
    JsonNode[] found = new JsonNode[1];
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .alias("a '" + type + "' frame on " + connectionId + "; got " + received)
        .until(
            () -> {
              for (JsonNode frame : received) {
                if (type.equals(frame.path("type").asText()) && matching.test(frame)) {
                  found[0] = frame;
                  return true;
                }
              }
              return false;
            });
    return found[0];
  }

  /** Waits for the answer to the request with this requestId, whatever its type. */
  public JsonNode awaitAnswer(String requestId) {
    JsonNode[] found = new JsonNode[1];
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .alias("an answer to requestId " + requestId + "; got " + received)
        .until(
            () -> {
              for (JsonNode frame : received) {
                if (requestId.equals(frame.path("requestId").asText(null))) {
                  found[0] = frame;
                  return true;
                }
              }
              return false;
            });
    return found[0];
  }

  /** Waits until a text frame equal to {@code text} has come. */
  public void awaitText(String text) {
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .alias(
            "the text frame '"
                + (text.length() > 60 ? text.substring(0, 60) + "..." : text)
                + "' on "
                + connectionId)
        .until(() -> texts.contains(text));
  }

  /** Every text frame so far, in order, JSON or not. */
  public List<String> texts() {
    return new ArrayList<>(texts);
  }

  public List<JsonNode> received() {
    return new ArrayList<>(received);
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  /** Waits until the server closes the connection and returns its close code. */
  public int awaitCloseCode() {
    try {
      return closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the server did not close " + connectionId + " within " + WAIT, e);
    }
  }

  /** Sends without waiting for the send to complete; for floods, where the socket may close. */
  public CompletableFuture<WebSocket> sendAsync(String json) {
    return socket.sendText(json, true);
  }

  @Override
  public void close() {
    if (!socket.isOutputClosed()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
    }
    try {
      closed.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      socket.abort();
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        texts.add(text);
        try {
          received.add(Json.MAPPER.readTree(text));
        } catch (IOException e) {
          // Not JSON: only texts() has it. Roomlog's own frames are always JSON.
        }
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.completeExceptionally(error);
    }
  }
}
