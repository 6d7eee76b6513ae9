package dev.roomlog.gateway.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.handshake.HandshakeAttributes;
import dev.roomlog.protocol.control.ConnectionInfo;
import dev.roomlog.protocol.frame.ErrorCode;
import dev.roomlog.protocol.frame.ServerFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConnectionRegistryTest {
  private static final String FRAME = "{\"type\":\"message\",\"text\":\"héllo\"}";

  private final ConnectionRegistry registry =
      new ConnectionRegistry(new UnpooledByteBufAllocator(false));

  @Test
  void encodesAFrameOnceForAllRecipientsAndReleasesItAfterTheWrites() {
    EmbeddedChannel a = new EmbeddedChannel();
    EmbeddedChannel b = new EmbeddedChannel();
    EmbeddedChannel c = new EmbeddedChannel();
    registry.register("a", a);
    registry.register("b", b);
    registry.register("c", c);

    registry.deliver(List.of("a", "b", "c"), FRAME);

    TextWebSocketFrame fa = a.readOutbound();
    TextWebSocketFrame fb = b.readOutbound();
    TextWebSocketFrame fc = c.readOutbound();
    ByteBuf shared = fa.content().unwrap();
    assertSame(shared, fb.content().unwrap(), "b got a duplicate of the same bytes");
    assertSame(shared, fc.content().unwrap(), "c got a duplicate of the same bytes");
    assertEquals(FRAME, fa.content().toString(StandardCharsets.UTF_8));
    assertEquals(FRAME, fc.text());
    assertEquals(3, shared.refCnt(), "one reference per unwritten frame, none for the registry");
    fa.release();
    fb.release();
    fc.release();
    assertEquals(0, shared.refCnt());
    assertEquals(3, registry.framesWritten());
    assertFalse(a.finish());
    assertFalse(b.finish());
    assertFalse(c.finish());
  }

  @Test
  void skipsUnknownConnectionIdsSilentlyAndCountsThem() {
    EmbeddedChannel a = new EmbeddedChannel();
    registry.register("a", a);

    registry.deliver(List.of("gone-1", "a", "gone-2"), FRAME);

    TextWebSocketFrame frame = a.readOutbound();
    assertEquals(FRAME, frame.text());
    ByteBuf shared = frame.content().unwrap();
    frame.release();
    assertEquals(0, shared.refCnt());
    assertEquals(2, registry.unknownRecipients());
    assertFalse(a.finish());
  }

  @Test
  void releasesTheEncodedFrameWhenNoRecipientIsHere() {
    registry.deliver(List.of("gone"), FRAME);

    assertEquals(1, registry.unknownRecipients());
    assertEquals(0, registry.framesWritten());
  }

  @Test
  void unregisteredConnectionNoLongerReceivesFrames() {
    EmbeddedChannel a = new EmbeddedChannel();
    registry.register("a", a);
    registry.unregister("a");

    registry.deliver(List.of("a"), FRAME);

    assertNull(a.readOutbound());
    assertEquals(0, registry.size());
    assertFalse(a.finish());
  }

  @Test
  void cutsOffAClientThatDoesNotReadWithClose1013() {
    EmbeddedChannel slow = new EmbeddedChannel();
    slow.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1, 2));
    // Buffered but never flushed to the peer: the channel is over its high-water mark.
    slow.write(new TextWebSocketFrame("backlog"));
    assertFalse(slow.isWritable());
    registry.register("slow", slow);

    registry.deliver(List.of("slow"), FRAME);

    assertFalse(slow.isOpen());
    assertEquals(1, registry.slowClientsCut());
    TextWebSocketFrame backlog = slow.readOutbound();
    backlog.release();
    CloseWebSocketFrame close = assertInstanceOf(CloseWebSocketFrame.class, slow.readOutbound());
    assertEquals(1013, close.statusCode());
    close.release();
    assertFalse(slow.finish());
  }

  @Test
  void aFrameSentThroughTheManagementApiToAClientThatDoesNotReadIsRefusedAndTheClientCutOff() {
    EmbeddedChannel slow = new EmbeddedChannel();
    slow.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1, 2));
    slow.write(new TextWebSocketFrame("backlog"));
    registry.register("slow", slow);

    assertFalse(
        registry.send("slow", "hello"),
        "the frame would be dropped: the caller hears 410, not 200");

    assertFalse(slow.isOpen());
    assertEquals(1, registry.slowClientsCut());
    TextWebSocketFrame backlog = slow.readOutbound();
    assertEquals("backlog", backlog.text(), "nothing was added behind the backlog");
    backlog.release();
    CloseWebSocketFrame close = assertInstanceOf(CloseWebSocketFrame.class, slow.readOutbound());
    assertEquals(1013, close.statusCode());
    close.release();
    assertFalse(slow.finish());
  }

  @Test
  void closeAllClosesEveryConnectionWith1001() {
    EmbeddedChannel a = new EmbeddedChannel();
    registry.register("a", a);

    assertTrue(registry.closeAll(Duration.ofSeconds(5)));

    assertFalse(a.isOpen());
    CloseWebSocketFrame close = assertInstanceOf(CloseWebSocketFrame.class, a.readOutbound());
    assertEquals(1001, close.statusCode());
    close.release();
    assertFalse(a.finish());
  }

  @Test
  void closeMatchingClosesOnlyThePickedConnectionsWithTheGivenCode() {
    EmbeddedChannel keep = new EmbeddedChannel();
    EmbeddedChannel drop = new EmbeddedChannel();
    keep.attr(HandshakeAttributes.SOURCE_IP).set("192.0.2.1");
    drop.attr(HandshakeAttributes.SOURCE_IP).set("198.51.100.1");
    registry.register("keep", keep);
    registry.register("drop", drop);

    int closed =
        registry.closeMatching(
            ch -> "198.51.100.1".equals(ch.attr(HandshakeAttributes.SOURCE_IP).get()),
            WebSocketCloseStatus.POLICY_VIOLATION,
            "not allowed");

    assertEquals(1, closed);
    assertTrue(keep.isOpen());
    assertNull(keep.readOutbound());
    assertFalse(drop.isOpen());
    CloseWebSocketFrame close = assertInstanceOf(CloseWebSocketFrame.class, drop.readOutbound());
    assertEquals(1008, close.statusCode());
    assertEquals("not allowed", close.reasonText());
    close.release();
    assertFalse(keep.finish());
    assertFalse(drop.finish());
  }

  @Test
  void sendWritesTheTextAsOneTextFrameToAnOpenConnection() {
    EmbeddedChannel a = new EmbeddedChannel();
    registry.register("gw-1.a", a);

    assertTrue(registry.send("gw-1.a", FRAME));

    TextWebSocketFrame frame = a.readOutbound();
    assertEquals(FRAME, frame.text());
    frame.release();
    assertNull(a.readOutbound());
    assertFalse(a.finish());
  }

  @Test
  void sendToAConnectionThatIsNotOpenHereGoesNowhere() {
    EmbeddedChannel closed = new EmbeddedChannel();
    registry.register("gw-1.closed", closed);
    closed.close();

    assertFalse(registry.send("gw-1.unknown", FRAME));
    assertFalse(registry.send("gw-1.closed", FRAME));

    assertNull(closed.readOutbound());
    assertEquals(0, registry.framesWritten());
    assertFalse(closed.finish());
  }

  @Test
  void disconnectClosesTheConnectionWith1000() {
    EmbeddedChannel a = new EmbeddedChannel();
    registry.register("gw-1.a", a);

    assertTrue(registry.disconnect("gw-1.a"));

    assertFalse(a.isOpen());
    CloseWebSocketFrame close = assertInstanceOf(CloseWebSocketFrame.class, a.readOutbound());
    assertEquals(1000, close.statusCode());
    assertEquals(ConnectionRegistry.DELETED_REASON, close.reasonText());
    close.release();
    assertFalse(a.finish());
  }

  @Test
  void disconnectOfAConnectionThatIsNotOpenHereIsFalse() {
    EmbeddedChannel closed = new EmbeddedChannel();
    registry.register("gw-1.closed", closed);
    closed.close();

    assertFalse(registry.disconnect("gw-1.unknown"));
    assertFalse(registry.disconnect("gw-1.closed"));
    assertNull(closed.readOutbound());
    assertFalse(closed.finish());
  }

  @Test
  void infoDescribesAnOpenConnectionAndNothingElse() {
    EmbeddedChannel a = new EmbeddedChannel();
    OpenConnections.open(registry, "gw-1.a", a, 1_000L, "192.0.2.1", "curl/8", "web");
    EmbeddedChannel bare = new EmbeddedChannel();
    registry.register("gw-1.bare", bare);

    assertEquals(
        Optional.of(
            new ConnectionInfo(
                "gw-1.a",
                1_000L,
                1_000L,
                new ConnectionInfo.Identity("192.0.2.1", "curl/8", "web"))),
        registry.info("gw-1.a"));
    assertEquals(Optional.empty(), registry.info("gw-1.unknown"));
    assertEquals(Optional.empty(), registry.info("gw-1.bare"), "no handshake finished on it");

    a.close();
    assertEquals(Optional.empty(), registry.info("gw-1.a"));
    assertFalse(a.finish());
    assertFalse(bare.finish());
  }

  @Test
  void aListenerGetsTheFramesForItsIdUntilItStops() {
    List<String> heard = new ArrayList<>();
    registry.listen("gw-1.post-1", heard::add);

    registry.deliver(List.of("gw-1.post-1"), FRAME);
    assertEquals(List.of(FRAME), heard);
    assertEquals(0, registry.unknownRecipients());

    registry.stopListening("gw-1.post-1");
    registry.deliver(List.of("gw-1.post-1"), FRAME);
    assertEquals(List.of(FRAME), heard, "nothing after stopListening");
    assertEquals(1, registry.unknownRecipients());
  }

  @Test
  void listeningOnAnIdInUseIsRefused() {
    EmbeddedChannel a = new EmbeddedChannel();
    registry.register("gw-1.a", a);
    registry.listen("gw-1.post-1", frame -> {});

    assertThrows(IllegalStateException.class, () -> registry.listen("gw-1.a", frame -> {}));
    assertThrows(IllegalStateException.class, () -> registry.listen("gw-1.post-1", frame -> {}));

    registry.stopListening("gw-1.post-1");
    registry.listen("gw-1.post-1", frame -> {});
    assertFalse(a.finish());
  }

  @Test
  void onlyTheFramesSentToTheConnectionThatAskedCountAsItsAnswers() {
    List<ServerFrame.MemberView> members = List.of(new ServerFrame.MemberView("c1", "ann"));
    ServerFrame.Message message = new ServerFrame.Message("r", 4, "ann", "c1", "hi", 1L, null, "q");
    for (ServerFrame answer :
        List.of(
            new ServerFrame.RoomCreated("r", 2, members, "q"),
            new ServerFrame.Joined("r", 3, members, List.of(message), null, "q"),
            new ServerFrame.Joined("r", 3, members, null, List.of(message), null),
            new ServerFrame.Resumed("r", 2, 4, List.of(message), "q"),
            new ServerFrame.Left("r", 5, null),
            ErrorCode.RESUME_TOO_OLD.frame("too old", null))) {
      assertTrue(ConnectionRegistry.isAnswer(answer.toJson()), answer.toJson());
    }
    for (ServerFrame told :
        List.of(
            message,
            new ServerFrame.MemberJoined("r", 3, "c2", "bob", 1L),
            new ServerFrame.MemberLeft("r", 6, "c2", "bob", "left", 2L),
            new ServerFrame.Connected("c1"))) {
      assertFalse(ConnectionRegistry.isAnswer(told.toJson()), told.toJson());
    }
    assertFalse(ConnectionRegistry.isAnswer("{\"note\":1,\"type\":\"joined\"}"), "type not first");
    assertFalse(ConnectionRegistry.isAnswer("not json"));
    assertFalse(ConnectionRegistry.isAnswer("{\"type\":7}"));
  }
}
