package dev.roomlog.gateway;

import static dev.roomlog.gateway.TestPipelines.actionOfBytes;
import static dev.roomlog.gateway.TestPipelines.rawFrame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.connection.ConnectionRegistry;
import dev.roomlog.protocol.action.Action;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Frame and message limits and RFC 6455 protocol errors, each at and just past its limit, fed as
 * real client bytes (masked frames from Netty's encoder, or hand-built bytes for frames that
 * encoder refuses to produce) through the whole pipeline.
 */
class FrameLimitsTest {
  private static final int MAX_FRAME = 1024;
  private static final int MAX_MESSAGE = 4096;
  private static final int TEXT = 0x1;
  private static final int CONTINUATION = 0x0;
  private static final int PING = 0x9;

  private final RecordingWalAppender wal = new RecordingWalAppender();
  private final WebSocketTestClient client =
      TestPipelines.client(
          TestPipelines.settings()
              .maxFramePayloadBytes(MAX_FRAME)
              .maxMessageBytes(MAX_MESSAGE)
              .build(),
          wal,
          new ConnectionRegistry(),
          null);

  @BeforeEach
  void connect() {
    TestPipelines.connect(client);
  }

  @AfterEach
  void release() {
    client.close();
  }

  private List<Action> actions() {
    return wal.records().stream()
        .map(r -> r.action())
        .filter(a -> a instanceof Action.SendMessage)
        .toList();
  }

  private void assertClosedWith(int code) {
    assertEquals(code, TestPipelines.expectClose(client).code());
    assertEquals(List.of(), actions(), "nothing of it reaches the log");
    TestPipelines.closeAndFinish(client);
  }

  /** As above, after a frame the decoder could not take: it reads nothing more after it. */
  private void assertClosedAfterBrokenFrameWith(int code) {
    assertEquals(code, TestPipelines.expectCloseAfterBrokenFrame(client).code());
    assertEquals(List.of(), actions(), "nothing of it reaches the log");
    TestPipelines.closeAndFinish(client);
  }

  private void assertStillOpen() {
    assertTrue(client.server.isOpen());
    TestPipelines.closeAndFinish(client);
  }

  /** The same text split into frames of at most {@code MAX_FRAME} bytes. */
  private void sendInFrames(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    for (int from = 0; from < bytes.length; from += MAX_FRAME) {
      byte[] part = Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + MAX_FRAME));
      boolean last = from + MAX_FRAME >= bytes.length;
      client.send(
          from == 0
              ? new TextWebSocketFrame(last, 0, Unpooled.wrappedBuffer(part))
              : new ContinuationWebSocketFrame(last, 0, Unpooled.wrappedBuffer(part)));
    }
  }

  @Test
  void frameOfExactlyMaxFramePayloadBytesIsAccepted() {
    client.sendText(actionOfBytes(MAX_FRAME));

    assertEquals(1, actions().size());
    assertStillOpen();
  }

  @Test
  void frameOneByteOverMaxFramePayloadBytesIsClosedWith1009() {
    client.sendText(actionOfBytes(MAX_FRAME + 1));

    assertClosedAfterBrokenFrameWith(1009);
  }

  @Test
  void messageOfExactlyMaxMessageBytesInContinuationFramesIsAccepted() {
    String text = actionOfBytes(MAX_MESSAGE);
    sendInFrames(text);

    assertEquals(1, actions().size());
    assertEquals(
        MAX_MESSAGE - "{\"action\":\"sendMessage\",\"roomId\":\"lobby\",\"text\":\"\"}".length(),
        ((Action.SendMessage) actions().get(0)).text().length(),
        "the message arrived whole");
    assertStillOpen();
  }

  @Test
  void messageOneByteOverMaxMessageBytesInContinuationFramesIsClosedWith1009() {
    sendInFrames(actionOfBytes(MAX_MESSAGE + 1));

    assertClosedWith(1009);
  }

  @Test
  void invalidUtf8InATextFrameIsClosedWith1007() {
    byte[] text =
        "{\"action\":\"leaveRoom\",\"roomId\":\"lo\u00e9\"}".getBytes(StandardCharsets.UTF_8);
    text[text.length - 4] = (byte) 0xFF; // never valid in UTF-8

    client.sendRaw(rawFrame(true, 0, TEXT, true, text));

    assertClosedWith(1007);
  }

  @Test
  void characterSplitAcrossContinuationFramesIsAccepted() {
    byte[] euro = "\u20ac".getBytes(StandardCharsets.UTF_8); // 3 bytes
    String text = "{\"action\":\"sendMessage\",\"roomId\":\"lobby\",\"text\":\"\u20ac\"}";
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int split = text.indexOf('\u20ac') + 1; // after the euro sign's first byte

    client.sendRaw(rawFrame(false, 0, TEXT, true, Arrays.copyOfRange(bytes, 0, split)));
    client.sendRaw(
        rawFrame(true, 0, CONTINUATION, true, Arrays.copyOfRange(bytes, split, bytes.length)));

    assertEquals(3, euro.length);
    assertEquals(List.of(new Action.SendMessage(null, "lobby", "\u20ac", null)), actions());
    assertStillOpen();
  }

  @Test
  void invalidUtf8SplitAcrossContinuationFramesIsClosedWith1007() {
    byte[] first =
        "{\"action\":\"sendMessage\",\"roomId\":\"lobby\",\"text\":\"\u20ac"
            .getBytes(StandardCharsets.UTF_8);
    // The euro sign's first byte ends the first frame; the next frame does not continue it.
    byte[] start = Arrays.copyOf(first, first.length - 2);

    client.sendRaw(rawFrame(false, 0, TEXT, true, start));
    client.sendRaw(rawFrame(true, 0, CONTINUATION, true, "x\"}".getBytes(StandardCharsets.UTF_8)));

    assertClosedWith(1007);
  }

  @Test
  void unmaskedClientFrameIsClosedWith1002() {
    client.sendRaw(
        rawFrame(true, 0, TEXT, false, actionOfBytes(100).getBytes(StandardCharsets.UTF_8)));

    assertClosedAfterBrokenFrameWith(1002);
  }

  @Test
  void rsvBitsWithoutANegotiatedExtensionAreClosedWith1002() {
    for (int rsv : new int[] {0b100, 0b010, 0b001}) {
      WebSocketTestClient other =
          TestPipelines.client(
              TestPipelines.settings().build(), wal, new ConnectionRegistry(), null);
      TestPipelines.connect(other);

      other.sendRaw(
          rawFrame(true, rsv, TEXT, true, actionOfBytes(100).getBytes(StandardCharsets.UTF_8)));

      assertEquals(1002, TestPipelines.expectCloseAfterBrokenFrame(other).code(), "rsv " + rsv);
      TestPipelines.closeAndFinish(other);
      other.close();
    }
    assertStillOpen();
  }

  @Test
  void reservedDataOpcodeIsClosedWith1002() {
    client.sendRaw(rawFrame(true, 0, 0x3, true, new byte[] {'x'}));

    assertClosedAfterBrokenFrameWith(1002);
  }

  @Test
  void reservedControlOpcodeIsClosedWith1002() {
    client.sendRaw(rawFrame(true, 0, 0xB, true, new byte[] {'x'}));

    assertClosedAfterBrokenFrameWith(1002);
  }

  @Test
  void fragmentedControlFrameIsClosedWith1002() {
    client.sendRaw(rawFrame(false, 0, PING, true, new byte[] {'x'}));

    assertClosedAfterBrokenFrameWith(1002);
  }

  @Test
  void pingOf125BytesIsAnswered() {
    byte[] payload = new byte[125];
    Arrays.fill(payload, (byte) 'p');

    client.sendRaw(rawFrame(true, 0, PING, true, payload));

    PongWebSocketFrame pong = assertInstanceOf(PongWebSocketFrame.class, client.nextFrame());
    assertArrayEquals(payload, ByteBufUtil.getBytes(pong.content()));
    pong.release();
    assertStillOpen();
  }

  @Test
  void controlFrameOf126BytesIsClosedWith1002() {
    client.sendRaw(rawFrame(true, 0, PING, true, new byte[126]));

    assertClosedAfterBrokenFrameWith(1002);
    assertFalse(client.server.isOpen());
  }
}
