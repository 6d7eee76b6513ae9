package dev.roomlog.gateway.connection;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fails a WebSocket connection on a client's protocol error (RFC 6455 7.1.7) with exactly one close
 * frame carrying the matching code: 1002 for broken framing or an invalid close frame, 1007 for a
 * text message that is not UTF-8, 1009 for a frame or message over our limits. A socket that closes
 * in the middle of a fragmented message is no error. Any other exception, and any protocol error
 * before the handshake, goes on to the next handler. One instance per channel.
 *
 * <p>Why not Netty's own {@code closeOnProtocolViolation} (turned off in {@link
 * GatewayInitializer#webSocketConfig}): its frame decoder and UTF-8 validator write their close
 * frame below {@code WebSocketServerProtocolHandler} and then close the channel; that handler has
 * not seen a close frame go out, so it sends a second one, 1000 "Bye". After an invalid close frame
 * the decoder sends none at all, so the client saw only 1000 (autobahn cases 7.3.2, 7.3.6, 7.5.1,
 * 7.9.x failed). Written through the channel, the close frame passes {@code
 * WebSocketServerProtocolHandler}, which then sends no other. For errors raised below it, that
 * handler also asks for the socket's close as soon as this one returns; LingeringCloseHandler holds
 * that close until the client has answered (or closeTimeout).
 */
public final class ProtocolErrorHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ProtocolErrorHandler.class);

  private boolean upgraded;

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof HandshakeComplete) {
      upgraded = true;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof PrematureChannelClosureException) {
      // The socket closed in the middle of a fragmented message (the client went away, or we
      // closed it for a protocol error in a later fragment): nothing to answer, nothing to warn.
      log.debug("{} closed in the middle of a message", ctx.channel().remoteAddress());
      return;
    }
    WebSocketCloseStatus status = upgraded ? closeStatusFor(cause) : null;
    if (status == null) {
      ctx.fireExceptionCaught(cause);
      return;
    }
    Channel channel = ctx.channel();
    log.debug("closing {} with {}: {}", channel.remoteAddress(), status.code(), cause.toString());
    // The standard reason text, not the exception's message: a close reason may not be longer
    // than 123 bytes, and the client needs the code more than our wording.
    channel.writeAndFlush(new CloseWebSocketFrame(status, status.reasonText()));
    channel.close();
  }

  /** The close code for a client's protocol error, or null if the cause is not one. */
  static WebSocketCloseStatus closeStatusFor(Throwable cause) {
    if (cause instanceof CorruptedWebSocketFrameException corrupted) {
      // Frame decoder and UTF-8 validator: the exception carries the code (1002, 1007, 1009).
      return corrupted.closeStatus();
    }
    if (cause instanceof TooLongFrameException) {
      // WebSocketFrameAggregator: the message grew past maxMessageBytes.
      return WebSocketCloseStatus.MESSAGE_TOO_BIG;
    }
    return null;
  }
}
