package dev.roomlog.gateway.connection;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.PrematureChannelClosureException;
import org.junit.jupiter.api.Test;

/** What the handler keeps to itself and what it passes on; close codes: GatewayPipelineTest. */
class ProtocolErrorHandlerTest {

  @Test
  void aSocketClosedInTheMiddleOfAMessageIsNotPassedOnAsAnError() {
    EmbeddedChannel channel = new EmbeddedChannel(new ProtocolErrorHandler());

    channel.pipeline().fireExceptionCaught(new PrematureChannelClosureException("mid-message"));

    channel.checkException();
    assertFalse(channel.finish());
  }

  @Test
  void anyOtherErrorIsPassedOn() {
    EmbeddedChannel channel = new EmbeddedChannel(new ProtocolErrorHandler());

    channel.pipeline().fireExceptionCaught(new IllegalStateException("a bug"));

    assertThrows(IllegalStateException.class, channel::checkException);
    assertFalse(channel.finish());
  }
}
