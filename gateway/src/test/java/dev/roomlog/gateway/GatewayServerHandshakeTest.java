package dev.roomlog.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.connection.ConnectionRegistry;
import dev.roomlog.gateway.handshake.HandshakePolicy;
import dev.roomlog.gateway.metrics.GatewayMetrics;
import dev.roomlog.gateway.settings.ApiKey;
import dev.roomlog.gateway.settings.GatewaySettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Handshake checks on a real socket: raw HTTP bytes, IP rules reloads, connection capacity. */
class GatewayServerHandshakeTest {
  private static final String KEY = "k1";

  @TempDir Path dir;
  private final RecordingWalAppender wal = new RecordingWalAppender();
  private final ConnectionRegistry registry = new ConnectionRegistry();
  private final HttpClient http = HttpClient.newHttpClient();
  private GatewayServer server;

  private GatewaySettings.Builder settings() {
    return GatewaySettings.builder(List.of(new ApiKey("web", KEY)), "gw-handshake")
        .bindHost("127.0.0.1")
        .port(0)
        // Reloads are triggered by hand in these tests.
        .ipRulesReloadInterval(Duration.ofHours(1));
  }

  private void start(GatewaySettings settings) {
    server = new GatewayServer(settings, wal, registry, Clock.systemUTC());
    server.start();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private WebSocket connect(GatewayServerTest.Inbox inbox) {
    return http.newWebSocketBuilder()
        .header("x-api-key", KEY)
        .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/"), inbox)
        .orTimeout(10, TimeUnit.SECONDS)
        .join();
  }

  /**
   * The connection still works both ways: a frame delivered to it arrives, and an action it sends
   * reaches the log. A close already on its way (sent before this is called) would arrive instead
   * of the probe, and the action would be refused.
   */
  private void assertStillServed(WebSocket ws, GatewayServerTest.Inbox inbox, String connectionId)
      throws Exception {
    assertEquals(1, registry.size());
    registry.deliver(List.of(connectionId), "{\"type\":\"probe\"}");
    assertEquals("probe", inbox.next().get("type").asText());

    ws.sendText("{\"action\":\"leaveRoom\",\"roomId\":\"lobby\",\"requestId\":\"still\"}", true)
        .get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> hasAction("still"));
    assertFalse(inbox.closed.isDone());
  }

  private boolean hasAction(String requestId) {
    return wal.records().stream().anyMatch(r -> requestId.equals(r.action().requestId()));
  }

  private HttpResponse<?> refusedHandshake() {
    CompletionException e =
        assertThrows(CompletionException.class, () -> connect(new GatewayServerTest.Inbox()));
    return assertInstanceOf(WebSocketHandshakeException.class, e.getCause()).getResponse();
  }

  /** Writes raw bytes and reads until the server closes (or 10 s pass, which fails the test). */
  private String rawExchange(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      byte[] chunk = new byte[4096];
      for (int n; (n = in.read(chunk)) != -1; ) {
        response.write(chunk, 0, n);
      }
      return response.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private static List<String> headerLines(String... extraHeaders) {
    List<String> lines =
        new java.util.ArrayList<>(
            List.of(
                "Host: 127.0.0.1",
                "Upgrade: websocket",
                "Connection: Upgrade",
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                "Sec-WebSocket-Version: 13",
                "x-api-key: " + KEY));
    lines.addAll(List.of(extraHeaders));
    return lines;
  }

  private static String head(List<String> headerLines) {
    return "GET / HTTP/1.1\r\n" + String.join("\r\n", headerLines) + "\r\n\r\n";
  }

  private static String upgradeHead(String... extraHeaders) {
    return head(headerLines(extraHeaders));
  }

  /** Header lines whose bytes (without CRLFs) add up to exactly {@code size}. */
  private static List<String> headersOfSize(int size) {
    List<String> lines = headerLines();
    int used = lines.stream().mapToInt(String::length).sum();
    String padding = "X-Padding: ";
    lines.add(padding + "p".repeat(size - used - padding.length()));
    return lines;
  }

  @Test
  void smuggledRequestWithContentLengthAndTransferEncodingGets400AndTheSocketIsClosed()
      throws Exception {
    start(settings().build());
    String smuggled = upgradeHead();
    String request =
        upgradeHead("Content-Length: " + (smuggled.length() + 5), "Transfer-Encoding: chunked")
            + "0\r\n\r\n"
            + smuggled;

    String response = rawExchange(request);

    assertTrue(response.startsWith("HTTP/1.1 400 "), response);
    assertEquals(
        1, response.split("HTTP/1.1 ", -1).length - 1, "exactly one response: " + response);
    assertEquals(List.of(), wal.records());
    assertEquals(0, registry.size());
  }

  @Test
  void headersAtTheLimitUpgradeAndOneByteMoreGets431OnARealSocket() throws Exception {
    start(settings().build());
    int limit = GatewayInitializer.MAX_HEADER_BYTES;

    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(head(headersOfSize(limit)).getBytes(StandardCharsets.ISO_8859_1));
      byte[] status = socket.getInputStream().readNBytes("HTTP/1.1 101".length());
      assertEquals("HTTP/1.1 101", new String(status, StandardCharsets.ISO_8859_1));
    }
    String response = rawExchange(head(headersOfSize(limit + 1)));

    assertTrue(response.startsWith("HTTP/1.1 431 "), response);
    await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionLimiter().total() == 0);
    assertEquals(
        List.of(),
        wal.records(),
        "the admitted connection sent nothing and the refused one got no further: nothing logged");
  }

  @Test
  void reloadedRulesCloseRefusedConnectionsWith1008AndRefuseNewOnes() throws Exception {
    Path rules = dir.resolve("ip-rules");
    Files.writeString(rules, "allow 127.0.0.0/8\n");
    start(settings().ipRulesFile(rules).build());
    GatewayServerTest.Inbox inbox = new GatewayServerTest.Inbox();
    connect(inbox);
    assertEquals("connected", inbox.next().get("type").asText());

    Files.writeString(rules, "allow 127.0.0.0/8\nblock 127.0.0.1\n");
    Files.setLastModifiedTime(rules, FileTime.fromMillis(System.currentTimeMillis() + 2_000));
    assertTrue(server.ipRulesWatcher().reloadIfChanged());

    assertEquals(1008, inbox.closed.get(10, TimeUnit.SECONDS));
    await().atMost(Duration.ofSeconds(10)).until(() -> registry.size() == 0);
    int logged = wal.records().size();
    assertEquals(403, refusedHandshake().statusCode());
    assertEquals(logged, wal.records().size(), "the refused handshake wrote nothing");
  }

  @Test
  void metricsFollowTheIpRulesWhileTheHealthChecksAreAnsweredToAnyone() throws Exception {
    Path rules = dir.resolve("ip-rules");
    Files.writeString(rules, "block 127.0.0.1\n");
    server =
        new GatewayServer(
            settings().ipRulesFile(rules).build(),
            wal,
            registry,
            Clock.systemUTC(),
            new GatewayMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()),
            () -> "roomlog_test 1\n");
    server.start();
    String base = "http://127.0.0.1:" + server.port();

    HttpResponse<String> metrics =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/metrics")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> ready =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/readyz")).GET().build(),
            HttpResponse.BodyHandlers.ofString());

    assertEquals(403, metrics.statusCode(), "a blocked address reads no meters: " + metrics.body());
    assertEquals(200, ready.statusCode(), "a balancer's check gets through whatever the rules say");

    Files.writeString(rules, "allow 127.0.0.0/8\n");
    Files.setLastModifiedTime(rules, FileTime.fromMillis(System.currentTimeMillis() + 2_000));
    assertTrue(server.ipRulesWatcher().reloadIfChanged());
    HttpResponse<String> allowed =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/metrics")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, allowed.statusCode());
    assertEquals("roomlog_test 1\n", allowed.body());
  }

  @Test
  void badRulesFileOnReloadKeepsThePreviousRulesAndTheConnections() throws Exception {
    Path rules = dir.resolve("ip-rules");
    Files.writeString(rules, "block 192.0.2.0/24\n");
    start(settings().ipRulesFile(rules).build());
    GatewayServerTest.Inbox inbox = new GatewayServerTest.Inbox();
    WebSocket ws = connect(inbox);
    String connectionId = inbox.next().get("connectionId").asText();

    Files.writeString(rules, "block 127.0.0.1/33\n");
    Files.setLastModifiedTime(rules, FileTime.fromMillis(System.currentTimeMillis() + 2_000));
    assertFalse(server.ipRulesWatcher().reloadIfChanged());

    assertStillServed(ws, inbox, connectionId);
    GatewayServerTest.Inbox second = new GatewayServerTest.Inbox();
    connect(second);
    assertEquals("connected", second.next().get("type").asText());
  }

  @Test
  void badRulesFileFailsStartUpNamingTheSettingAndLine() throws Exception {
    Path rules = dir.resolve("ip-rules");
    Files.writeString(rules, "allow 10.0.0.0/8\nallow 10.0.0.0/99\n");
    GatewayServer bad =
        new GatewayServer(settings().ipRulesFile(rules).build(), wal, registry, Clock.systemUTC());

    IllegalStateException e = assertThrows(IllegalStateException.class, bad::start);

    assertTrue(e.getMessage().startsWith(GatewaySettings.IP_RULES_FILE + ": "), e.getMessage());
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
  }

  @Test
  void pastMaxConnectionsTheHandshakeGets503WithRetryAfterUntilASlotFreesUp() throws Exception {
    start(settings().maxConnections(1).retryAfterSeconds(9).build());
    GatewayServerTest.Inbox first = new GatewayServerTest.Inbox();
    WebSocket ws = connect(first);
    first.next();

    HttpResponse<?> refused = refusedHandshake();
    assertEquals(503, refused.statusCode());
    assertEquals(List.of("9"), refused.headers().allValues("retry-after"));
    assertEquals(List.of(), wal.records(), "the refused handshake wrote nothing");

    ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionLimiter().total() == 0);
    GatewayServerTest.Inbox again = new GatewayServerTest.Inbox();
    connect(again);
    assertEquals("connected", again.next().get("type").asText());
  }

  @Test
  void hixie75HandshakeGets426AndItsUnmaskedFramesNeverReachTheLog() throws Exception {
    start(settings().build());
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n"
                  + "Origin: http://evil.example\r\nx-api-key: "
                  + KEY
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      // A Hixie text frame right behind it: 0x00, UTF-8, 0xFF, unmasked.
      out.write(0x00);
      out.write(
          "{\"action\":\"createRoom\",\"username\":\"u\",\"requestId\":\"r1\"}"
              .getBytes(StandardCharsets.UTF_8));
      out.write(0xFF);
      out.flush();

      String response =
          new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

      assertTrue(response.startsWith("HTTP/1.1 426 "), response);
      assertTrue(response.contains("\r\nsec-websocket-version: 13\r\n"), response);
    }
    assertEquals(List.of(), wal.records());
    assertEquals(0, registry.size());
  }

  @Test
  void version8HandshakeGets426WithVersion13AndNothingIsLogged() throws Exception {
    start(settings().build());
    List<String> lines = headerLines();
    lines.set(4, "Sec-WebSocket-Version: 8");

    String response = rawExchange(head(lines));

    assertTrue(response.startsWith("HTTP/1.1 426 "), response);
    assertTrue(response.contains("\r\nsec-websocket-version: 13\r\n"), response);
    assertEquals(List.of(), wal.records());
  }

  @Test
  void whileTheLogIsBehindHandshakesGet503WithRetryAfter() throws Exception {
    start(settings().retryAfterSeconds(6).build());
    wal.setAcceptingConnections(false);

    HttpResponse<?> refused = refusedHandshake();

    assertEquals(503, refused.statusCode());
    assertEquals(List.of("6"), refused.headers().allValues("retry-after"));
    assertEquals(List.of(), wal.records());
    wal.setAcceptingConnections(true);
    GatewayServerTest.Inbox inbox = new GatewayServerTest.Inbox();
    connect(inbox);
    assertEquals("connected", inbox.next().get("type").asText());
  }

  @Test
  void readyzAnswers200WithoutAKeyAnd503WhileTheLogIsBehindWhileHealthzStays200() throws Exception {
    start(settings().retryAfterSeconds(4).build());
    URI ready = URI.create("http://127.0.0.1:" + server.port() + "/readyz");
    URI health = URI.create("http://127.0.0.1:" + server.port() + "/healthz");

    HttpResponse<String> readyNow =
        http.send(
            HttpRequest.newBuilder(ready).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, readyNow.statusCode());
    assertEquals("ok\n", readyNow.body());

    wal.setAcceptingConnections(false);
    HttpResponse<String> behind =
        http.send(
            HttpRequest.newBuilder(ready).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(503, behind.statusCode());
    assertEquals(List.of("4"), behind.headers().allValues("retry-after"));
    HttpResponse<String> alive =
        http.send(
            HttpRequest.newBuilder(health).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, alive.statusCode(), "alive, though not ready");

    // Only GET: anything else there is still not the WebSocket endpoint.
    HttpResponse<String> deleted =
        http.send(
            HttpRequest.newBuilder(health)
                .method("DELETE", HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(404, deleted.statusCode());
    assertEquals(List.of(), wal.records());
    assertEquals(0, registry.size());
  }

  @Test
  void readyzAnswers503WhileTheNodeIsAtItsConnectionLimitAnd200OnceThereIsRoom() throws Exception {
    start(settings().maxConnections(1).retryAfterSeconds(7).build());
    URI ready = URI.create("http://127.0.0.1:" + server.port() + "/readyz");

    GatewayServerTest.Inbox inbox = new GatewayServerTest.Inbox();
    WebSocket only = connect(inbox);
    assertEquals("connected", inbox.next().get("type").asText());
    HttpResponse<String> full =
        http.send(
            HttpRequest.newBuilder(ready).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(
        503, full.statusCode(), "one connection of one: a balancer should send clients elsewhere");
    assertEquals(HandshakePolicy.NODE_FULL_BODY, full.body());
    assertEquals(List.of("7"), full.headers().allValues("retry-after"));

    only.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                http.send(
                            HttpRequest.newBuilder(ready).GET().build(),
                            HttpResponse.BodyHandlers.ofString())
                        .statusCode()
                    == 200);
  }

  @Test
  void socketsUpToMaxPendingHandshakesPerIpWaitAndOneMoreIsClosedAtOnce() throws Exception {
    start(settings().maxPendingHandshakesPerIp(2).build());
    List<Socket> sockets = new java.util.ArrayList<>();
    try {
      Socket first = open(sockets);
      open(sockets);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> server.pendingHandshakes().count("127.0.0.1") == 2);

      Socket third = open(sockets);
      assertEquals(-1, third.getInputStream().read(), "closed without a word");
      assertEquals(2, server.pendingHandshakes().count("127.0.0.1"));

      // An admitted handshake gives its pending slot back.
      first.getOutputStream().write(upgradeHead().getBytes(StandardCharsets.ISO_8859_1));
      byte[] status = first.getInputStream().readNBytes("HTTP/1.1 101".length());
      assertEquals("HTTP/1.1 101", new String(status, StandardCharsets.ISO_8859_1));
      assertEquals(1, server.pendingHandshakes().count("127.0.0.1"));
      open(sockets);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> server.pendingHandshakes().count("127.0.0.1") == 2);
    } finally {
      for (Socket socket : sockets) {
        socket.close();
      }
    }
  }

  /** A new socket to the server, closed by the caller; its reads wait at most 10 s. */
  private Socket open(List<Socket> opened) throws IOException {
    Socket socket = new Socket("127.0.0.1", server.port());
    opened.add(socket);
    socket.setSoTimeout(10_000);
    return socket;
  }
}
