package dev.roomlog.gateway.management;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thin Netty edge of {@link ManagementApi}: one whole request in, its answer out (when the
 * API's future completes, possibly on another thread), keep-alive as the client asks.
 */
final class ManagementHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(ManagementHandler.class);

  private final ManagementApi api;

  ManagementHandler(ManagementApi api) {
    this.api = api;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    if (!request.decoderResult().isSuccess()) {
      write(ctx, ApiAnswer.error(400, "badRequest", "the request is not valid HTTP"), false);
      return;
    }
    String path = new QueryStringDecoder(request.uri()).rawPath();
    byte[] body = ByteBufUtil.getBytes(request.content());
    String sourceIp =
        ctx.channel().remoteAddress() instanceof InetSocketAddress inet && inet.getAddress() != null
            ? inet.getAddress().getHostAddress()
            : String.valueOf(ctx.channel().remoteAddress());
    var headers = request.headers().copy();
    api.handle(request.method().name(), path, headers::getAll, body, sourceIp)
        .whenComplete(
            (answer, failure) ->
                write(
                    ctx,
                    failure == null
                        ? answer
                        : ApiAnswer.error(500, "internalError", "unexpected failure: " + failure),
                    keepAlive));
  }

  private static void write(ChannelHandlerContext ctx, ApiAnswer answer, boolean keepAlive) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(answer.status()),
            answer.json() == null
                ? Unpooled.EMPTY_BUFFER
                : Unpooled.copiedBuffer(answer.json(), StandardCharsets.UTF_8));
    if (answer.json() != null) {
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
    }
    if (answer.allow() != null) {
      response.headers().set(HttpHeaderNames.ALLOW, answer.allow());
    }
    HttpUtil.setContentLength(response, response.content().readableBytes());
    if (keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(response);
    } else {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("closing management connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
