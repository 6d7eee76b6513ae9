package dev.roomlog.gateway.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.GatewayInitializer;
import dev.roomlog.gateway.GatewayPipelineTest;
import dev.roomlog.gateway.RecordingWalAppender;
import dev.roomlog.gateway.TestPipelines;
import dev.roomlog.gateway.WebSocketTestClient;
import dev.roomlog.gateway.auth.HandshakeAuth;
import dev.roomlog.gateway.auth.TokenVerifier;
import dev.roomlog.gateway.connection.ActionIntake;
import dev.roomlog.gateway.connection.Connection;
import dev.roomlog.gateway.connection.ConnectionAttributes;
import dev.roomlog.gateway.connection.ConnectionRegistry;
import dev.roomlog.gateway.ipfilter.IpRules;
import dev.roomlog.gateway.settings.ApiKey;
import dev.roomlog.gateway.settings.GatewaySettings;
import io.netty.util.ReferenceCountUtil;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every handshake refusal through the real pipeline in an EmbeddedChannel, driven with raw HTTP
 * bytes: the status the client gets, that the connection is closed, and that nothing reached the
 * write-ahead log. The peer is always {@link WebSocketTestClient#SOURCE_IP} (203.0.113.7).
 */
class HandshakeHandlerTest {
  private static final String KEY = "client-key";
  private static final String ADMIN_KEY = "admin-key";
  private static final String PEER = WebSocketTestClient.SOURCE_IP;

  private final RecordingWalAppender wal = new RecordingWalAppender();
  private final ConnectionRegistry registry = new ConnectionRegistry();
  private final AtomicInteger ids = new AtomicInteger();
  private final AtomicReference<IpRules> ipRules = new AtomicReference<>(IpRules.NONE);
  private final List<WebSocketTestClient> clients = new ArrayList<>();
  private GatewaySettings.Builder settings =
      GatewaySettings.builder(List.of(new ApiKey("web", KEY)), "gw-test").adminKey(ADMIN_KEY);
  private HandshakePolicy policy;
  private final GatewayPipelineTest.MutableClock clock =
      new GatewayPipelineTest.MutableClock(java.time.Instant.parse("2024-04-01T12:00:00Z"));

  /** A new connection to the same node: clients share one policy (and connection limiter). */
  private WebSocketTestClient client() {
    GatewaySettings built = settings.build();
    if (policy == null) {
      policy =
          HandshakePolicy.create(
              built,
              TokenVerifier.fromSettings(built, clock),
              ipRules::get,
              wal::acceptingConnections,
              clock);
    }
    ActionIntake intake =
        new ActionIntake(built, wal, Clock.systemUTC(), () -> "id-" + ids.incrementAndGet());
    WebSocketTestClient client =
        new WebSocketTestClient(
            new GatewayInitializer(
                built, intake, registry, policy, TokenVerifier.fromSettings(built, clock)));
    clients.add(client);
    return client;
  }

  @AfterEach
  void closeClients() {
    for (WebSocketTestClient client : clients) {
      client.server.close();
      // Bytes, or a close frame that never got a WebSocket encoder (handshake not completed).
      for (Object out; (out = client.server.readOutbound()) != null; ) {
        ReferenceCountUtil.release(out);
      }
      assertFalse(client.server.finish(), "nothing left unread in the pipeline");
      client.close();
    }
  }

  private static List<String> standardHeaders() {
    return new ArrayList<>(
        List.of(
            "Host: gateway.example.com",
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Version: 13",
            "x-api-key: " + KEY));
  }

  private static String request(String requestLine, List<String> headers) {
    return requestLine + "\r\n" + String.join("\r\n", headers) + "\r\n\r\n";
  }

  /** A valid upgrade request with these extra header lines. */
  private static String upgrade(String... extraHeaders) {
    List<String> headers = standardHeaders();
    headers.addAll(List.of(extraHeaders));
    return request("GET / HTTP/1.1", headers);
  }

  private WebSocketTestClient.HttpReply send(String raw) {
    return client().http(raw);
  }

  /** The reply was a refusal: this status, the connection closed, nothing in the log. */
  private void assertRefused(int status, WebSocketTestClient.HttpReply reply) {
    assertEquals(status, reply.status(), reply.body());
    assertEquals("close", reply.headers().get("connection"));
    assertFalse(clients.get(clients.size() - 1).server.isOpen(), "closed after the refusal");
    assertEquals(List.of(), wal.records(), "nothing was written to the log");
  }

  private void assertAdmitted(WebSocketTestClient.HttpReply reply) {
    assertEquals(101, reply.status(), reply.body());
    assertTrue(clients.get(clients.size() - 1).server.isOpen());
  }

  /**
   * The connections opened past the handshake, in order (a connection writes nothing to the log
   * until it sends an action, so they are read from the channels).
   */
  private List<Connection> connects() {
    return clients.stream()
        .map(c -> c.server.attr(ConnectionAttributes.CONNECTION).get())
        .filter(java.util.Objects::nonNull)
        .toList();
  }

  private String lastSourceIp() {
    List<Connection> c = connects();
    return c.get(c.size() - 1).info(null, null).identity().sourceIp();
  }

  // --- 1. malformed HTTP and smuggling -> 400 --------------------------------------------------

  @Test
  void wellFormedUpgradeIsAdmittedAndConnects() {
    assertAdmitted(send(upgrade()));
    assertEquals(1, connects().size());
    assertEquals(PEER, lastSourceIp());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "GET /\r\nHost: x\r\n\r\n", // no HTTP version
        "GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n",
        "GET / HTTP/1.1\nHost: x\nUpgrade: websocket\n\n", // bare LF
        "GET / HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0001b\r\nUpgrade: websocket\r\n\r\n", // control
        // char
        "GET / HTTP/1.1\r\nHost: x\r\nX Bad: ab\r\nUpgrade: websocket\r\n\r\n", // space in a name
        "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"
      })
  void requestNettyCannotDecodeGets400(String raw) {
    assertRefused(400, send(raw));
  }

  @Test
  void upgradeWithABodyGets400AndTheBodyIsNotRead() {
    assertRefused(400, send(upgrade("Content-Length: 5") + "hello"));
  }

  @Test
  void upgradeWithContentLengthZeroIsNotABody() {
    assertAdmitted(send(upgrade("Content-Length: 0")));
  }

  @Test
  void upgradeWithTransferEncodingGets400() {
    assertRefused(400, send(upgrade("Transfer-Encoding: chunked") + "5\r\nhello\r\n0\r\n\r\n"));
  }

  @Test
  void upgradeWithContentLengthAndTransferEncodingGets400() {
    assertRefused(
        400, send(upgrade("Content-Length: 4", "Transfer-Encoding: chunked") + "0\r\n\r\n"));
  }

  @Test
  void smuggledSecondRequestInTheBodyIsNeverHandled() {
    String smuggled = upgrade();
    String outer = upgrade("Content-Length: " + smuggled.length()) + smuggled;

    WebSocketTestClient c = client();
    assertRefused(400, c.http(outer));
    assertNull(c.nextFrame(), "no second response");
    assertEquals(0, registry.size());
  }

  @Test
  void upgradeWithTwoHostHeadersGets400() {
    assertRefused(400, send(upgrade("Host: evil.example.com")));
  }

  @Test
  void upgradeWithoutAHostHeaderGets400() {
    List<String> headers = standardHeaders();
    headers.remove(0);
    assertRefused(400, send(request("GET / HTTP/1.1", headers)));
  }

  @Test
  void foldedHeaderLineGets400() {
    WebSocketTestClient.HttpReply reply = send(upgrade("X-Note: first", " second"));

    assertRefused(400, reply);
    assertTrue(reply.body().contains("folded"), reply.body());
  }

  @Test
  void foldedHeaderLineSplitAcrossReadsGets400() {
    WebSocketTestClient c = client();
    String raw = upgrade("X-Note: first", "\tsecond");
    int fold = raw.indexOf("\tsecond");
    c.server.writeInbound(
        io.netty.buffer.Unpooled.copiedBuffer(
            raw.substring(0, fold), java.nio.charset.StandardCharsets.US_ASCII));

    assertRefused(400, c.http(raw.substring(fold)));
  }

  @Test
  void requestLineAtTheLimitIsAdmitted() {
    String line = requestLineOfLength(GatewayInitializer.MAX_REQUEST_LINE_BYTES);

    assertAdmitted(send(request(line, standardHeaders())));
  }

  @Test
  void requestLineOneByteOverTheLimitGets414() {
    String line = requestLineOfLength(GatewayInitializer.MAX_REQUEST_LINE_BYTES + 1);

    assertRefused(414, send(request(line, standardHeaders())));
  }

  @Test
  void headersAtTheLimitAreAdmitted() {
    assertAdmitted(
        send(request("GET / HTTP/1.1", headersOfSize(GatewayInitializer.MAX_HEADER_BYTES))));
  }

  @Test
  void headersOneByteOverTheLimitGet431() {
    assertRefused(
        431,
        send(request("GET / HTTP/1.1", headersOfSize(GatewayInitializer.MAX_HEADER_BYTES + 1))));
  }

  /** "GET /?q=aaa HTTP/1.1" of exactly this many bytes (without CRLF). */
  private static String requestLineOfLength(int length) {
    String bare = "GET /?q= HTTP/1.1";
    return "GET /?q=" + "a".repeat(length - bare.length()) + " HTTP/1.1";
  }

  /** The standard headers plus padding, totalling this many bytes of header lines (no CRLFs). */
  private static List<String> headersOfSize(int size) {
    List<String> headers = standardHeaders();
    int used = headers.stream().mapToInt(String::length).sum();
    String name = "X-Padding: ";
    headers.add(name + "p".repeat(size - used - name.length()));
    assertEquals(size, headers.stream().mapToInt(String::length).sum());
    return headers;
  }

  // --- path and upgrade --------------------------------------------------------------------

  @Test
  void otherPathGets404AndAQueryStringIsFine() {
    assertRefused(404, send(request("GET /admin HTTP/1.1", standardHeaders())));
    assertAdmitted(send(request("GET /?v=1 HTTP/1.1", standardHeaders())));
  }

  @Test
  void postGets426() {
    assertRefused(426, send(request("POST / HTTP/1.1", standardHeaders())));
  }

  // --- HTTP/1.1 only (RFC 6455 4.1) -> 505 ---------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"HTTP/1.0", "HTTP/2.0", "HTTP/3.0"})
  void upgradeInAnotherHttpVersionGets505(String version) {
    WebSocketTestClient.HttpReply reply = send(request("GET / " + version, standardHeaders()));

    assertRefused(505, reply);
    assertEquals(HandshakePolicy.HTTP_VERSION_BODY, reply.body());
    assertEquals(0, registry.size());
  }

  @Test
  void laterMinorVersionOfHttp1IsReadAsHttp11AndAdmitted() {
    // RFC 9110 2.5: a recipient processes a higher minor version as the highest it speaks.
    assertAdmitted(send(request("GET / HTTP/1.2", standardHeaders())));
  }

  @Test
  void healthChecksInHttp10AreStillAnswered() {
    // Balancers' checks (HAProxy's httpchk among them) often speak HTTP/1.0.
    assertEquals(200, send(request("GET /healthz HTTP/1.0", List.of("Host: x"))).status());
  }

  // --- RFC 6455 only: Sec-WebSocket-Version 13 and a 16-byte Sec-WebSocket-Key -> 426 ---------

  /** A refusal that names the one version the server speaks (RFC 6455 4.4). */
  private void assertVersionRefused(WebSocketTestClient.HttpReply reply) {
    assertRefused(426, reply);
    assertEquals("13", reply.headers().get("sec-websocket-version"));
    assertEquals(HandshakePolicy.VERSION_BODY, reply.body());
  }

  @Test
  void hixie76HandshakeGets426WithVersion13AndItsFramesNeverReachTheLog() {
    WebSocketTestClient c = client();
    String hixie76 =
        request(
            "GET / HTTP/1.1",
            List.of(
                "Host: gateway.example.com",
                "Upgrade: WebSocket",
                "Connection: Upgrade",
                "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5",
                "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00",
                "Origin: http://example.com",
                "x-api-key: " + KEY));

    // Sent at once, as a Hixie-76 client would: its 8-byte key3 (no Content-Length), then a
    // text frame the Hixie way (0x00, UTF-8, 0xFF, unmasked).
    String action = "{\"action\":\"createRoom\",\"username\":\"u\",\"requestId\":\"r1\"}";
    c.server.writeInbound(
        io.netty.buffer.Unpooled.copiedBuffer(
            hixie76 + "^n:ds[4U" + "\u0000" + action + "\u00ff",
            java.nio.charset.StandardCharsets.ISO_8859_1));

    assertVersionRefused(c.pendingHttpReply());
    assertEquals(0, registry.size());
  }

  @Test
  void hixie75HandshakeWithoutAnyKeyGets426() {
    List<String> headers = standardHeaders();
    headers.remove("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
    headers.remove("Sec-WebSocket-Version: 13");

    assertVersionRefused(send(request("GET / HTTP/1.1", headers)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"8", "7", "12", "14", "99", "13, 8", ""})
  void otherWebSocketVersionGets426WithVersion13(String version) {
    List<String> headers = standardHeaders();
    headers.set(4, "Sec-WebSocket-Version: " + version);

    assertVersionRefused(send(request("GET / HTTP/1.1", headers)));
  }

  @Test
  void twoVersionHeadersGet426EvenIfBothSay13() {
    assertVersionRefused(send(upgrade("Sec-WebSocket-Version: 13")));
  }

  @Test
  void keyOf16BytesIsAdmitted() {
    List<String> headers = standardHeaders();
    headers.set(3, "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==");

    assertAdmitted(send(request("GET / HTTP/1.1", headers)));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "AAAAAAAAAAAAAAAAAAAA", // 15 bytes
        "AAAAAAAAAAAAAAAAAAAAAAA=", // 17 bytes, also 24 characters
        "dGhlIHNhbXBsZSBub25jZQ", // 16 bytes without the padding
        "dGhlIHNhbXBsZSBub25jZQ!!",
        "not a key"
      })
  void keyThatIsNot16BytesInBase64Gets426(String key) {
    List<String> headers = standardHeaders();
    headers.set(3, "Sec-WebSocket-Key: " + key);

    assertVersionRefused(send(request("GET / HTTP/1.1", headers)));
  }

  @Test
  void missingOrRepeatedKeyGets426() {
    List<String> none = standardHeaders();
    none.remove(3);
    assertVersionRefused(send(request("GET / HTTP/1.1", none)));

    assertVersionRefused(send(upgrade("Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==")));
  }

  @Test
  void versionIsCheckedBeforeTheIpRulesAndTheApiKey() {
    ipRules.set(rules("block 203.0.113.0/24"));
    List<String> headers = standardHeaders().subList(0, 5);
    headers.set(4, "Sec-WebSocket-Version: 8");

    assertVersionRefused(send(request("GET / HTTP/1.1", headers)));
  }

  // --- 4. IP rules -> 403 --------------------------------------------------------------------

  private static IpRules rules(String... lines) {
    return IpRules.parse("test", List.of(lines));
  }

  @Test
  void addressInsideAnAllowRuleIsAdmitted() {
    ipRules.set(rules("allow 203.0.113.7/32"));
    assertAdmitted(send(upgrade()));
  }

  @Test
  void addressJustOutsideTheAllowRulesGets403() {
    ipRules.set(rules("allow 203.0.113.6/32", "allow 203.0.113.8/32"));
    assertRefused(403, send(upgrade()));
  }

  @Test
  void blockedAddressGets403EvenIfAlsoAllowed() {
    ipRules.set(rules("allow 203.0.113.0/24", "block 203.0.113.7"));
    assertRefused(403, send(upgrade()));
  }

  @Test
  void ipRulesAreCheckedBeforeTheApiKey() {
    ipRules.set(rules("block 203.0.113.0/24"));
    assertRefused(403, send(request("GET / HTTP/1.1", standardHeaders().subList(0, 5))));
  }

  // --- 3. X-Forwarded-For ------------------------------------------------------------------

  @Test
  void forwardedForFromATrustedProxyIsTheSourceIpInTheLog() {
    settings.trustedProxies(List.of("203.0.113.0/24"));

    assertAdmitted(send(upgrade("X-Forwarded-For: 192.0.2.50, 203.0.113.1")));
    assertEquals("192.0.2.50", lastSourceIp());
  }

  @Test
  void forwardedForFromAnUntrustedPeerIsIgnored() {
    settings.trustedProxies(List.of("198.51.100.0/24"));

    assertAdmitted(send(upgrade("X-Forwarded-For: 192.0.2.50")));
    assertEquals(PEER, lastSourceIp());
  }

  @Test
  void ipRulesApplyToTheForwardedAddress() {
    settings.trustedProxies(List.of("203.0.113.0/24"));
    ipRules.set(rules("block 192.0.2.50"));

    assertRefused(403, send(upgrade("X-Forwarded-For: 192.0.2.50")));
  }

  @Test
  void malformedForwardedForFromATrustedProxyGets400() {
    settings.trustedProxies(List.of("203.0.113.0/24"));

    assertRefused(400, send(upgrade("X-Forwarded-For: 192.0.2.50, garbage")));
  }

  // --- 5. Origin -> 403 ----------------------------------------------------------------------

  @Test
  void allowedOriginIsAdmittedAndSoIsNoOrigin() {
    settings.allowedOrigins(Set.of("https://chat.example.com"));

    assertAdmitted(send(upgrade("Origin: https://chat.example.com")));
    assertAdmitted(send(upgrade()));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "null",
        "https://chat.example.com.evil.com",
        "https://evilchat.example.com",
        "http://chat.example.com",
        "https://chat.example.com/"
      })
  void lookAlikeOriginGets403(String origin) {
    settings.allowedOrigins(Set.of("https://chat.example.com"));

    assertRefused(403, send(upgrade("Origin: " + origin)));
  }

  @Test
  void originIsCheckedBeforeTheApiKey() {
    settings.allowedOrigins(Set.of("https://chat.example.com"));
    List<String> noKey = standardHeaders().subList(0, 5);
    List<String> headers = new ArrayList<>(noKey);
    headers.add("Origin: https://evil.example");

    assertRefused(403, send(request("GET / HTTP/1.1", headers)));
  }

  // --- 6. API key -> 401 ---------------------------------------------------------------------

  @Test
  void adminKeyIsNotAClientKeyAndGets401() {
    List<String> headers = standardHeaders();
    headers.set(5, "x-api-key: " + ADMIN_KEY);

    WebSocketTestClient.HttpReply reply = send(request("GET / HTTP/1.1", headers));

    assertRefused(401, reply);
    assertEquals(HandshakeAuth.UNAUTHORIZED_BODY, reply.body());
  }

  @Test
  void twoApiKeyHeadersGet401() {
    assertRefused(401, send(upgrade("x-api-key: " + KEY)));
  }

  // --- handshakes per second from one address -> 429 ---------------------------------------

  @Test
  void handshakesUpToTheBurstAreAdmittedAndTheNextGets429WithRetryAfterUntilATokenIsEarned() {
    settings.handshakeRatePerIp(2, 3);
    for (int i = 0; i < 3; i++) {
      assertAdmitted(send(upgrade()));
    }

    WebSocketTestClient.HttpReply refused = send(upgrade());

    assertRefused429(refused, "1");
    assertEquals(3, connects().size(), "the refused handshake wrote nothing");
    clock.set(clock.instant().plusMillis(499));
    assertRefused429(send(upgrade()), "1");
    clock.set(clock.instant().plusMillis(1));
    assertAdmitted(send(upgrade()));
    assertRefused429(send(upgrade()), "1");
  }

  @Test
  void retryAfterIsTheWaitForTheNextTokenRoundedUpToWholeSeconds() {
    settings.handshakeRatePerIp(1, 1);
    assertAdmitted(send(upgrade()));
    // Every 1 s one token: 1 s to wait now, rounded up from 0.001 s later too.
    assertRefused429(send(upgrade()), "1");
    clock.set(clock.instant().plusMillis(999));
    assertRefused429(send(upgrade()), "1");
  }

  @Test
  void handshakeRateCountsTheForwardedAddressAndEachAddressHasItsOwnBucket() {
    settings.trustedProxies(List.of("203.0.113.0/24")).handshakeRatePerIp(1, 1);
    assertAdmitted(send(upgrade("X-Forwarded-For: 192.0.2.1")));
    assertAdmitted(send(upgrade("X-Forwarded-For: 192.0.2.2")));

    assertRefused429(send(upgrade("X-Forwarded-For: 192.0.2.1")), "1");
  }

  @Test
  void handshakeRateIsCheckedBeforeTheApiKeySoGuessingKeysIsAsSlowAsReconnecting() {
    settings.handshakeRatePerIp(1, 2);
    List<String> wrongKey = standardHeaders();
    wrongKey.set(5, "x-api-key: wrong");
    assertRefused(401, send(request("GET / HTTP/1.1", wrongKey)));
    assertRefused(401, send(request("GET / HTTP/1.1", wrongKey)));

    assertRefused429(send(request("GET / HTTP/1.1", wrongKey)), "1");
  }

  @Test
  void healthChecksDoNotSpendTheHandshakeRate() {
    settings.handshakeRatePerIp(1, 1);
    for (int i = 0; i < 5; i++) {
      assertEquals(200, send(request("GET /healthz HTTP/1.1", List.of("Host: x"))).status());
    }
    assertAdmitted(send(upgrade()));
  }

  private void assertRefused429(WebSocketTestClient.HttpReply reply, String retryAfter) {
    assertEquals(429, reply.status(), reply.body());
    assertEquals(retryAfter, reply.headers().get("retry-after"));
    assertEquals(HandshakePolicy.HANDSHAKE_RATE_BODY, reply.body());
    assertEquals("close", reply.headers().get("connection"));
    assertFalse(clients.get(clients.size() - 1).server.isOpen(), "closed after the refusal");
  }

  // --- 2. capacity -> 503 --------------------------------------------------------------------

  @Test
  void connectionsUpToMaxConnectionsAreAdmittedAndTheNextGets503WithRetryAfter() {
    settings.maxConnections(2).retryAfterSeconds(7);
    assertAdmitted(send(upgrade()));
    assertAdmitted(send(upgrade()));

    WebSocketTestClient.HttpReply reply = send(upgrade());

    assertEquals(503, reply.status());
    assertEquals("7", reply.headers().get("retry-after"));
    assertEquals(HandshakePolicy.NODE_FULL_BODY, reply.body());
    assertFalse(clients.get(2).server.isOpen());
    assertEquals(2, connects().size(), "only the two admitted connections were opened");
  }

  @Test
  void closedConnectionGivesItsSlotBackExactlyOnce() {
    settings.maxConnections(1);
    WebSocketTestClient first = client();
    assertAdmitted(first.http(upgrade()));
    assertEquals(503, send(upgrade()).status());

    first.server.close();
    first.server.close();
    // The server's close frame waits for the client's answer; the client goes instead.
    first.endOfStream();

    assertEquals(0, policy.limiter().total());
    assertAdmitted(send(upgrade()));
    assertEquals(503, send(upgrade()).status(), "a double close freed one slot, not two");
  }

  @Test
  void perIpLimitCountsTheForwardedAddress() {
    settings.trustedProxies(List.of("203.0.113.0/24")).maxConnectionsPerIp(1).retryAfterSeconds(3);
    assertAdmitted(send(upgrade("X-Forwarded-For: 192.0.2.1")));
    assertAdmitted(send(upgrade("X-Forwarded-For: 192.0.2.2")));

    WebSocketTestClient.HttpReply reply = send(upgrade("X-Forwarded-For: 192.0.2.1"));

    assertEquals(503, reply.status());
    assertEquals("3", reply.headers().get("retry-after"));
    assertEquals(HandshakePolicy.IP_FULL_BODY, reply.body());
    assertEquals(2, connects().size());
  }

  @Test
  void refusedHandshakesTakeNoSlot() {
    settings.maxConnections(1);
    List<String> wrongKey = standardHeaders();
    wrongKey.set(5, "x-api-key: wrong");
    for (int i = 0; i < 3; i++) {
      assertRefused(401, send(request("GET / HTTP/1.1", wrongKey)));
    }

    assertAdmitted(send(upgrade()));
  }

  @Test
  void handshakeThatNettyRefusesAfterTheGuardIsClosedAndReleasesItsSlot() {
    settings.maxConnections(1);
    WebSocketTestClient c = client();
    // The guard does not look at Connection; Netty's handshaker refuses a request without
    // "Connection: Upgrade" after the guard took a slot.
    List<String> headers = standardHeaders();
    headers.remove("Connection: Upgrade");

    c.server.writeInbound(
        io.netty.buffer.Unpooled.copiedBuffer(
            request("GET / HTTP/1.1", headers), java.nio.charset.StandardCharsets.US_ASCII));

    assertFalse(c.server.isOpen());
    assertEquals(0, policy.limiter().total());
    assertEquals(List.of(), wal.records());
    assertAdmitted(send(upgrade()));
  }

  // --- the log behind on $connect/$disconnect -> 503 -----------------------------------------

  @Test
  void whileTheLogIsBehindANewHandshakeGets503WithRetryAfterAndTakesNoSlot() {
    settings.retryAfterSeconds(4);
    wal.setAcceptingConnections(false);

    WebSocketTestClient.HttpReply reply = send(upgrade());

    assertRefused(503, reply);
    assertEquals("4", reply.headers().get("retry-after"));
    assertEquals(HandshakePolicy.LOG_BEHIND_BODY, reply.body());
    assertEquals(0, policy.limiter().total());

    wal.setAcceptingConnections(true);
    assertAdmitted(send(upgrade()));
    assertEquals(1, connects().size());
  }

  @Test
  void whileTheLogIsBehindAWrongKeyStillGets401() {
    wal.setAcceptingConnections(false);
    List<String> wrongKey = standardHeaders();
    wrongKey.set(5, "x-api-key: wrong");

    assertRefused(401, send(request("GET / HTTP/1.1", wrongKey)));
  }

  // --- sockets still in their handshake --------------------------------------------------------

  private static void assertClosedAtOnce(WebSocketTestClient c) {
    assertFalse(c.server.isOpen(), "closed as soon as it was accepted");
    assertNull(c.server.readOutbound(), "nothing was sent to it");
  }

  @Test
  void socketsUpToMaxPendingHandshakesPerIpStayOpenAndTheNextIsClosedAtOnce() {
    settings.maxPendingHandshakesPerIp(2);
    WebSocketTestClient first = client();
    WebSocketTestClient second = client();
    assertTrue(first.server.isOpen());
    assertTrue(second.server.isOpen());
    assertEquals(2, policy.pendingHandshakes().count(PEER));

    WebSocketTestClient third = client();

    assertClosedAtOnce(third);
    assertEquals(2, policy.pendingHandshakes().count(PEER), "the refused socket took no slot");
    assertEquals(List.of(), wal.records());
  }

  @Test
  void anAdmittedHandshakeGivesItsPendingSlotBackAndHoldsAConnectionSlotInstead() {
    settings.maxPendingHandshakesPerIp(1);
    WebSocketTestClient first = client();
    assertClosedAtOnce(client());

    assertEquals(101, first.http(upgrade()).status());

    assertEquals(0, policy.pendingHandshakes().total());
    assertEquals(1, policy.limiter().total());
    assertTrue(client().server.isOpen(), "the pending slot is free again");
  }

  @Test
  void aSocketThatClosesInItsHandshakeGivesItsPendingSlotBack() {
    settings.maxPendingHandshakesPerIp(1);
    WebSocketTestClient first = client();
    List<String> wrongKey = standardHeaders();
    wrongKey.set(5, "x-api-key: wrong");
    assertRefused(401, first.http(request("GET / HTTP/1.1", wrongKey)));

    assertEquals(0, policy.pendingHandshakes().total());
    assertTrue(client().server.isOpen());
  }

  @Test
  void socketsUpToMaxPendingHandshakesOnTheNodeStayOpenAndTheNextIsClosedAtOnce() {
    // The peer is a trusted proxy: its sockets count only towards the node's total.
    settings.trustedProxies(List.of("203.0.113.0/24")).maxPendingHandshakesPerIp(1);
    settings.maxPendingHandshakes(3);
    for (int i = 0; i < 3; i++) {
      assertTrue(client().server.isOpen(), "socket " + (i + 1));
    }
    assertEquals(3, policy.pendingHandshakes().total());
    assertEquals(0, policy.pendingHandshakes().trackedIps(), "no per-IP count for a proxy");

    assertClosedAtOnce(client());
    assertEquals(3, policy.pendingHandshakes().total());
  }

  // --- IP rules reloaded between the handshake's decision and the connection's registration ----

  @Test
  void connectionAdmittedJustBeforeARulesReloadThatRefusesItIsClosedWith1008() {
    // The guard reads the rules once to decide; every later read sees the reloaded rules, as if
    // the reload (and its sweep over registered connections) ran between decision and open.
    IpRules reloaded = rules("block 203.0.113.7");
    AtomicInteger reads = new AtomicInteger();
    policy =
        HandshakePolicy.create(
            settings.build(),
            TokenVerifier.fromSettings(settings.build(), clock),
            () -> reads.incrementAndGet() == 1 ? IpRules.NONE : reloaded,
            wal::acceptingConnections,
            java.time.Clock.systemUTC());
    WebSocketTestClient c = client();

    assertEquals(101, c.http(upgrade()).status());

    io.netty.handler.codec.http.websocketx.WebSocketFrame frame = c.nextFrame();
    io.netty.handler.codec.http.websocketx.CloseWebSocketFrame close =
        assertInstanceOf(io.netty.handler.codec.http.websocketx.CloseWebSocketFrame.class, frame);
    assertEquals(1008, close.statusCode());
    assertEquals(IpRules.REFUSED_CLOSE_REASON, close.reasonText());
    close.release();
    assertTrue(c.server.isOpen(), "waiting for the client's close frame");
    c.send(new io.netty.handler.codec.http.websocketx.CloseWebSocketFrame(1008, ""));
    assertFalse(c.server.isOpen());
    assertEquals(0, registry.size());
    assertEquals(List.of(), wal.records(), "it sent nothing, so it wrote nothing");
  }

  @Test
  void connectionTheCurrentRulesStillAllowIsServedAfterTheRecheck() {
    ipRules.set(rules("allow 203.0.113.0/24"));
    WebSocketTestClient c = client();

    assertAdmitted(c.http(upgrade()));

    assertEquals("connected", TestPipelines.json(c.nextText()).get("type").asText());
    assertEquals(1, registry.size());
  }
}
