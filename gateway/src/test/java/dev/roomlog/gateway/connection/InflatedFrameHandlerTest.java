package dev.roomlog.gateway.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.compression.ZlibWrapper;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/**
 * How inflate failures map to close codes, against the exceptions Netty's own inflater throws: a
 * Netty upgrade that changes them fails here rather than turning zip bombs into 1007.
 */
class InflatedFrameHandlerTest {
  private static byte[] deflateRaw(byte[] input) {
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    deflater.setInput(input);
    deflater.finish();
    byte[] out = new byte[input.length + 64];
    int n = deflater.deflate(out);
    deflater.end();
    return java.util.Arrays.copyOf(out, n);
  }

  private static Throwable inflate(byte[] compressed, int maxAllocation) {
    EmbeddedChannel inflater =
        new EmbeddedChannel(ZlibCodecFactory.newZlibDecoder(ZlibWrapper.NONE, maxAllocation));
    Throwable failure =
        assertThrows(
            Exception.class, () -> inflater.writeInbound(Unpooled.wrappedBuffer(compressed)));
    try {
      inflater.finishAndReleaseAll();
    } catch (Exception again) {
      // Closing may report a broken stream once more; that is not what is under test.
    }
    return failure;
  }

  @Test
  void inflatingPastMaxAllocationIsMessageTooBig() {
    Throwable bomb = inflate(deflateRaw(new byte[100_000]), 4096);

    assertEquals(WebSocketCloseStatus.MESSAGE_TOO_BIG, InflatedFrameHandler.closeStatusFor(bomb));
  }

  @Test
  void dataThatIsNotDeflateIsInvalidPayload() {
    Throwable corrupt = inflate(new byte[] {(byte) 0xFF, (byte) 0xFF, 0x00, 0x13}, 4096);

    assertEquals(
        WebSocketCloseStatus.INVALID_PAYLOAD_DATA, InflatedFrameHandler.closeStatusFor(corrupt));
  }

  @Test
  void frameDecoderErrorsAndOtherFailuresAreLeftToOthers() {
    assertNull(
        InflatedFrameHandler.closeStatusFor(
            new CorruptedWebSocketFrameException(WebSocketCloseStatus.PROTOCOL_ERROR, "bad")));
    assertNull(InflatedFrameHandler.closeStatusFor(new IllegalStateException("a bug")));
  }
}
