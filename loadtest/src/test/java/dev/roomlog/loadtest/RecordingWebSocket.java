package dev.roomlog.loadtest;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real WebSocket client for the tests (the JDK's own, over a real socket) that records every text
 * message it receives, so that a test can wait for the one it expects, with a deadline. Given a
 * {@link ChatProtocol}, it also sends back at once every frame the protocol says to answer ({@link
 * ChatProtocol.Incoming.Reply}), as the load generator does.
 */
public final class RecordingWebSocket implements AutoCloseable {
  public static final Duration WAIT = Duration.ofSeconds(30);

  private final WebSocket socket;
  private final ChatProtocol protocol;
  private final List<String> received = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final Object sendLock = new Object();

  private RecordingWebSocket(URI uri, Map<String, String> headers, ChatProtocol protocol) {
    this.protocol = protocol;
    WebSocket.Builder builder =
        HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
    headers.forEach(builder::header);
    socket = builder.buildAsync(uri, new Listener()).join();
  }

  /** A plain client: records frames, answers nothing. */
  public static RecordingWebSocket connect(URI uri, Map<String, String> headers) {
    return new RecordingWebSocket(uri, headers, null);
  }

  /** A client of a server that speaks {@code protocol} on {@code host:port}. */
  public static RecordingWebSocket connect(ChatProtocol protocol, String host, int port) {
    return new RecordingWebSocket(protocol.uri(host, port), protocol.handshakeHeaders(), protocol);
  }

  /** Sends one text message and waits until it is written; one send at a time (JDK rule). */
  public void send(String text) {
    send(socket, text);
  }

  private void send(WebSocket on, String text) {
    synchronized (sendLock) {
      on.sendText(text, true).join();
    }
  }

  /** Waits for the first received frame that matches, and returns it. */
  public String awaitFrame(String what, Predicate<String> matching) {
    String[] found = new String[1];
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(10))
        .alias(what + "; got " + received)
        .until(
            () -> {
              for (String frame : received) {
                if (matching.test(frame)) {
                  found[0] = frame;
                  return true;
                }
              }
              return false;
            });
    return found[0];
  }

  /** Waits for the first received frame that the protocol reads as a matching event. */
  public <T extends ChatProtocol.Incoming> T awaitIncoming(
      Class<T> type, Predicate<? super T> matching) {
    String frame =
        awaitFrame(
            "a " + type.getSimpleName() + " frame",
            f -> type.isInstance(protocol.parse(f)) && matching.test(type.cast(protocol.parse(f))));
    return type.cast(protocol.parse(frame));
  }

  public List<String> received() {
    return new ArrayList<>(received);
  }

  /** Waits until the server closes the connection and returns its close code. */
  public int awaitCloseCode() throws Exception {
    return closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
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
        String frame = partial.toString();
        partial.setLength(0);
        if (protocol != null
            && protocol.parse(frame) instanceof ChatProtocol.Incoming.Reply reply) {
          // The field socket may not be set yet: the server can speak first.
          send(webSocket, reply.frame());
        }
        received.add(frame);
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
