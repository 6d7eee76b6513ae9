package dev.roomlog.gateway.connection;

import static dev.roomlog.gateway.TestPipelines.KEY;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.GatewayServer;
import dev.roomlog.gateway.RawWebSocketClient;
import dev.roomlog.gateway.RawWebSocketClient.Frame;
import dev.roomlog.gateway.RecordingWalAppender;
import dev.roomlog.gateway.TestPipelines;
import dev.roomlog.gateway.settings.GatewaySettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Lingering close on a real socket: after the server's close frame it reads (and ignores) what the
 * client still sends until the client's close frame, so the close frame and everything before it
 * reach the client instead of being lost to a connection reset.
 */
class LingeringCloseSocketTest {
  private static final Duration DEADLINE = Duration.ofSeconds(10);
  private static final int RUNS = 20;
  private static final int BURST = 5;
  private static final int FLOOD_TOLERANCE = 10;

  private final HttpClient http = HttpClient.newHttpClient();
  private final RecordingWalAppender wal = new RecordingWalAppender();
  private final ConnectionRegistry registry = new ConnectionRegistry();
  private GatewayServer server;

  private void start(GatewaySettings.Builder settings) {
    server =
        new GatewayServer(
            settings.bindHost("127.0.0.1").port(0).build(), wal, registry, Clock.systemUTC());
    server.start();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** What a flooding client read, up to the end of the socket. */
  record Outcome(int rateLimited, int closeCode, String failure) {
    boolean complete() {
      return failure == null && closeCode == 1008 && rateLimited >= FLOOD_TOLERANCE;
    }
  }

  @Test
  void aClientThatSends300MessagesAtOnceReadsIts429sAndItsCloseFrame1008InEveryRun()
      throws Exception {
    assertEveryFloodRunSeesItsClose(300);
  }

  @Test
  void aClientThatSends3000MessagesAtOnceReadsIts429sAndItsCloseFrame1008InEveryRun()
      throws Exception {
    assertEveryFloodRunSeesItsClose(3000);
  }

  @Test
  void aJdkClientThatSends300MessagesAtOnceReadsIts429sAndItsCloseFrame1008InEveryRun()
      throws Exception {
    startFloodServer();
    List<Outcome> outcomes = new ArrayList<>();
    for (int run = 0; run < RUNS; run++) {
      outcomes.add(floodWithJdkClient(300));
    }
    System.out.println("LingeringCloseSocketTest JDK client, 300 messages: " + outcomes);
    List<Outcome> incomplete = outcomes.stream().filter(o -> !o.complete()).toList();
    assertEquals(List.of(), incomplete, "runs that lost their 429s or their close frame");
    await().atMost(DEADLINE).until(() -> registry.size() == 0);
  }

  private void startFloodServer() {
    // A rate of 1/s: the burst is sent in far less than a second, so no token comes back during
    // it and the server answers FLOOD_TOLERANCE messages with 429 before it closes. The close
    // timeout is far beyond the test's deadline: a socket closed in time was closed by the
    // client's answer.
    start(
        TestPipelines.settings()
            .connectionRate(1, BURST)
            .floodTolerance(FLOOD_TOLERANCE)
            .maxInFlightActionsPerConnection(BURST)
            .closeTimeout(Duration.ofMinutes(1)));
  }

  /** A JDK WebSocket client: what it reports is what an application built on it would see. */
  static final class JdkFlooder implements WebSocket.Listener {
    final AtomicInteger rateLimited = new AtomicInteger();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        if ("rateLimited".equals(TestPipelines.json(partial.toString()).path("code").asText())) {
          rateLimited.incrementAndGet();
        }
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

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.completeExceptionally(error);
    }
  }

  private Outcome floodWithJdkClient(int messages) throws Exception {
    JdkFlooder listener = new JdkFlooder();
    WebSocket ws =
        http.newWebSocketBuilder()
            .header("x-api-key", KEY)
            .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/"), listener)
            .get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    try {
      for (int i = 0; i < messages && !listener.closed.isDone(); i++) {
        ws.sendText(action(i), true).get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (ExecutionException refused) {
      // The output is closed once the close frame came in, or broken by a reset; the outcome
      // below says which.
    }
    try {
      int code = listener.closed.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
      return new Outcome(listener.rateLimited.get(), code, null);
    } catch (ExecutionException e) {
      return new Outcome(listener.rateLimited.get(), -1, e.getCause().toString());
    } finally {
      ws.abort();
    }
  }

  private static String action(int i) {
    return "{\"action\":\"sendMessage\",\"roomId\":\"lobby\",\"text\":\"flood "
        + i
        + "\",\"requestId\":\"f-"
        + i
        + "\"}";
  }

  private void assertEveryFloodRunSeesItsClose(int messages) throws Exception {
    startFloodServer();
    List<Outcome> outcomes = new ArrayList<>();
    for (int run = 0; run < RUNS; run++) {
      outcomes.add(flood(messages));
    }
    System.out.println("LingeringCloseSocketTest " + messages + " messages: " + outcomes);
    List<Outcome> incomplete = outcomes.stream().filter(o -> !o.complete()).toList();
    assertEquals(List.of(), incomplete, "runs that lost their 429s or their close frame");
    await().atMost(DEADLINE).until(() -> registry.size() == 0);
  }

  /** Short enough for a test to wait for, long enough for a client on loopback to read. */
  private static final Duration SHORT_CLOSE_TIMEOUT = Duration.ofSeconds(2);

  /** Longer than any wait of these tests: a socket closed in time was not closed by it. */
  private static final Duration LONG_CLOSE_TIMEOUT = Duration.ofMinutes(1);

  private static String connect(RawWebSocketClient client) throws IOException {
    client.upgrade(KEY);
    Frame connected = client.readFrame();
    assertEquals(Frame.TEXT, connected.opcode(), "the connected frame");
    return TestPipelines.json(connected.text()).get("connectionId").asText();
  }

  /** The server's close frame must come next, then the end of the stream (its half-close). */
  private static void expectCloseFrameAndEnd(RawWebSocketClient client, int code)
      throws IOException {
    Frame close = client.readFrame();
    assertEquals(Frame.CLOSE, close == null ? -1 : close.opcode(), "a close frame");
    assertEquals(code, close.closeCode());
    assertNull(client.readFrame(), "the server ends its output after the close frame");
  }

  /** The connection closes at closeTimeout after {@code startedNanos}, not before. */
  private void assertClosedByTheDeadline(long startedNanos) {
    await().atMost(DEADLINE).until(() -> registry.size() == 0);
    long elapsed = System.nanoTime() - startedNanos;
    assertTrue(
        elapsed >= SHORT_CLOSE_TIMEOUT.toNanos(),
        "closed after " + elapsed / 1_000_000 + " ms, before closeTimeout");
  }

  @Test
  void aFrameOverTheLimitGetsItsClose1009AndASilentClientIsClosedAtCloseTimeout() throws Exception {
    start(TestPipelines.settings().closeTimeout(SHORT_CLOSE_TIMEOUT));
    try (RawWebSocketClient client = new RawWebSocketClient(server.port(), 0)) {
      connect(client);
      long started = System.nanoTime();

      client.writeBytes(textFrame("x".repeat(GatewaySettings.DEFAULT_MAX_FRAME_PAYLOAD_BYTES + 1)));

      expectCloseFrameAndEnd(client, 1009);
      // The client never answers and keeps its socket open.
      assertClosedByTheDeadline(started);
    }
  }

  @Test
  void aClientCutOffFor1013ThatReadsItsBacklogFindsTheCloseFrameAndIsClosedAtCloseTimeout()
      throws Exception {
    start(
        TestPipelines.settings()
            .maxOutboundBytesPerConnection(64 * 1024)
            .closeTimeout(SHORT_CLOSE_TIMEOUT));
    try (RawWebSocketClient behind = new RawWebSocketClient(server.port(), 8 * 1024)) {
      String id = connect(behind);
      String frame = "{\"type\":\"filler\",\"text\":\"" + "x".repeat(8 * 1024) + "\"}";
      long started = System.nanoTime();
      while (registry.slowClientsCut() == 0 && System.nanoTime() - started < DEADLINE.toNanos()) {
        registry.deliver(List.of(id), frame);
      }
      assertEquals(1, registry.slowClientsCut());

      Frame f;
      while ((f = behind.readFrame()) != null && f.opcode() == Frame.TEXT) {
        assertEquals(frame, f.text(), "the backlog, whole frames in order");
      }
      assertEquals(Frame.CLOSE, f == null ? -1 : f.opcode(), "the close frame after the backlog");
      assertEquals(1013, f.closeCode());
      assertNull(behind.readFrame(), "the server ends its output after the close frame");
      assertClosedByTheDeadline(started);
    }
  }

  @Test
  void atShutdownAClientGetsItsClose1001AndASilentOneIsClosedAtCloseTimeout() throws Exception {
    start(TestPipelines.settings().closeTimeout(SHORT_CLOSE_TIMEOUT));
    try (RawWebSocketClient client = new RawWebSocketClient(server.port(), 0)) {
      connect(client);
      long started = System.nanoTime();

      CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::close);

      expectCloseFrameAndEnd(client, 1001);
      stopping.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
      assertClosedByTheDeadline(started);
    }
  }

  @Test
  void atShutdownAClientThatAnswersItsClose1001IsClosedAtOnce() throws Exception {
    start(TestPipelines.settings().closeTimeout(LONG_CLOSE_TIMEOUT));
    try (RawWebSocketClient client = new RawWebSocketClient(server.port(), 0)) {
      connect(client);

      CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::close);

      expectCloseFrameAndEnd(client, 1001);
      client.writeBytes(closeFrame(1001));
      // Well within closeTimeout: the answer closed the socket, and the server stopped.
      stopping.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
      assertEquals(0, registry.size());
    }
  }

  @Test
  void aConnectionClosedThroughTheManagementApiGets1000AndClosesOnTheClientsAnswer()
      throws Exception {
    start(TestPipelines.settings().closeTimeout(LONG_CLOSE_TIMEOUT));
    try (RawWebSocketClient client = new RawWebSocketClient(server.port(), 0)) {
      String id = connect(client);

      assertTrue(registry.disconnect(id));

      expectCloseFrameAndEnd(client, 1000);
      client.writeBytes(closeFrame(1000));
      await().atMost(DEADLINE).until(() -> registry.size() == 0);
    }
  }

  @Test
  void framesForAConnectionThatLingersAreDroppedAndItIsNotCountedAsASlowReader() throws Exception {
    start(TestPipelines.settings().closeTimeout(LONG_CLOSE_TIMEOUT));
    try (RawWebSocketClient client = new RawWebSocketClient(server.port(), 0)) {
      String id = connect(client);
      assertTrue(registry.disconnect(id));
      expectCloseFrameAndEnd(client, 1000);

      // Its output is shut down now, so the channel reports itself unwritable: room traffic
      // for it must not look like a client that does not read (a false 1013 and its metric).
      await().atMost(DEADLINE).until(() -> !registry.send(id, "{\"type\":\"notice\"}"));
      for (int i = 0; i < 20; i++) {
        registry.deliver(List.of(id), "{\"type\":\"message\",\"n\":" + i + "}");
      }

      assertEquals(0, registry.slowClientsCut());
      client.writeBytes(closeFrame(1000));
      await().atMost(DEADLINE).until(() -> registry.size() == 0);
      assertEquals(0, registry.slowClientsCut());
    }
  }

  @Test
  void aClientCloseCodeOf5000IsAnsweredWith1002AndTheSocketClosedAtOnce() throws Exception {
    start(TestPipelines.settings().closeTimeout(LONG_CLOSE_TIMEOUT));
    try (RawWebSocketClient client = new RawWebSocketClient(server.port(), 0)) {
      connect(client);

      client.writeBytes(closeFrame(5000));

      expectCloseFrameAndEnd(client, 1002);
      // The client has closed already: nothing to wait for.
      await().atMost(DEADLINE).until(() -> registry.size() == 0);
    }
  }

  /**
   * A client that writes its whole burst before it reads, one frame per write (as a WebSocket
   * library sends each message), and gives up on a failed write as such libraries do (the JDK's,
   * Python's websockets: the connection is lost, 1006). Then it reads up to the server's close
   * frame, answers it, and reads to the end of the socket.
   */
  private Outcome flood(int messages) throws Exception {
    try (RawWebSocketClient client = new RawWebSocketClient(server.port(), 0)) {
      client.upgrade(KEY);
      assertEquals(Frame.TEXT, client.readFrame().opcode(), "the connected frame");
      for (int i = 0; i < messages; i++) {
        try {
          client.writeBytes(textFrame(action(i)));
        } catch (IOException e) {
          return new Outcome(0, -1, "writing message " + i + ": " + e);
        }
      }
      int rateLimited = 0;
      try {
        for (Frame frame; (frame = client.readFrame()) != null; ) {
          if (frame.opcode() == Frame.TEXT) {
            if ("rateLimited".equals(TestPipelines.json(frame.text()).path("code").asText())) {
              rateLimited++;
            }
          } else if (frame.opcode() == Frame.CLOSE) {
            return answerClose(client, rateLimited, frame.closeCode());
          }
        }
        return new Outcome(rateLimited, -1, "the socket ended without a close frame");
      } catch (IOException e) {
        return new Outcome(rateLimited, -1, "reading: " + e);
      }
    }
  }

  /** Answers the server's close frame; the server must then end the socket and close it. */
  private Outcome answerClose(RawWebSocketClient client, int rateLimited, int code) {
    try {
      client.writeBytes(closeFrame(code));
    } catch (IOException e) {
      return new Outcome(rateLimited, code, "answering the close frame: " + e);
    }
    try {
      Frame after = client.readFrame();
      if (after != null) {
        return new Outcome(rateLimited, code, "a frame after the close frame");
      }
    } catch (IOException e) {
      return new Outcome(rateLimited, code, "reading the end of the socket: " + e);
    }
    await().atMost(DEADLINE).until(() -> registry.size() == 0);
    return new Outcome(rateLimited, code, null);
  }

  private static byte[] textFrame(String text) {
    return TestPipelines.rawFrame(true, 0, Frame.TEXT, true, text.getBytes(StandardCharsets.UTF_8));
  }

  /** A client's (masked) close frame with this code. */
  static byte[] closeFrame(int code) {
    return TestPipelines.rawFrame(
        true, 0, Frame.CLOSE, true, new byte[] {(byte) (code >> 8), (byte) code});
  }
}
