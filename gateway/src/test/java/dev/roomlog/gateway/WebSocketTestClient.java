package dev.roomlog.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketClientExtension;
import io.netty.util.concurrent.MockTicker;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Drives a gateway pipeline in an {@link EmbeddedChannel} with real bytes, as a client would: HTTP
 * request bytes in, response bytes out, then masked WebSocket frames in and unmasked ones out.
 * Client-side framing uses Netty's own encoder and decoder.
 */
public final class WebSocketTestClient implements AutoCloseable {
  public static final String SOURCE_IP = "203.0.113.7";

  /** The server side, with a real-looking remote address. */
  public final EmbeddedChannel server;

  private final EmbeddedChannel encoder = new EmbeddedChannel(new WebSocket13FrameEncoder(true));
  private EmbeddedChannel decoder = newDecoder();
  private final ByteBuf received = Unpooled.buffer();

  public record HttpReply(int status, Map<String, String> headers, String body) {}

  public WebSocketTestClient(GatewayInitializer initializer) {
    server =
        new EmbeddedChannel(initializer) {
          @Override
          protected SocketAddress remoteAddress0() {
            return new InetSocketAddress(SOURCE_IP, 51_234);
          }
        };
  }

  /**
   * A server channel whose event loop takes its time from {@code ticker}: time moves only when the
   * test advances it, then {@code server.runScheduledPendingTasks()} runs what is due.
   */
  public WebSocketTestClient(GatewayInitializer initializer, MockTicker ticker) {
    server =
        new EmbeddedChannel(EmbeddedChannel.builder().handlers(initializer).ticker(ticker)) {
          @Override
          protected SocketAddress remoteAddress0() {
            return new InetSocketAddress(SOURCE_IP, 51_234);
          }
        };
  }

  /**
   * After a 101 that accepted a WebSocket extension (e.g. permessage-deflate): client frames go
   * through its encoder, server frames through its decoder, and RSV bits are allowed.
   */
  public void useExtension(WebSocketClientExtension extension) {
    encoder.pipeline().addLast(extension.newExtensionEncoder());
    decoder
        .pipeline()
        .replace(
            WebSocket13FrameDecoder.class,
            "frameDecoder",
            new WebSocket13FrameDecoder(false, true, 1 << 20));
    decoder.pipeline().addLast(extension.newExtensionDecoder());
  }

  /**
   * The client ends its stream (TCP FIN): what Netty does when a read returns end of stream,
   * closing the channel directly rather than through the pipeline.
   */
  public void endOfStream() {
    server.unsafe().close(server.voidPromise());
    server.runPendingTasks();
  }

  /** Sends bytes as they are: for frames Netty's encoder would not produce. */
  public void sendRaw(byte[] bytes) {
    server.writeInbound(Unpooled.wrappedBuffer(bytes));
  }

  public static String upgradeRequest(String path, String apiKey) {
    StringBuilder request =
        new StringBuilder()
            .append("GET ")
            .append(path)
            .append(" HTTP/1.1\r\n")
            .append("Host: localhost\r\n")
            .append("Upgrade: websocket\r\n")
            .append("Connection: Upgrade\r\n")
            .append("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n")
            .append("Sec-WebSocket-Version: 13\r\n");
    if (apiKey != null) {
      request.append("x-api-key: ").append(apiKey).append("\r\n");
    }
    return request.append("\r\n").toString();
  }

  /** Sends raw HTTP request text and returns the parsed response. */
  public HttpReply http(String requestText) {
    server.writeInbound(Unpooled.copiedBuffer(requestText, StandardCharsets.US_ASCII));
    return readHttpReply();
  }

  /** The HTTP response the server wrote on its own (e.g. when a timer fired). */
  public HttpReply pendingHttpReply() {
    return readHttpReply();
  }

  HttpReply handshake(String apiKey) {
    return http(upgradeRequest("/", apiKey));
  }

  public void sendText(String text) {
    send(new TextWebSocketFrame(text));
  }

  void sendBinary(byte[] bytes) {
    send(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
  }

  public void send(WebSocketFrame frame) {
    encoder.writeOutbound(frame);
    for (ByteBuf buf; (buf = encoder.readOutbound()) != null; ) {
      server.writeInbound(buf);
    }
  }

  private static EmbeddedChannel newDecoder() {
    return new EmbeddedChannel(new WebSocket13FrameDecoder(false, false, 1 << 20));
  }

  /**
   * The next frame the server sent, or null; the caller releases it. Frames the server sent after a
   * close frame are returned too, so that a test can see that there are none.
   */
  public WebSocketFrame nextFrame() {
    pumpServerOutput();
    int length = nextFrameLength();
    if (length < 0) {
      return null;
    }
    decoder.writeInbound(received.readRetainedSlice(length));
    WebSocketFrame frame = decoder.readInbound();
    if (frame instanceof CloseWebSocketFrame) {
      // Netty's decoder skips every byte after a close frame; a fresh one reads on.
      decoder.finishAndReleaseAll();
      decoder = newDecoder();
    }
    return frame;
  }

  /** The length of the complete frame at the start of the received bytes, or -1 if none. */
  private int nextFrameLength() {
    int at = received.readerIndex();
    int available = received.readableBytes();
    if (available < 2) {
      return -1;
    }
    int second = received.getUnsignedByte(at + 1);
    int header = 2;
    long payload = second & 0x7F;
    if (payload == 126) {
      header = 4;
      payload = available < header ? -1 : received.getUnsignedShort(at + 2);
    } else if (payload == 127) {
      header = 10;
      payload = available < header ? -1 : received.getLong(at + 2);
    }
    if ((second & 0x80) != 0) {
      header += 4; // a masking key; servers should not mask, but count it if one does
    }
    if (payload < 0 || available < header + payload) {
      return -1;
    }
    return Math.toIntExact(header + payload);
  }

  /** The text of the next frame, which must be a text frame. */
  public String nextText() {
    WebSocketFrame frame = nextFrame();
    if (!(frame instanceof TextWebSocketFrame text)) {
      String what = frame == null ? "nothing" : frame.getClass().getSimpleName();
      if (frame != null) {
        frame.release();
      }
      throw new AssertionError("expected a text frame, got " + what);
    }
    try {
      return text.text();
    } finally {
      text.release();
    }
  }

  /** Every remaining frame; the caller releases them. */
  public List<WebSocketFrame> remainingFrames() {
    List<WebSocketFrame> frames = new ArrayList<>();
    for (WebSocketFrame f; (f = nextFrame()) != null; ) {
      frames.add(f);
    }
    return frames;
  }

  private void pumpServerOutput() {
    server.runPendingTasks();
    for (Object out; (out = server.readOutbound()) != null; ) {
      ByteBuf buf = (ByteBuf) out;
      received.writeBytes(buf);
      buf.release();
    }
  }

  private HttpReply readHttpReply() {
    pumpServerOutput();
    int end = endOfHead();
    String head =
        received
            .readCharSequence(end - received.readerIndex(), StandardCharsets.US_ASCII)
            .toString();
    received.skipBytes(4);
    String[] lines = head.split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new HashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(
          lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
          lines[i].substring(colon + 1).trim());
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    String body = received.readCharSequence(length, StandardCharsets.UTF_8).toString();
    return new HttpReply(status, headers, body);
  }

  private int endOfHead() {
    for (int i = received.readerIndex(); i + 3 < received.writerIndex(); i++) {
      if (received.getByte(i) == '\r'
          && received.getByte(i + 1) == '\n'
          && received.getByte(i + 2) == '\r'
          && received.getByte(i + 3) == '\n') {
        return i;
      }
    }
    throw new AssertionError("no complete HTTP response from the server");
  }

  @Override
  public void close() {
    received.release();
    encoder.finishAndReleaseAll();
    decoder.finishAndReleaseAll();
  }
}
