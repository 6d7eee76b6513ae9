package dev.roomlog.gateway.management;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DuplexChannel;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thin Netty edge of {@link ManagementApi}: one whole request in, its answer out (when the
 * API's future completes, possibly on another thread), keep-alive as the client asks. Answers go
 * out in the order the requests came, whatever order they complete in: a client that pipelines must
 * get each answer for its own request.
 */
final class ManagementHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(ManagementHandler.class);

  private final ManagementApi api;

  /** The last answer of this connection written, or to be written; each next one waits for it. */
  private CompletableFuture<Void> lastWritten = CompletableFuture.completedFuture(null);

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
    QueryStringDecoder uri = new QueryStringDecoder(request.uri());
    String path = uri.rawPath();
    String query = uri.rawQuery().isEmpty() ? null : uri.rawQuery();
    byte[] body = ByteBufUtil.getBytes(request.content());
    String sourceIp = sourceIp(ctx);
    var headers = request.headers().copy();
    CompletableFuture<ApiAnswer> answer =
        api.handle(request.method().name(), path, query, headers::getAll, body, sourceIp)
            .exceptionally(
                failure -> ApiAnswer.error(500, "internalError", "unexpected failure: " + failure));
    // Runs on the event loop (channelRead0), so lastWritten needs no lock.
    lastWritten =
        lastWritten
            .thenCombine(answer, (previous, next) -> next)
            .thenAccept(a -> write(ctx, a, keepAlive));
  }

  /** The caller's IP address as text (the management port trusts no proxy header). */
  static String sourceIp(ChannelHandlerContext ctx) {
    return ctx.channel().remoteAddress() instanceof InetSocketAddress inet
            && inet.getAddress() != null
        ? inet.getAddress().getHostAddress()
        : String.valueOf(ctx.channel().remoteAddress());
  }

  /**
   * How long the socket of a request refused from its head alone keeps reading, and dropping, the
   * body the client is still sending, after the answer.
   */
  static final long LINGER_MILLIS = 2_000;

  /**
   * Answers and then closes the way {@code write(..., false)} does, but lingering: a client still
   * sending the body of a request refused from its head (a 413 for a declared length past the
   * limit, a 401) would otherwise have the kernel reset the socket under unread input, and lose the
   * answer it was sent. So the output is shut down once the answer is out, the input is read and
   * dropped ({@link ManagementHeadHandler} drops it), and the socket closes when the client closes
   * its side or after {@link #LINGER_MILLIS}.
   */
  static void writeAndLinger(ChannelHandlerContext ctx, ApiAnswer answer) {
    FullHttpResponse response = response(answer);
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response)
        .addListener(
            written -> {
              if (!written.isSuccess() || !(ctx.channel() instanceof DuplexChannel duplex)) {
                ctx.close();
                return;
              }
              duplex.shutdownOutput();
              ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
            });
  }

  static void write(ChannelHandlerContext ctx, ApiAnswer answer, boolean keepAlive) {
    FullHttpResponse response = response(answer);
    if (keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(response);
    } else {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  private static FullHttpResponse response(ApiAnswer answer) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(answer.status()),
            answer.text() != null
                ? Unpooled.copiedBuffer(answer.text(), StandardCharsets.UTF_8)
                : answer.json() == null
                    ? Unpooled.EMPTY_BUFFER
                    : Unpooled.copiedBuffer(answer.json(), StandardCharsets.UTF_8));
    if (answer.text() != null) {
      response
          .headers()
          .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
    } else if (answer.json() != null) {
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
    }
    if (answer.allow() != null) {
      response.headers().set(HttpHeaderNames.ALLOW, answer.allow());
    }
    if (answer.errorType() != null) {
      // What the AWS SDKs choose their exception by (AwsAnswers).
      response.headers().set("x-amzn-ErrorType", answer.errorType());
    }
    HttpUtil.setContentLength(response, response.content().readableBytes());
    return response;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug(
        "closing management connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
