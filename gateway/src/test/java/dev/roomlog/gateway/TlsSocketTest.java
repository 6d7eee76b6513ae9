package dev.roomlog.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.gateway.GatewayServerTest.Inbox;
import dev.roomlog.gateway.connection.ConnectionRegistry;
import dev.roomlog.gateway.metrics.GatewayMetrics;
import dev.roomlog.gateway.settings.ApiKey;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.gateway.tls.TestCertificates;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * wss:// on a real socket: the JDK's WebSocket client over TLS, a plain client on the TLS port,
 * sockets that never finish TLS, and a certificate reloaded under open connections.
 */
class TlsSocketTest {
  private static final String KEY = "k1";

  @TempDir Path dir;

  private final RecordingWalAppender wal = new RecordingWalAppender();
  private final ConnectionRegistry registry = new ConnectionRegistry();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private GatewayServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private TestCertificates.Pair start(GatewaySettings.Builder tweaks) {
    TestCertificates.Pair pair = TestCertificates.write(dir, "server", "localhost");
    GatewaySettings settings =
        tweaks
            .bindHost("127.0.0.1")
            .port(0)
            .set(GatewaySettings.TLS_CERT_FILE, pair.certFile())
            .set(GatewaySettings.TLS_KEY_FILE, pair.keyFile())
            .build();
    server =
        new GatewayServer(
            settings, wal, registry, Clock.systemUTC(), new GatewayMetrics(meters), null);
    server.start();
    return pair;
  }

  private static GatewaySettings.Builder defaults() {
    return GatewaySettings.builder(ApiKey.unnamed(java.util.Set.of(KEY)), "gw-tls");
  }

  private WebSocket connect(SSLContext trust, Inbox inbox) {
    return HttpClient.newBuilder()
        .sslContext(trust)
        .build()
        .newWebSocketBuilder()
        .header("x-api-key", KEY)
        .buildAsync(URI.create("wss://localhost:" + server.port() + "/"), inbox)
        .orTimeout(10, TimeUnit.SECONDS)
        .join();
  }

  private double refused(String reason) {
    var counter = meters.find("roomlog.gateway.handshakes.refused").tag("reason", reason).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void aWssClientConnectsSendsAnActionAndGetsItsAnswers() throws Exception {
    TestCertificates.Pair pair = start(defaults());
    Inbox inbox = new Inbox();
    WebSocket ws = connect(pair.trustingClient(), inbox);

    JsonNode connected = inbox.next();
    assertEquals("connected", connected.get("type").asText());
    String connectionId = connected.get("connectionId").asText();

    // The gateway's own answer: an error frame for a bad action.
    ws.sendText("{\"action\":\"nope\",\"requestId\":\"r0\"}", true).join();
    JsonNode error = inbox.next();
    assertEquals("error", error.get("type").asText());
    assertEquals("r0", error.get("requestId").asText());

    // A good one goes to the log, and the processor's answer comes back over TLS.
    ws.sendText("{\"action\":\"createRoom\",\"username\":\"ann\",\"requestId\":\"r1\"}", true)
        .join();
    await().atMost(Duration.ofSeconds(10)).until(() -> wal.records().size() == 2);
    assertEquals(connectionId, wal.records().get(1).connectionId());
    registry.deliver(List.of(connectionId), "{\"type\":\"roomCreated\",\"roomId\":\"x\"}");
    assertEquals("roomCreated", inbox.next().get("type").asText());

    ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    assertEquals(WebSocket.NORMAL_CLOSURE, inbox.closed.get(10, TimeUnit.SECONDS));
    await().atMost(Duration.ofSeconds(10)).until(() -> registry.size() == 0);
  }

  @Test
  void aCloseTheServerStartsReachesTheClientOverTls() throws Exception {
    TestCertificates.Pair pair = start(defaults());
    Inbox inbox = new Inbox();
    connect(pair.trustingClient(), inbox);
    inbox.next();

    server.close();

    assertEquals(1001, inbox.closed.get(10, TimeUnit.SECONDS));
    assertEquals(0, registry.size());
  }

  /**
   * The gateway's pom makes the JDK's SSLSocket strict ({@code
   * com.sun.net.ssl.requireCloseNotify}): by default it takes a TCP end without close_notify for a
   * clean end, and this test would pass without the close_notify it is about.
   */
  @Test
  void aCloseTheServerStartsEndsWithCloseNotifyBeforeTheEndOfTheStream() throws Exception {
    // Far past the test's deadline: only the client's close frame can end the connection in time.
    TestCertificates.Pair pair = start(defaults().closeTimeout(Duration.ofMinutes(5)));
    try (RawWebSocketClient client =
        RawWebSocketClient.overTls(server.port(), pair.trustingClient())) {
      client.upgrade(KEY);
      String connectionId =
          TestPipelines.json(client.readFrame().text()).get("connectionId").asText();

      assertTrue(registry.disconnect(connectionId));

      RawWebSocketClient.Frame close = client.readFrame();
      assertEquals(RawWebSocketClient.Frame.CLOSE, close.opcode());
      assertEquals(1000, close.closeCode());
      // A strict SSLSocket fails this read (a truncation, to TLS) unless close_notify came.
      assertNull(client.readFrame(), "a clean TLS end after the close frame");
      // TLS 1.3 closes one direction at a time: the client's close frame still gets through,
      // and the server then closes the socket without waiting for closeTimeout.
      client.writeBytes(
          TestPipelines.rawFrame(
              true, 0, RawWebSocketClient.Frame.CLOSE, true, new byte[] {0x03, (byte) 0xE8}));

      // Awaited with the client's socket still open: its close frame, not its end, closed it.
      await().atMost(Duration.ofSeconds(10)).until(() -> registry.size() == 0);
    }
  }

  @Test
  void aClientThatDoesNotTrustTheCertificateCannotConnect() {
    start(defaults());
    TestCertificates.Pair stranger = TestCertificates.write(dir, "stranger", "localhost");

    CompletionException e =
        assertThrows(
            CompletionException.class, () -> connect(stranger.trustingClient(), new Inbox()));

    assertTrue(hasCause(e, SSLHandshakeException.class), e.toString());
    assertEquals(List.of(), wal.records());
    // The client hangs up in the middle of the handshake: to the server, a client gone.
    await().atMost(Duration.ofSeconds(10)).until(() -> server.pendingHandshakes().total() == 0);
  }

  @Test
  void aPlainHttpClientOnTheTlsPortIsClosedWithoutAnAnswer() throws Exception {
    start(defaults());
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      + "Sec-WebSocket-Version: 13\r\nx-api-key: k1\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));

      String answer = readToEnd(socket.getInputStream());

      assertFalse(answer.contains("HTTP/1.1"), "no plain HTTP answer on a TLS port: " + answer);
    }
    assertEquals(List.of(), wal.records());
    await().atMost(Duration.ofSeconds(10)).until(() -> refused("tlsHandshake") == 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> server.pendingHandshakes().total() == 0);
  }

  @Test
  void aSocketThatNeverFinishesTlsIsClosedAtTheHandshakeTimeout() throws Exception {
    start(defaults().handshakeTimeout(Duration.ofMillis(500)));
    try (Socket silent = new Socket("127.0.0.1", server.port());
        Socket dribbling = new Socket("127.0.0.1", server.port())) {
      silent.setSoTimeout(10_000);
      dribbling.setSoTimeout(10_000);
      // The first bytes of a TLS ClientHello record, and then nothing.
      dribbling.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02});
      long started = System.nanoTime();

      assertEquals(-1, silent.getInputStream().read(), "closed without a byte");
      readToEnd(dribbling.getInputStream());

      long tookMillis = (System.nanoTime() - started) / 1_000_000;
      assertTrue(tookMillis < 8_000, "closed within the bound, took " + tookMillis + " ms");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> refused("handshakeTimeout") == 2);
    assertEquals(0, refused("tlsHandshake"), "a timeout is counted once, as a timeout");
  }

  @Test
  void aSocketInItsTlsHandshakeHoldsAPendingHandshakeSlot() throws Exception {
    start(defaults().maxPendingHandshakes(1));
    try (Socket holder = new Socket("127.0.0.1", server.port())) {
      holder.getOutputStream().write(new byte[] {0x16, 0x03, 0x01});
      await().atMost(Duration.ofSeconds(10)).until(() -> server.pendingHandshakes().total() == 1);

      try (Socket second = new Socket("127.0.0.1", server.port())) {
        second.setSoTimeout(10_000);
        assertEquals(-1, second.getInputStream().read(), "closed at once: the cap is reached");
      }
      assertEquals(1, refused("pendingNodeFull"));
    }
  }

  @Test
  void aReloadedCertificateIsServedToNewClientsWhileOpenConnectionsStayOpen() throws Exception {
    TestCertificates.Pair live = start(defaults());
    Inbox before = new Inbox();
    WebSocket open = connect(live.trustingClient(), before);
    String connectionId = before.next().get("connectionId").asText();

    TestCertificates.Pair next = TestCertificates.write(dir, "next", "localhost");
    TestCertificates.renameOver(next, live);
    assertTrue(server.tlsWatcher().reloadIfChanged());

    assertEquals(
        next.certificate(),
        TestCertificates.servedCertificate(server.port(), next.trustingClient()));
    Inbox after = new Inbox();
    connect(next.trustingClient(), after);
    assertEquals("connected", after.next().get("type").asText());
    // The connection made before the reload still works, both ways.
    open.sendText("{\"action\":\"nope\",\"requestId\":\"still\"}", true).join();
    assertEquals("still", before.next().get("requestId").asText());
    registry.deliver(List.of(connectionId), "{\"type\":\"roomCreated\",\"roomId\":\"y\"}");
    assertEquals("roomCreated", before.next().get("type").asText());
    assertFalse(before.closed.isDone());
    assertEquals(2, registry.size());
  }

  @Test
  void aBadPairOnReloadKeepsServingThePreviousCertificate() throws Exception {
    TestCertificates.Pair live = start(defaults());
    TestCertificates.Pair other = TestCertificates.write(dir, "other", "localhost");
    // Only the key is replaced, by one that does not match the certificate in place.
    java.nio.file.Files.move(
        other.keyFile(),
        live.keyFile(),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);

    assertFalse(server.tlsWatcher().reloadIfChanged());

    assertEquals(
        live.certificate(),
        TestCertificates.servedCertificate(server.port(), live.trustingClient()));
  }

  @Test
  void aKeyThatDoesNotMatchTheCertificateFailsStartNamingTheSettings() {
    TestCertificates.Pair a = TestCertificates.write(dir, "a", "localhost");
    TestCertificates.Pair b = TestCertificates.write(dir, "b", "localhost");
    GatewaySettings settings =
        defaults()
            .bindHost("127.0.0.1")
            .port(0)
            .set(GatewaySettings.TLS_CERT_FILE, a.certFile())
            .set(GatewaySettings.TLS_KEY_FILE, b.keyFile())
            .build();
    GatewayServer bad = new GatewayServer(settings, wal, registry, Clock.systemUTC());

    IllegalStateException e = assertThrows(IllegalStateException.class, bad::start);

    assertTrue(e.getMessage().startsWith(GatewaySettings.TLS_CERT_FILE), e.getMessage());
    assertTrue(e.getMessage().contains("does not belong"), e.getMessage());
  }

  private static String readToEnd(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
