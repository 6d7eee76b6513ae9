package dev.roomlog.gateway.handshake;

import dev.roomlog.protocol.settings.Durations;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.Future;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the time from TCP accept to a completed WebSocket upgrade. Netty's own handshake timeout
 * starts only once a whole request has arrived, so a client that sends nothing, or dribbles its
 * request line and headers a byte at a time (slowloris), would hold a socket for ever. This timer
 * starts at {@code channelActive}; when it fires the client gets HTTP 408 and the connection is
 * closed. It is cancelled, and the handler leaves the pipeline, once the 101 response has been
 * written.
 *
 * <p>Sits right after the HTTP codec, so that its 408 is encoded as HTTP and its close goes
 * straight to the socket rather than through the WebSocket handler (which would try to send a
 * WebSocket close frame over HTTP). For the same reason it watches the outbound 101 response
 * instead of the {@code HandshakeComplete} event, which is fired further down the pipeline.
 *
 * <p>One instance per channel; all methods run on its event loop.
 */
public final class HandshakeTimeoutHandler extends ChannelDuplexHandler {
  private static final Logger log = LoggerFactory.getLogger(HandshakeTimeoutHandler.class);

  private final Duration timeout;
  private final Runnable onTimeout;
  private final String body;
  private Future<?> timer;

  public HandshakeTimeoutHandler(Duration timeout) {
    this(timeout, () -> {});
  }

  /**
   * @param onTimeout told of each handshake that timed out (to count it)
   */
  public HandshakeTimeoutHandler(Duration timeout, Runnable onTimeout) {
    this.timeout = timeout;
    this.onTimeout = onTimeout;
    this.body =
        "the WebSocket handshake did not complete within "
            + Durations.format(timeout)
            + ": send the whole upgrade request at once\n";
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    // Added after the channel became active (not the case in GatewayInitializer, but harmless).
    if (ctx.channel().isActive()) {
      start(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    start(ctx);
    super.channelActive(ctx);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    if (msg instanceof HttpResponse response
        && HttpResponseStatus.SWITCHING_PROTOCOLS.equals(response.status())) {
      promise = promise.unvoid();
      promise.addListener(
          written -> {
            if (written.isSuccess() && ctx.pipeline().context(this) != null) {
              ctx.pipeline().remove(this);
            }
          });
    }
    super.write(ctx, msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancel();
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancel();
  }

  private void start(ChannelHandlerContext ctx) {
    if (timer == null) {
      timer = ctx.executor().schedule(() -> timedOut(ctx), timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
    }
  }

  private void timedOut(ChannelHandlerContext ctx) {
    if (!ctx.channel().isActive()) {
      return;
    }
    log.debug(
        "{}: no WebSocket upgrade within {}, closing", ctx.channel().remoteAddress(), timeout);
    onTimeout.run();
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.REQUEST_TIMEOUT,
            Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    // Closed at once rather than when the write completes: a client that does not read must not
    // keep the socket. The flush has already handed the bytes to the kernel if it could take them.
    ctx.writeAndFlush(response);
    ctx.close();
  }
}
