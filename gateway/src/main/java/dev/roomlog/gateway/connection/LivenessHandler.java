package dev.roomlog.gateway.connection;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import io.netty.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty side of {@link ConnectionClock}: tells it about every frame the client sends, and does
 * what it says (ping, or close 1001) on one timer of the channel's event loop, re-armed for the
 * next moment the clock names. Starts when the WebSocket handshake completes.
 *
 * <p>Sits before the WebSocket protocol handler, which answers pings and drops pongs without
 * passing them on; here every frame is seen. One instance per channel; all methods run on its event
 * loop, and time is the event loop's ticker, so that tests can move it by hand.
 */
public final class LivenessHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(LivenessHandler.class);

  private final ConnectionClock.Limits limits;
  private ConnectionClock clock;
  private Future<?> timer;

  public LivenessHandler(ConnectionClock.Limits limits) {
    this.limits = limits;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof HandshakeComplete && clock == null) {
      clock = new ConnectionClock(limits, now(ctx));
      schedule(ctx, clock.firstCheckAt());
    }
    super.userEventTriggered(ctx, event);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (clock != null) {
      if (msg instanceof TextWebSocketFrame
          || msg instanceof BinaryWebSocketFrame
          || msg instanceof ContinuationWebSocketFrame) {
        clock.onMessageFrame(now(ctx));
      } else {
        clock.onControlFrame(now(ctx));
      }
    }
    super.channelRead(ctx, msg);
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

  private void check(ChannelHandlerContext ctx) {
    timer = null;
    Channel channel = ctx.channel();
    if (!channel.isActive()) {
      return;
    }
    ConnectionClock.Verdict verdict = clock.check(now(ctx));
    if (verdict instanceof ConnectionClock.Wait wait) {
      schedule(ctx, wait.checkAt());
    } else if (verdict instanceof ConnectionClock.Ping ping) {
      // Through the channel, so that the WebSocket handler drops it if a close was already sent.
      channel.writeAndFlush(new PingWebSocketFrame());
      schedule(ctx, ping.checkAt());
    } else if (verdict instanceof ConnectionClock.Close close) {
      // At INFO with what was still queued for the peer: a ping stuck behind unsent frames, or
      // a pong read late by a starved event loop, looks the same as a dead peer from here, and
      // the bench's huge room lost members this way (issue 18) without a line saying which.
      ChannelOutboundBuffer queued = channel.unsafe().outboundBuffer();
      log.info(
          "closing {} with {}: {} ({} bytes still queued for it)",
          channel.remoteAddress(),
          close.code(),
          close.reason(),
          queued == null ? 0 : queued.totalPendingWriteBytes());
      // A peer presumed gone never answers the close frame: LingeringCloseHandler closes the
      // socket at closeTimeout.
      channel.writeAndFlush(new CloseWebSocketFrame(close.code(), close.reason()));
      channel.close();
    }
  }

  private void schedule(ChannelHandlerContext ctx, long at) {
    long delay = Math.max(0, at - now(ctx));
    timer = ctx.executor().schedule(() -> check(ctx), delay, TimeUnit.NANOSECONDS);
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private static long now(ChannelHandlerContext ctx) {
    return ctx.executor().ticker().nanoTime();
  }
}
