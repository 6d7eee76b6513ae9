package dev.roomlog.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.gateway.connection.ActionIntake;
import dev.roomlog.gateway.connection.ConnectionRegistry;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.gateway.wal.WalAppender;
import dev.roomlog.protocol.Json;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.MockTicker;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** Shared steps of the EmbeddedChannel pipeline tests. */
public final class TestPipelines {
  public static final String KEY = "secret-key";
  static final String GATEWAY_ID = "gw-test";

  /** What the client saw in the server's close frame. */
  public record Close(int code, String reason) {}

  private TestPipelines() {}

  public static GatewaySettings.Builder settings() {
    return GatewaySettings.of(Set.of(KEY), GATEWAY_ID).toBuilder();
  }

  /** A client of a fresh gateway pipeline; {@code ticker} null for the real clock. */
  public static WebSocketTestClient client(
      GatewaySettings settings, WalAppender wal, ConnectionRegistry registry, MockTicker ticker) {
    AtomicInteger ids = new AtomicInteger();
    ActionIntake intake =
        new ActionIntake(
            settings,
            wal,
            Clock.fixed(Instant.parse("2024-04-01T12:00:00Z"), ZoneOffset.UTC),
            () -> "id-" + ids.incrementAndGet());
    GatewayInitializer initializer = new GatewayInitializer(settings, intake, registry);
    return ticker == null
        ? new WebSocketTestClient(initializer)
        : new WebSocketTestClient(initializer, ticker);
  }

  /** Upgrades and reads the {@code connected} frame; returns the connectionId. */
  public static String connect(WebSocketTestClient client) {
    assertEquals(101, client.handshake(KEY).status());
    return json(client.nextText()).get("connectionId").asText();
  }

  public static JsonNode json(String text) {
    try {
      return Json.MAPPER.readTree(text);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  /** A valid sendMessage action whose UTF-8 encoding is exactly {@code bytes} long. */
  public static String actionOfBytes(int bytes) {
    String head = "{\"action\":\"sendMessage\",\"roomId\":\"lobby\",\"text\":\"";
    String tail = "\"}";
    String text = head + "x".repeat(bytes - head.length() - tail.length()) + tail;
    assertEquals(bytes, text.getBytes(StandardCharsets.UTF_8).length);
    return text;
  }

  /**
   * The next frame must be the server's close frame, and the only frame left. The server must keep
   * the socket open for the client's answer (lingering close) and close it once the client has
   * answered with its own close frame, as a well-behaved client does.
   */
  public static Close expectClose(WebSocketTestClient client) {
    Close seen = expectCloseFrame(client);
    client.send(new CloseWebSocketFrame(seen.code(), ""));
    assertFalse(client.server.isOpen(), "the server closed the socket on the client's answer");
    return seen;
  }

  /**
   * As {@link #expectClose}, for a close after a frame that broke the framing (1002, or a frame
   * over the limit): Netty's frame decoder then drops every later byte, the client's close frame
   * too, so it is the client's end of stream that lets the server close the socket.
   */
  static Close expectCloseAfterBrokenFrame(WebSocketTestClient client) {
    Close seen = expectCloseFrame(client);
    client.send(new CloseWebSocketFrame(seen.code(), ""));
    assertTrue(client.server.isOpen(), "the decoder cannot read the answer");
    client.endOfStream();
    assertFalse(
        client.server.isOpen(), "the server closed the socket at the client's end of stream");
    return seen;
  }

  /** The server's close frame, the only frame left, with the socket kept open for the answer. */
  public static Close expectCloseFrame(WebSocketTestClient client) {
    WebSocketFrame frame = client.nextFrame();
    CloseWebSocketFrame close = assertInstanceOf(CloseWebSocketFrame.class, frame, "a close frame");
    Close seen = new Close(close.statusCode(), close.reasonText());
    close.release();
    assertNull(client.nextFrame(), "nothing after the close frame");
    assertTrue(client.server.isOpen(), "the server waits for the client's close frame");
    return seen;
  }

  /** Closes the server side (if still open), drops what it sent, checks nothing is left over. */
  public static void closeAndFinish(WebSocketTestClient client) {
    client.server.close();
    if (client.server.isOpen()) {
      // A close frame went out and the server waits for the client's answer: the client goes.
      client.endOfStream();
    }
    for (WebSocketFrame frame : client.remainingFrames()) {
      ReferenceCountUtil.release(frame);
    }
    assertFalse(client.server.finish());
  }

  /**
   * One client frame as raw bytes, including ones Netty's encoder refuses to produce: unmasked,
   * with RSV bits, reserved opcodes, oversized control frames.
   */
  public static byte[] rawFrame(boolean fin, int rsv, int opcode, boolean masked, byte[] payload) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write((fin ? 0x80 : 0) | (rsv << 4) | opcode);
    int maskBit = masked ? 0x80 : 0;
    if (payload.length < 126) {
      out.write(maskBit | payload.length);
    } else if (payload.length <= 0xFFFF) {
      out.write(maskBit | 126);
      out.write(payload.length >>> 8);
      out.write(payload.length & 0xFF);
    } else {
      out.write(maskBit | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        out.write((int) ((long) payload.length >>> shift) & 0xFF);
      }
    }
    byte[] mask = {0x11, 0x22, 0x33, 0x44};
    if (masked) {
      out.write(mask, 0, 4);
    }
    for (int i = 0; i < payload.length; i++) {
      out.write(masked ? payload[i] ^ mask[i % 4] : payload[i]);
    }
    return out.toByteArray();
  }
}
