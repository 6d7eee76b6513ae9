package dev.roomlog.gateway.connection;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.Test;

/**
 * Which errors on a connection the gateway logs as a warning with its stack trace (a fault of ours)
 * and which as a line at debug (the client or its network): operators read the first kind.
 */
class PeerErrorsTest {
  @Test
  void aClientGoneOrBrokenIsNotAWarning() {
    assertTrue(ActionFrameHandler.isPeersDoing(new IOException("Broken pipe")));
    assertTrue(ActionFrameHandler.isPeersDoing(new IOException("Connection reset by peer")));
    assertTrue(ActionFrameHandler.isPeersDoing(new ClosedChannelException()));
    assertTrue(ActionFrameHandler.isPeersDoing(new CorruptedFrameException("bad mask")));
    assertTrue(ActionFrameHandler.isPeersDoing(new TooLongFrameException("too long")));
    assertTrue(
        ActionFrameHandler.isPeersDoing(new PrematureChannelClosureException("mid-message")));
  }

  @Test
  void aFaultOfOursIsAWarning() {
    assertFalse(ActionFrameHandler.isPeersDoing(new IllegalStateException("a bug")));
    assertFalse(ActionFrameHandler.isPeersDoing(new NullPointerException()));
    assertFalse(ActionFrameHandler.isPeersDoing(new OutOfMemoryError("direct buffer memory")));
  }
}
