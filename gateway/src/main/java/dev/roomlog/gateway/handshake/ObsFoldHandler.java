package dev.roomlog.gateway.handshake;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Sits before the HTTP codec and shows the raw bytes of the request head to an {@link
 * ObsFoldDetector}; it consumes nothing, and leaves the pipeline once the head has ended. {@link
 * HandshakeHandler} asks it whether a fold was seen. One instance per channel.
 */
public final class ObsFoldHandler extends ChannelInboundHandlerAdapter {
  private final ObsFoldDetector detector = new ObsFoldDetector();

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf bytes && !detector.done()) {
      bytes.forEachByte(detector::feed);
      if (detector.done()) {
        ctx.pipeline().remove(this);
      }
    }
    ctx.fireChannelRead(msg);
  }

  /** Whether the request head had obsolete line folding. */
  public boolean foldSeen() {
    return detector.foldSeen();
  }
}
