package dev.roomlog.gateway.connection;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CodecException;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polices what comes out of permessage-deflate; in the pipeline only when it is enabled, right
 * after the place where the inflater is inserted once a client negotiates it.
 *
 * <ul>
 *   <li>With deflate enabled the frame decoder must accept RSV bits (it cannot know whether this
 *       client negotiated the extension), so this handler refuses what is left: the inflater clears
 *       RSV1 from the frames it inflated, and any RSV bit still set means an extension that was not
 *       negotiated: close 1002.
 *   <li>The inflater is created with {@code maxAllocation} a little over {@code maxMessageBytes}: a
 *       frame that would inflate past it (a zip bomb) fails with Netty's "buffer has reached
 *       maximum size" {@link DecompressionException} before more memory is taken, and an inflated
 *       frame larger than {@code maxMessageBytes} is refused here: close 1009 either way, as for
 *       any other message that is too big. (The frame aggregator bounds messages split over
 *       continuation frames.) Any other inflate failure is bad input: close 1007.
 * </ul>
 *
 * <p>One instance per channel; all methods run on its event loop.
 */
public final class InflatedFrameHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(InflatedFrameHandler.class);
  static final String RSV_REASON = "reserved bits set without a negotiated extension";
  static final String TOO_BIG_REASON = "message too big";
  static final String CORRUPT_REASON = "invalid permessage-deflate data";

  /** The start of ZlibDecoder's message when the inflated data would pass maxAllocation. */
  private static final String ALLOCATION_LIMIT_MESSAGE =
      "Decompression buffer has reached maximum size";

  private final int maxMessageBytes;
  private boolean closing;

  public InflatedFrameHandler(int maxMessageBytes) {
    this.maxMessageBytes = maxMessageBytes;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (closing && msg instanceof WebSocketFrame) {
      // Frames decoded in the same read as the offending one must not reach the application.
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof WebSocketFrame frame && frame.rsv() != 0) {
      frame.release();
      close(ctx.channel(), WebSocketCloseStatus.PROTOCOL_ERROR, RSV_REASON);
      return;
    }
    if (msg instanceof WebSocketFrame frame && frame.content().readableBytes() > maxMessageBytes) {
      frame.release();
      close(ctx.channel(), WebSocketCloseStatus.MESSAGE_TOO_BIG, TOO_BIG_REASON);
      return;
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
    WebSocketCloseStatus status = closeStatusFor(cause);
    if (status == null) {
      super.exceptionCaught(ctx, cause);
      return;
    }
    log.debug(
        "closing {} with {}: {}", ctx.channel().remoteAddress(), status.code(), cause.toString());
    close(
        ctx.channel(),
        status,
        status.equals(WebSocketCloseStatus.MESSAGE_TOO_BIG) ? TOO_BIG_REASON : CORRUPT_REASON);
  }

  /** The close code for an inflate failure, or null if the exception is not one. */
  static WebSocketCloseStatus closeStatusFor(Throwable cause) {
    if (cause instanceof CorruptedFrameException) {
      // From the frame decoder, which has already sent its own close frame.
      return null;
    }
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof DecompressionException
          && t.getMessage() != null
          && t.getMessage().startsWith(ALLOCATION_LIMIT_MESSAGE)) {
        return WebSocketCloseStatus.MESSAGE_TOO_BIG;
      }
    }
    // After the upgrade, the only codec errors raised before this handler come from the frame
    // decoder (handled above) and from the inflater.
    return cause instanceof CodecException ? WebSocketCloseStatus.INVALID_PAYLOAD_DATA : null;
  }

  private void close(Channel channel, WebSocketCloseStatus status, String reason) {
    if (closing) {
      return;
    }
    closing = true;
    channel.writeAndFlush(new CloseWebSocketFrame(status, reason));
    channel.close();
  }
}
