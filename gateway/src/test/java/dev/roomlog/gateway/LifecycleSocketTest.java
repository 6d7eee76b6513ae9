package dev.roomlog.gateway;

import static dev.roomlog.gateway.TestPipelines.KEY;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.gateway.RawWebSocketClient.Frame;
import dev.roomlog.gateway.connection.ConnectionRegistry;
import dev.roomlog.gateway.settings.GatewaySettings;
import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Timeouts, pings and slow readers on a real socket: what a client sees on the wire, and that the
 * server really closes the connection.
 */
class LifecycleSocketTest {
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  private final RecordingWalAppender wal = new RecordingWalAppender();
  private final ConnectionRegistry registry = new ConnectionRegistry();
  private final HttpClient http = HttpClient.newHttpClient();
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

  /** A JDK WebSocket client: answers pings by itself, as browsers do. */
  static final class JdkClient implements WebSocket.Listener {
    final LinkedBlockingQueue<String> texts = new LinkedBlockingQueue<>();
    final AtomicInteger pings = new AtomicInteger();
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
    public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
      pings.incrementAndGet();
      // The JDK client sends the pong itself; this only asks for the next message.
      ws.request(1);
      return null;
    }

    JsonNode next() throws InterruptedException {
      String text = texts.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
      assertNotNull(text, "no frame within " + DEADLINE);
      return TestPipelines.json(text);
    }
  }

  private String connectJdkClient(JdkClient listener) throws InterruptedException {
    http.newWebSocketBuilder()
        .header("x-api-key", KEY)
        .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/"), listener)
        .orTimeout(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
        .join();
    return listener.next().get("connectionId").asText();
  }

  /** The JDK client still gets what is delivered to it. */
  private void assertStillServed(String connectionId, JdkClient listener) throws Exception {
    registry.deliver(List.of(connectionId), "{\"type\":\"probe\"}");
    assertEquals("probe", listener.next().get("type").asText());
  }

  private String connectRaw(RawWebSocketClient raw) throws IOException {
    raw.upgrade(KEY);
    Frame connected = raw.readFrame();
    assertEquals(Frame.TEXT, connected.opcode());
    return TestPipelines.json(connected.text()).get("connectionId").asText();
  }

  @Test
  void halfARequestLineAndThenNothingGets408AndIsClosedButACompletedHandshakeIsNot()
      throws Exception {
    start(TestPipelines.settings().handshakeTimeout(Duration.ofMillis(300)));
    JdkClient prompt = new JdkClient();
    String promptId = connectJdkClient(prompt);

    long started = System.nanoTime();
    try (RawWebSocketClient slowloris = new RawWebSocketClient(server.port(), 0)) {
      slowloris.write("GET / HT");

      String response = slowloris.readUntilClosed();

      assertTrue(response.startsWith("HTTP/1.1 408 Request Timeout\r\n"), response);
      assertTrue(response.contains("within 300ms"), response);
    }
    assertTrue(
        System.nanoTime() - started >= Duration.ofMillis(300).toNanos(), "not before the timeout");
    // The prompt client connected before the slowloris, so more than 300 ms have passed for it
    // too: its timer was cancelled by the upgrade.
    assertStillServed(promptId, prompt);
    assertEquals(1, registry.size());
  }

  @Test
  void peerThatIgnoresPingsIsClosedWith1001WhileOneThatAnswersStaysOpen() throws Exception {
    start(
        TestPipelines.settings()
            .pingInterval(Duration.ofMillis(200))
            .pongTimeout(Duration.ofMillis(500)));
    JdkClient answering = new JdkClient();
    String answeringId = connectJdkClient(answering);

    try (RawWebSocketClient deaf = new RawWebSocketClient(server.port(), 0)) {
      connectRaw(deaf);

      assertEquals(Frame.PING, deaf.readFrame().opcode());
      Frame close = deaf.readFrame();
      assertEquals(Frame.CLOSE, close.opcode());
      assertEquals(1001, close.closeCode());
      assertEquals("no pong within 500ms: connection presumed dead", close.closeReason());
      assertNull(deaf.readFrame(), "the server ended its output after the close frame");
    }

    assertTrue(answering.pings.get() >= 1, "pinged too, and answered");
    assertStillServed(answeringId, answering);
    await().atMost(DEADLINE).until(() -> registry.size() == 1);
  }

  @Test
  void clientThatNeverReadsItsDeliveriesIsCutOffWith1013AndItsSocketClosed() throws Exception {
    start(TestPipelines.settings().maxOutboundBytesPerConnection(64 * 1024));
    try (RawWebSocketClient stalled = new RawWebSocketClient(server.port(), 8 * 1024)) {
      String id = connectRaw(stalled);
      String frame = "{\"type\":\"filler\",\"text\":\"" + "x".repeat(8 * 1024) + "\"}";

      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (registry.slowClientsCut() == 0 && System.nanoTime() < deadline) {
        registry.deliver(List.of(id), frame);
      }

      assertEquals(1, registry.slowClientsCut());
      await().atMost(DEADLINE).until(() -> registry.size() == 0);
      // What reached the kernel before the cut is still readable; then the socket ends, possibly
      // in the middle of a frame (at closeTimeout the server stops waiting for a stalled reader
      // to drain). The close frame is there too unless it was stuck behind the backlog then.
      Frame last = null;
      try {
        for (Frame f; (f = stalled.readFrame()) != null; ) {
          last = f;
        }
      } catch (EOFException truncated) {
        last = null;
      }
      if (last != null && last.opcode() == Frame.CLOSE) {
        assertEquals(1013, last.closeCode());
      }
    }
  }

  @Test
  void clientCutOffForReadingTooSlowlyFindsThe1013CloseAfterItsBacklog() throws Exception {
    start(TestPipelines.settings().maxOutboundBytesPerConnection(64 * 1024));
    try (RawWebSocketClient behind = new RawWebSocketClient(server.port(), 8 * 1024)) {
      String id = connectRaw(behind);
      String frame = "{\"type\":\"filler\",\"text\":\"" + "x".repeat(8 * 1024) + "\"}";
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (registry.slowClientsCut() == 0 && System.nanoTime() < deadline) {
        registry.deliver(List.of(id), frame);
      }
      assertEquals(1, registry.slowClientsCut());

      // It reads again, within closeTimeout: every frame queued before the cut, then the close.
      int fillers = 0;
      Frame f;
      while ((f = behind.readFrame()) != null && f.opcode() == Frame.TEXT) {
        assertEquals(frame, f.text(), "whole frames, in order");
        fillers++;
      }
      assertTrue(fillers > 0, "the backlog came first");
      assertEquals(
          Frame.CLOSE,
          f == null ? -1 : f.opcode(),
          "the close frame, not just the end of the socket");
      assertEquals(1013, f.closeCode());
      assertEquals(ConnectionRegistry.SLOW_CLIENT_REASON, f.closeReason());
      assertNull(behind.readFrame(), "then the server closed the socket");
    }
    await().atMost(DEADLINE).until(() -> registry.size() == 0);
  }

  @Test
  void clientThatReadsSlowlyButKeepsUpStaysOpen() throws Exception {
    int highWaterMark = 64 * 1024;
    start(TestPipelines.settings().maxOutboundBytesPerConnection(highWaterMark));
    try (RawWebSocketClient slow = new RawWebSocketClient(server.port(), 8 * 1024)) {
      String id = connectRaw(slow);
      String frame = "{\"type\":\"filler\",\"text\":\"" + "x".repeat(8 * 1024) + "\"}";

      // 8 x the high-water mark in all, never more than a quarter of it unread.
      for (int batch = 0; batch < 32; batch++) {
        registry.deliver(List.of(id), frame);
        registry.deliver(List.of(id), frame);
        assertEquals(frame, slow.readFrame().text());
        assertEquals(frame, slow.readFrame().text());
      }

      assertEquals(0, registry.slowClientsCut());
      assertEquals(1, registry.size());
    }
  }

  @Test
  void clientThatFloodsPingsAndNeverReadsThePongsIsCutOffWith1013() throws Exception {
    // The ping rate limit is lifted, so that only the unread pongs can stop this client.
    start(
        TestPipelines.settings()
            .maxOutboundBytesPerConnection(64 * 1024)
            .maxPingsPerSecond(1_000_000_000));
    RawWebSocketClient flooder = new RawWebSocketClient(server.port(), 4 * 1024);
    Thread writer = null;
    try {
      connectRaw(flooder);
      byte[] ping = TestPipelines.rawFrame(true, 0, Frame.PING, true, new byte[125]);
      byte[] batch = new byte[ping.length * 1_000];
      for (int i = 0; i < 1_000; i++) {
        System.arraycopy(ping, 0, batch, i * ping.length, ping.length);
      }
      writer =
          new Thread(
              () -> {
                try {
                  // 131 MB of pings unless the server cuts it off first (then the write fails).
                  for (int i = 0; i < 1_000 && registry.slowClientsCut() == 0; i++) {
                    flooder.writeBytes(batch);
                  }
                } catch (IOException closedByTheServer) {
                  // expected
                }
              },
              "ping-flooder");
      writer.start();

      // Longer than DEADLINE: the kernel's socket buffers fill up first (megabytes of pongs),
      // with every buffer tracked by the paranoid leak detector.
      Duration floodDeadline = Duration.ofSeconds(30);
      await().atMost(floodDeadline).until(() -> registry.slowClientsCut() == 1);
      await().atMost(DEADLINE).until(() -> registry.size() == 0);
    } finally {
      // Also ends a write the flooder is blocked in.
      flooder.close();
      if (writer != null) {
        writer.join(DEADLINE.toMillis());
      }
    }
  }
}
