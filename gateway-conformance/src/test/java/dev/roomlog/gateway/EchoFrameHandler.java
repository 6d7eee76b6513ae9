package dev.roomlog.gateway;

import dev.roomlog.gateway.connection.ActionFrameHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends every whole text or binary message back as it came; it stands where the gateway has {@link
 * ActionFrameHandler}. Ping, pong and close frames never reach it: the WebSocket protocol handler
 * answers pings, drops pongs and completes the closing handshake, exactly as in the gateway. One
 * instance per channel.
 */
final class EchoFrameHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
  private static final Logger log = LoggerFactory.getLogger(EchoFrameHandler.class);

  EchoFrameHandler() {
    // The frame itself is written back, so it must not be released after channelRead0.
    super(false);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
      ctx.write(frame);
    } else {
      frame.release();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    // One flush per read batch, not per message: the suite's many small frames stay fast.
    ctx.flush();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A client's protocol errors stop at ProtocolErrorHandler, so this is a bug in the echo path
    // or the gateway's codec: say so, and the suite reports the case as failed.
    log.warn("closing {} after an unexpected error", ctx.channel().remoteAddress(), cause);
    ctx.close();
  }
}
