package dev.roomlog.gateway.handshake;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.gateway.GatewayServer;
import dev.roomlog.gateway.RawWebSocketClient;
import dev.roomlog.gateway.RecordingWalAppender;
import dev.roomlog.gateway.TestPipelines;
import dev.roomlog.gateway.WebSocketTestClient;
import dev.roomlog.gateway.connection.ConnectionRegistry;
import dev.roomlog.gateway.settings.ApiKey;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.action.Action;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a client sends in the same TCP write as its upgrade request, on a real socket: WebSocket
 * frames are decoded and answered as if they had come on their own, an HTTP request pipelined
 * behind the upgrade is refused with 400 {@code secondRequest} instead of a 101.
 */
class BytesBehindTheUpgradeTest {
  private static final String KEY = "k1";

  private final RecordingWalAppender wal = new RecordingWalAppender();
  private final ConnectionRegistry registry = new ConnectionRegistry();
  private GatewayServer server;

  private void start() {
    server =
        new GatewayServer(
            GatewaySettings.builder(List.of(new ApiKey("web", KEY)), "gw-early")
                .bindHost("127.0.0.1")
                .port(0)
                .build(),
            wal,
            registry,
            Clock.systemUTC());
    server.start();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private static byte[] upgrade() {
    return WebSocketTestClient.upgradeRequest("/", KEY).getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] maskedText(String text) {
    return TestPipelines.rawFrame(
        true, 0, RawWebSocketClient.Frame.TEXT, true, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Opens a socket, writes {@code bytes} in one write, and returns it for reading. */
  private Socket sendInOneWrite(byte[] bytes) throws IOException {
    Socket socket = new Socket("127.0.0.1", server.port());
    socket.setSoTimeout((int) RawWebSocketClient.READ_TIMEOUT.toMillis());
    socket.setTcpNoDelay(true);
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
    return socket;
  }

  /** The HTTP response head, up to and including its blank line. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("closed before the end of the response head: " + head);
      }
      head.write(b);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  /** The next server frame's JSON; fails if the server closed or sent something else. */
  private static JsonNode nextTextFrame(InputStream in) throws IOException {
    RawWebSocketClient.Frame frame = readFrame(in);
    assertNotNull(frame, "the server closed the connection instead of answering");
    assertEquals(RawWebSocketClient.Frame.TEXT, frame.opcode(), "a text frame");
    return Json.MAPPER.readTree(frame.text());
  }

  /** The next frame (servers do not mask), or null if the server closed the connection. */
  private static RawWebSocketClient.Frame readFrame(InputStream in) throws IOException {
    int b0 = in.read();
    if (b0 < 0) {
      return null;
    }
    byte[] header = in.readNBytes(1);
    int length = header.length == 1 ? header[0] & 0x7F : -1;
    if (length == 126) {
      byte[] extended = in.readNBytes(2);
      length = extended.length == 2 ? ((extended[0] & 0xFF) << 8) | (extended[1] & 0xFF) : -1;
    }
    if (length < 0 || length == 127) {
      throw new EOFException("closed in a frame header, or a frame larger than these tests send");
    }
    byte[] payload = in.readNBytes(length);
    if (payload.length != length) {
      throw new EOFException("closed in the middle of a frame");
    }
    return new RawWebSocketClient.Frame(b0 & 0x0F, payload);
  }

  @Test
  void invalidActionInTheSameWriteAsTheUpgradeIsAnsweredWithAnErrorFrame() throws Exception {
    start();
    try (Socket socket =
        sendInOneWrite(
            concat(upgrade(), maskedText("{\"action\":\"nope\",\"requestId\":\"early\"}")))) {
      InputStream in = socket.getInputStream();

      assertTrue(readHead(in).startsWith("HTTP/1.1 101 "));
      assertEquals("connected", nextTextFrame(in).get("type").asText());
      JsonNode answer = nextTextFrame(in);

      assertEquals("error", answer.get("type").asText(), answer.toString());
      assertEquals("unknownAction", answer.get("code").asText(), answer.toString());
      assertEquals("early", answer.get("requestId").asText(), answer.toString());
    }
  }

  @Test
  void actionsInTheSameWriteAsTheUpgradeReachTheLogInTheirOrder() throws Exception {
    start();
    try (Socket socket =
        sendInOneWrite(
            concat(
                upgrade(),
                maskedText("{\"action\":\"leaveRoom\",\"roomId\":\"lobby\",\"requestId\":\"a\"}"),
                maskedText(
                    "{\"action\":\"leaveRoom\",\"roomId\":\"lobby\",\"requestId\":\"b\"}")))) {
      InputStream in = socket.getInputStream();

      assertTrue(readHead(in).startsWith("HTTP/1.1 101 "));
      assertEquals("connected", nextTextFrame(in).get("type").asText());
      await().atMost(Duration.ofSeconds(10)).until(() -> wal.count(Action.LeaveRoom.class) == 2);
    }
    assertEquals(
        List.of("a", "b"),
        wal.records().stream()
            .filter(r -> r.action() instanceof Action.LeaveRoom)
            .map(r -> r.action().requestId())
            .toList());
  }

  @Test
  void emptyLinesBetweenTheUpgradeAndTheFirstFrameAreSkippedAsHttpSkipsThem() throws Exception {
    start();
    byte[] crlf = "\r\n".getBytes(StandardCharsets.US_ASCII);
    try (Socket socket =
        sendInOneWrite(
            concat(
                upgrade(),
                crlf,
                maskedText("{\"action\":\"nope\",\"requestId\":\"after-crlf\"}")))) {
      InputStream in = socket.getInputStream();

      assertTrue(readHead(in).startsWith("HTTP/1.1 101 "));
      assertEquals("connected", nextTextFrame(in).get("type").asText());
      assertEquals("after-crlf", nextTextFrame(in).get("requestId").asText());
    }
  }

  @Test
  void secondRequestPipelinedBehindTheUpgradeGets400SecondRequestAndNothingIsLogged()
      throws Exception {
    start();
    try (Socket socket = sendInOneWrite(concat(upgrade(), upgrade()))) {
      String response =
          new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

      assertTrue(response.startsWith("HTTP/1.1 400 "), response);
      assertTrue(response.endsWith(HandshakePolicy.SECOND_REQUEST_BODY), response);
      assertEquals(1, response.split("HTTP/1.1 ", -1).length - 1, "one response: " + response);
    }
    assertEquals(List.of(), wal.records());
    assertEquals(0, registry.size());
  }

  @Test
  void requestThatComesAfterThe101IsWebSocketBytesAndClosesWith1002() throws Exception {
    start();
    try (Socket socket = sendInOneWrite(upgrade())) {
      InputStream in = socket.getInputStream();
      assertTrue(readHead(in).startsWith("HTTP/1.1 101 "));
      assertEquals("connected", nextTextFrame(in).get("type").asText());

      socket.getOutputStream().write(upgrade());
      RawWebSocketClient.Frame close = readFrame(in);

      assertNotNull(close, "a close frame before the socket closes");
      assertEquals(RawWebSocketClient.Frame.CLOSE, close.opcode());
      assertEquals(1002, close.closeCode(), "not a masked frame: a protocol error");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET / HTTP/1.1\r\n", "GET", "GE", "\r\nPOST /x", "M-SEARCH * HTTP/1.1"})
  void bytesThatBeginLikeARequestLineAreARequest(String behind) {
    assertTrue(beginsLikeARequestLine(behind.getBytes(StandardCharsets.ISO_8859_1)), behind);
  }

  @Test
  void aMaskedFrameOrTooLittleToTellIsNotARequest() {
    // Every client frame: its second byte has the mask bit, which no token character has.
    assertFalse(beginsLikeARequestLine(maskedText("GET / HTTP/1.1")));
    // 'A' (0x41) is also RSV1 + text, the first byte of a compressed frame.
    assertFalse(beginsLikeARequestLine(new byte[] {'A', (byte) 0x85}));
    assertFalse(beginsLikeARequestLine(new byte[] {'G'}), "one byte cannot tell");
    assertFalse(beginsLikeARequestLine(new byte[0]));
    assertFalse(beginsLikeARequestLine("G\u0000T".getBytes(StandardCharsets.ISO_8859_1)));
    assertFalse(beginsLikeARequestLine("GET/".getBytes(StandardCharsets.ISO_8859_1)));
  }

  private static boolean beginsLikeARequestLine(byte[] bytes) {
    io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.wrappedBuffer(bytes);
    try {
      return RequestHeadHandler.beginsLikeARequestLine(buf);
    } finally {
      buf.release();
    }
  }
}
