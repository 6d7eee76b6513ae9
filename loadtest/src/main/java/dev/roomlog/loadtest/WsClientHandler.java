package dev.roomlog.loadtest;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;

/**
 * The thin Netty end of one {@link WsConnection}: runs the upgrade, answers pings, and hands text
 * frames and the close to the connection. A refused upgrade is reported by its HTTP status (401,
 * 503, ...), read before the handshaker would turn it into an exception.
 */
final class WsClientHandler extends SimpleChannelInboundHandler<Object> {
  private final WebSocketClientHandshaker handshaker;
  private final WsConnection connection;
  private final int maxMessageBytes;

  WsClientHandler(
      WebSocketClientHandshaker handshaker, WsConnection connection, int maxMessageBytes) {
    this.handshaker = handshaker;
    this.connection = connection;
    this.maxMessageBytes = maxMessageBytes;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    connection.attached(ctx.channel());
    handshaker
        .handshake(ctx.channel())
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess()) {
                    connection.failed(
                        "handshake " + f.cause().getClass().getSimpleName(), f.cause());
                    f.channel().close();
                  }
                });
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
    if (!handshaker.isHandshakeComplete()) {
      FullHttpResponse response = (FullHttpResponse) msg;
      if (!HttpResponseStatus.SWITCHING_PROTOCOLS.equals(response.status())) {
        connection.handshakeRefused(response.status().code());
        ctx.close();
        return;
      }
      try {
        handshaker.finishHandshake(ctx.channel(), response);
      } catch (WebSocketHandshakeException e) {
        connection.failed("handshake invalid", e);
        ctx.close();
        return;
      }
      // Servers may split a large frame (a join answer listing a thousand members) in pieces.
      ctx.pipeline()
          .addBefore(ctx.name(), "ws-aggregator", new WebSocketFrameAggregator(maxMessageBytes));
      return;
    }
    if (!(msg instanceof WebSocketFrame)) {
      return;
    }
    if (msg instanceof TextWebSocketFrame text) {
      connection.onText(text.text(), System.nanoTime());
    } else if (msg instanceof PingWebSocketFrame ping) {
      ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
    } else if (msg instanceof CloseWebSocketFrame close) {
      int code = close.statusCode();
      // RFC 6455 7.1.5: a close frame without a code reads as 1005.
      connection.closeReceived(code < 0 ? 1005 : code);
      CloseWebSocketFrame echo =
          code < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(code, null);
      ctx.writeAndFlush(echo).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    connection.onChannelClosed();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    connection.failed("error " + cause.getClass().getSimpleName(), cause);
    ctx.close();
  }
}
