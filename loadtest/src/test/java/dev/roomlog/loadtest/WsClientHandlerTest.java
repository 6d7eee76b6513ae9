package dev.roomlog.loadtest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The client end of one connection, over the real HTTP and WebSocket codecs, bytes in and out. */
class WsClientHandlerTest {
  private static final int MAX = 1 << 20;

  private final RoomlogProtocol protocol = new RoomlogProtocol("secret");
  private final ErrorCounts errors = new ErrorCounts();
  private final List<ChatProtocol.Incoming> received = new CopyOnWriteArrayList<>();
  private final WsConnection connection =
      new WsConnection(0, 0, protocol, (c, in, at) -> received.add(in), errors);

  private EmbeddedChannel channel() {
    return channel(connection);
  }

  private EmbeddedChannel channel(WsConnection connection) {
    DefaultHttpHeaders headers = new DefaultHttpHeaders();
    protocol.handshakeHeaders().forEach(headers::add);
    return new EmbeddedChannel(
        new HttpClientCodec(),
        new HttpObjectAggregator(MAX),
        new WsClientHandler(
            WebSocketClientHandshakerFactory.newHandshaker(
                protocol.uri("127.0.0.1", 8080), WebSocketVersion.V13, null, false, headers, MAX),
            connection,
            MAX));
  }

  /** The upgrade request the handler wrote, as text. */
  private static String request(EmbeddedChannel ch) {
    ByteBuf out = ch.readOutbound();
    try {
      return out.toString(StandardCharsets.US_ASCII);
    } finally {
      out.release();
    }
  }

  private static void respond(EmbeddedChannel ch, String http) {
    ch.writeInbound(Unpooled.copiedBuffer(http, StandardCharsets.US_ASCII));
  }

  /** A server frame: unmasked, payload under 126 bytes. */
  private static ByteBuf frame(int opcode, byte[] payload) {
    ByteBuf b = Unpooled.buffer();
    b.writeByte(0x80 | opcode);
    b.writeByte(payload.length);
    b.writeBytes(payload);
    return b;
  }

  private static void upgrade(EmbeddedChannel ch) throws Exception {
    String request = request(ch);
    assertTrue(request.startsWith("GET / HTTP/1.1\r\n"), request);
    assertTrue(request.contains("\r\nx-api-key: secret\r\n"), request);
    String key =
        request.replaceAll("(?s).*\r\n[Ss]ec-[Ww]eb[Ss]ocket-[Kk]ey: ([^\r]+)\r\n.*", "$1");
    byte[] sha1 =
        MessageDigest.getInstance("SHA-1")
            .digest(
                (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
    respond(
        ch,
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
            + Base64.getEncoder().encodeToString(sha1)
            + "\r\n\r\n");
  }

  @Test
  void aRefusedUpgradeIsCountedByItsHttpStatusAndClosed() throws Exception {
    EmbeddedChannel ch = channel();
    request(ch);
    respond(
        ch,
        "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 5\r\n\r\nfull\n");
    ExecutionException e = assertThrows(ExecutionException.class, () -> connection.ready().get());
    assertEquals("http 503", e.getCause().getMessage());
    assertEquals(Map.of("http 503", 1L), errors.snapshot());
    assertFalse(ch.isOpen());
    assertFalse(ch.finish());
  }

  @Test
  void theServersReadyFrameMakesTheConnectionReadyAndFramesReachTheListenerParsed()
      throws Exception {
    EmbeddedChannel ch = channel();
    upgrade(ch);
    ch.writeInbound(
        frame(
            0x1,
            "{\"type\":\"connected\",\"connectionId\":\"c1\"}".getBytes(StandardCharsets.UTF_8)));
    ch.writeInbound(
        frame(
            0x1,
            "{\"type\":\"error\",\"status\":429,\"code\":\"rateLimited\"}"
                .getBytes(StandardCharsets.UTF_8)));
    assertTrue(connection.ready().isDone() && !connection.ready().isCompletedExceptionally());
    assertEquals(
        List.of(
            new ChatProtocol.Incoming.Ready("c1"),
            new ChatProtocol.Incoming.Error(429, "rateLimited", null)),
        received);
    assertEquals("c1", connection.serverId());
    assertFalse(ch.finish());
  }

  @Test
  void aPingIsAnsweredWithAMaskedPongOfTheSamePayload() throws Exception {
    EmbeddedChannel ch = channel();
    upgrade(ch);
    ch.writeInbound(frame(0x9, "abcd".getBytes(StandardCharsets.US_ASCII)));
    ByteBuf pong = ch.readOutbound();
    try {
      assertEquals(0x8A, pong.readUnsignedByte(), "FIN + pong");
      assertEquals(0x80 | 4, pong.readUnsignedByte(), "masked, as a client must, 4 bytes");
      byte[] mask = new byte[4];
      pong.readBytes(mask);
      byte[] payload = new byte[4];
      for (int i = 0; i < 4; i++) {
        payload[i] = (byte) (pong.readByte() ^ mask[i]);
      }
      assertArrayEquals("abcd".getBytes(StandardCharsets.US_ASCII), payload);
    } finally {
      pong.release();
    }
    assertFalse(ch.finish());
  }

  @Test
  void aCloseFromTheServerIsCountedByItsCodeAndEchoed() throws Exception {
    EmbeddedChannel ch = channel();
    upgrade(ch);
    ch.writeInbound(
        frame(
            0x1,
            "{\"type\":\"connected\",\"connectionId\":\"c1\"}".getBytes(StandardCharsets.UTF_8)));
    ch.writeInbound(frame(0x8, new byte[] {0x03, (byte) 0xF5})); // 1013
    ByteBuf echo = ch.readOutbound();
    try {
      assertEquals(0x88, echo.readUnsignedByte(), "FIN + close");
    } finally {
      echo.release();
    }
    assertFalse(ch.isOpen());
    assertEquals(1013, connection.closed().get());
    assertEquals(Map.of("close 1013", 1L), errors.snapshot());
    assertFalse(ch.finish());
  }

  /** A join in flight: the member's channel, and what {@code joinRooms} returned or threw. */
  private record Joining(EmbeddedChannel ch, CompletableFuture<Object> outcome) {}

  /** Member 1 of a room, its answers to {@code setup}, joining on another thread. */
  private Joining joinThrough(RoomSetup setup) throws Exception {
    WsConnection member =
        new WsConnection(
            1,
            0,
            protocol,
            new ConnectionListener() {
              @Override
              public void onIncoming(WsConnection c, ChatProtocol.Incoming in, long at) {
                setup.onAnswer(in, at);
              }

              @Override
              public void onClosed(WsConnection c, int closeCode) {
                setup.onClosed(c, closeCode);
              }
            },
            errors);
    EmbeddedChannel ch = channel(member);
    upgrade(ch);
    ch.writeInbound(
        frame(
            0x1,
            "{\"type\":\"connected\",\"connectionId\":\"c1\"}".getBytes(StandardCharsets.UTF_8)));
    CompletableFuture<Object> outcome =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return setup.joinRooms(List.of(member), c -> true);
              } catch (Throwable t) {
                return t;
              }
            });
    awaitSent(ch, 1);
    return new Joining(ch, outcome);
  }

  /** Waits until the client has written {@code n} frames since the upgrade. */
  private static void awaitSent(EmbeddedChannel ch, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (ch.outboundMessages().size() < n) {
      assertTrue(System.nanoTime() < deadline, n + " frames sent");
      Thread.sleep(10);
    }
  }

  private static void serverSays(EmbeddedChannel ch, String json) {
    ch.writeInbound(frame(0x1, json.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * A gateway closes a member it presumed dead while its join waits for an answer: the setup fails
   * at once with the reason, instead of waiting out its deadline for an answer that cannot come.
   */
  @Test
  void aJoinWaitingForItsAnswerFailsAtOnceWhenTheServerClosesItsConnection() throws Exception {
    try (RoomSetup setup =
        new RoomSetup(
            protocol, new RoomPlan(2, 2, true), "lt-x", 1000, Duration.ofMinutes(10), errors)) {
      Joining joining = joinThrough(setup);
      joining.ch().writeInbound(frame(0x8, new byte[] {0x03, (byte) 0xE9})); // 1001, no pong
      Object failed = joining.outcome().get(30, TimeUnit.SECONDS);
      assertInstanceOf(RunFailed.class, failed);
      assertTrue(
          ((RunFailed) failed).getMessage().contains("connection closed by the server with 1001"),
          failed.toString());
    }
  }

  /**
   * 503 logUnavailable says the join may have been recorded all the same: when it was, its own
   * answer makes the member joined, and the retry's 409 alreadyMember is no failure.
   */
  @Test
  void aJoinToldLogUnavailableThatLandedAllTheSameIsJoined() throws Exception {
    try (RoomSetup setup =
        new RoomSetup(
            protocol, new RoomPlan(2, 2, true), "lt-x", 1000, Duration.ofMinutes(10), errors)) {
      Joining joining = joinThrough(setup);
      serverSays(
          joining.ch(),
          "{\"type\":\"error\",\"status\":503,\"code\":\"logUnavailable\",\"requestId\":\"s1.1\","
              + "\"retryAfterMs\":0}");
      awaitSent(joining.ch(), 2); // the retry, s1.2
      serverSays(
          joining.ch(), "{\"type\":\"joined\",\"roomId\":\"lt-x-r0\",\"requestId\":\"s1.1\"}");
      serverSays(
          joining.ch(),
          "{\"type\":\"error\",\"status\":409,\"code\":\"alreadyMember\",\"requestId\":\"s1.2\"}");
      Object joined = joining.outcome().get(30, TimeUnit.SECONDS);
      assertInstanceOf(Map.class, joined, String.valueOf(joined));
      assertEquals(Set.of(1), ((Map<?, ?>) joined).keySet());
      assertEquals(
          Map.of("setup 503 logUnavailable", 1L, RoomSetup.EARLIER_ATTEMPT_LANDED, 1L),
          errors.snapshot());
    }
  }

  @Test
  void ourOwnCloseIsNotAnError() throws Exception {
    EmbeddedChannel ch = channel();
    upgrade(ch);
    ch.writeInbound(
        frame(
            0x1,
            "{\"type\":\"connected\",\"connectionId\":\"c1\"}".getBytes(StandardCharsets.UTF_8)));
    connection.close();
    assertEquals(-1, connection.closed().get());
    assertEquals(Map.of(), errors.snapshot());
    assertFalse(ch.finish());
  }
}
