package dev.roomlog.gateway.management;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;

/**
 * Before the body is read: answers, and closes, a request that the head alone refuses (unknown
 * path, no or wrong admin key, a declared length past the route's limit; {@link
 * ManagementApi#precheck}), and drops the rest of its body unread. So a caller without the key
 * never makes the gateway buffer a body. Sits between the HTTP codec and the aggregator.
 */
final class ManagementHeadHandler extends ChannelInboundHandlerAdapter {
  private final ManagementApi api;

  /** Set once a request was refused: its body, and anything after it, is dropped. */
  private boolean refused;

  ManagementHeadHandler(ManagementApi api) {
    this.api = api;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest request && request.decoderResult().isSuccess()) {
      String sourceIp = ManagementHandler.sourceIp(ctx);
      ApiAnswer answer =
          api.precheck(
              request.method().name(),
              new QueryStringDecoder(request.uri()).rawPath(),
              request.headers()::getAll,
              HttpUtil.getContentLength(request, -1L),
              sourceIp);
      if (answer != null) {
        refused = true;
        ReferenceCountUtil.release(msg);
        // Closed after the answer, lingering: the body that may follow is read and dropped
        // (never buffered), so the client is not reset before it reads the answer.
        ManagementHandler.writeAndLinger(ctx, answer);
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }
}
