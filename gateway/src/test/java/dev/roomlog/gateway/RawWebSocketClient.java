package dev.roomlog.gateway;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A blocking WebSocket client on a plain socket (or a TLS one, {@link #overTls}), for what
 * well-behaved clients never do: send half a request, stop reading, ignore pings. Every read waits
 * at most {@code READ_TIMEOUT}, the deadline of the test that calls it.
 */
public final class RawWebSocketClient implements AutoCloseable {
  public static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

  /** One frame from the server (servers do not mask). */
  public record Frame(int opcode, byte[] payload) {
    public static final int TEXT = 0x1;
    public static final int CLOSE = 0x8;
    static final int PING = 0x9;

    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    public int closeCode() {
      return ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
    }

    String closeReason() {
      return new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  /** Connects; {@code receiveBufferBytes} > 0 shrinks the kernel's receive buffer. */
  public RawWebSocketClient(int port, int receiveBufferBytes) throws IOException {
    this(new Socket(), port, receiveBufferBytes);
  }

  /** Connects over TLS with the JDK's SSLSocket, trusting what {@code trust} trusts. */
  public static RawWebSocketClient overTls(int port, SSLContext trust) throws IOException {
    RawWebSocketClient client =
        new RawWebSocketClient(trust.getSocketFactory().createSocket(), port, 0);
    ((SSLSocket) client.socket).startHandshake();
    return client;
  }

  private RawWebSocketClient(Socket socket, int port, int receiveBufferBytes) throws IOException {
    this.socket = socket;
    if (receiveBufferBytes > 0) {
      socket.setReceiveBufferSize(receiveBufferBytes);
    }
    socket.connect(new InetSocketAddress("127.0.0.1", port), (int) READ_TIMEOUT.toMillis());
    socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
    socket.setTcpNoDelay(true);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** Sends bytes as they are, e.g. many frames at once. */
  public void writeBytes(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  void write(String ascii) throws IOException {
    out.write(ascii.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** Sends the upgrade request and returns the response head, which must be a 101. */
  public String upgrade(String apiKey) throws IOException {
    write(WebSocketTestClient.upgradeRequest("/", apiKey));
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("closed during the handshake: " + head);
      }
      head.write(b);
    }
    String text = head.toString(StandardCharsets.US_ASCII);
    if (!text.startsWith("HTTP/1.1 101")) {
      throw new AssertionError("not upgraded: " + text);
    }
    return text;
  }

  /** Everything the server sends until it closes the connection. */
  String readUntilClosed() throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }

  void sendText(String text) throws IOException {
    out.write(
        TestPipelines.rawFrame(true, 0, Frame.TEXT, true, text.getBytes(StandardCharsets.UTF_8)));
    out.flush();
  }

  /** The next frame, or null if the server closed the connection. */
  public Frame readFrame() throws IOException {
    int b0 = in.read();
    if (b0 < 0) {
      return null;
    }
    int b1 = readByte();
    long length = b1 & 0x7F;
    if (length == 126) {
      length = ((long) readByte() << 8) | readByte();
    } else if (length == 127) {
      length = 0;
      for (int i = 0; i < 8; i++) {
        length = (length << 8) | readByte();
      }
    }
    byte[] payload = in.readNBytes((int) length);
    if (payload.length != length) {
      throw new EOFException("closed in the middle of a frame");
    }
    return new Frame(b0 & 0x0F, payload);
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException("closed in the middle of a frame header");
    }
    return b;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
