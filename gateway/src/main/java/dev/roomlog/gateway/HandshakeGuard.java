package dev.roomlog.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the HTTP request before the WebSocket handshake: path {@code /}, a GET that asks to
 * upgrade to WebSocket, and a valid {@code x-api-key}. Anything else is answered with a plain
 * HTTP error and the connection is closed, before any record reaches the log. A request that
 * passes goes on to the WebSocket handshake and this handler leaves the pipeline.
 */
final class HandshakeGuard extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(HandshakeGuard.class);

  static final String API_KEY_HEADER = "x-api-key";
  static final String UNAUTHORIZED_BODY = "missing or wrong x-api-key header\n";
  static final String NOT_FOUND_BODY = "not found: Roomlog's WebSocket endpoint is at /\n";
  static final String UPGRADE_HINT =
      "this port speaks WebSocket: connect with a WebSocket client to / with an x-api-key"
          + " header, e.g. wscat -c ws://HOST:PORT/ -H 'x-api-key: KEY'\n";

  private final ApiKeys apiKeys;

  HandshakeGuard(ApiKeys apiKeys) {
    this.apiKeys = apiKeys;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request)) {
      ctx.fireChannelRead(msg);
      return;
    }
    HttpResponseStatus refusal;
    try {
      refusal = refusal(request);
    } catch (RuntimeException e) {
      request.release();
      throw e;
    }
    if (refusal != null) {
      request.release();
      respond(ctx, refusal, bodyFor(refusal));
      return;
    }
    ctx.channel().attr(ConnectionAttributes.API_KEY).set(apiKeys.match(request.headers().get(API_KEY_HEADER)).orElseThrow());
    ctx.channel().attr(ConnectionAttributes.SOURCE_IP).set(ActionFrameHandler.sourceIp(ctx.channel().remoteAddress()));
    // Checked once: after the upgrade only WebSocket frames flow, so step out of their way.
    ctx.pipeline().remove(this);
    ctx.fireChannelRead(request);
  }

  private HttpResponseStatus refusal(FullHttpRequest request) {
    if (!"/".equals(new QueryStringDecoder(request.uri()).path())) {
      return HttpResponseStatus.NOT_FOUND;
    }
    if (!HttpMethod.GET.equals(request.method())
        || !request
            .headers()
            .containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
      return HttpResponseStatus.UPGRADE_REQUIRED;
    }
    if (!apiKeys.accepts(request.headers().get(API_KEY_HEADER))) {
      return HttpResponseStatus.UNAUTHORIZED;
    }
    return null;
  }

  private static String bodyFor(HttpResponseStatus status) {
    if (status.equals(HttpResponseStatus.NOT_FOUND)) {
      return NOT_FOUND_BODY;
    }
    if (status.equals(HttpResponseStatus.UPGRADE_REQUIRED)) {
      return UPGRADE_HINT;
    }
    return UNAUTHORIZED_BODY;
  }

  private static void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            status,
            Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    if (status.equals(HttpResponseStatus.UPGRADE_REQUIRED)) {
      response.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
    }
    // ctx.close(), not channel().close(): the WebSocket handler further down the pipeline would
    // otherwise try to send a WebSocket close frame over plain HTTP.
    ctx.writeAndFlush(response).addListener(done -> ctx.close());
    log.debug("refused a handshake from {}: {}", ctx.channel().remoteAddress(), status);
  }
}
