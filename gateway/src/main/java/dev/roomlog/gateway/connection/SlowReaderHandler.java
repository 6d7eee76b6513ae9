package dev.roomlog.gateway.connection;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;

/**
 * Refuses to queue data frames for a client that does not read. Once the channel's outbound buffer
 * is past its high-water mark ({@code maxOutboundBytesPerConnection}) the frame is dropped and the
 * client is closed with 1013, the same policy (and counter) as {@link ConnectionRegistry#deliver}.
 * It covers every data frame written through the channel, so the gateway's own replies (error
 * frames for a client that floods invalid actions and never reads) cannot grow the heap either.
 *
 * <p>Last in the pipeline, so that every {@code channel.write} passes it first. Control frames
 * (close, ping, pong) pass: they are small, and the close frame is how the client learns why. The
 * pongs Netty writes in answer to a client's pings never pass here (they are written from the
 * WebSocket handler's place in the pipeline); {@link PingRateHandler} bounds those. One instance
 * per channel; runs on its event loop.
 */
public final class SlowReaderHandler extends ChannelOutboundHandlerAdapter {
  private final ConnectionRegistry registry;
  private boolean cutOff;

  public SlowReaderHandler(ConnectionRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    boolean data = msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame;
    if (data && (cutOff || !ctx.channel().isWritable())) {
      ReferenceCountUtil.release(msg);
      if (!promise.isVoid()) {
        promise.tryFailure(new ClosedChannelException());
      }
      if (!cutOff) {
        cutOff = true;
        registry.cutOffSlowClient(String.valueOf(ctx.channel().remoteAddress()), ctx.channel());
      }
      return;
    }
    super.write(ctx, msg, promise);
  }
}
