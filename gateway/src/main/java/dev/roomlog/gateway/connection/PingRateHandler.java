package dev.roomlog.gateway.connection;

import dev.roomlog.gateway.handshake.HandshakeAttributes;
import dev.roomlog.gateway.limits.MessageRateLimiter;
import dev.roomlog.gateway.limits.TokenBucket;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds what a client's pings cost. Netty's WebSocket handler answers every ping with a pong
 * written from its own place in the pipeline, so the pong never passes {@link SlowReaderHandler},
 * and pings are not messages, so {@link MessageRateLimiter} never sees them: a client that sends
 * pings and never reads would pile pongs up in its outbound buffer without bound. Here, before that
 * handler:
 *
 * <ul>
 *   <li>a ping that arrives while the channel is unwritable (more than {@code
 *       maxOutboundBytesPerConnection} waiting) is dropped unanswered and the client is cut off
 *       with 1013, the same policy and counter as every other slow reader ({@link
 *       ConnectionRegistry#cutOffSlowClient});
 *   <li>each ping takes a token from the connection's ping bucket ({@code maxPingsPerSecond}
 *       tokens, refilled at that rate); a ping that finds it empty closes the connection with 1008.
 *       Pings are a liveness check, not a channel: a client has no reason to send more than one
 *       every few seconds.
 * </ul>
 *
 * Pongs pass untouched: they are dropped without an answer, so they cost no memory.
 *
 * <p>One instance per channel; runs on its event loop. Time is the event loop's ticker, so that
 * tests move it by hand.
 */
public final class PingRateHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(PingRateHandler.class);

  private final ConnectionRegistry registry;
  private final int pingsPerSecond;
  private final String floodReason;
  private TokenBucket bucket;

  /** Set once this handler has closed the channel; later pings are dropped unanswered. */
  private boolean closing;

  public PingRateHandler(ConnectionRegistry registry, int pingsPerSecond) {
    this.registry = registry;
    this.pingsPerSecond = pingsPerSecond;
    this.floodReason = floodReason(pingsPerSecond);
  }

  /** The close reason of a client past its ping rate (under the 123 bytes a reason may have). */
  static String floodReason(int pingsPerSecond) {
    return "too many pings: at most " + pingsPerSecond + " per second";
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    bucket = new TokenBucket(pingsPerSecond, pingsPerSecond, ctx.executor().ticker()::nanoTime);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof PingWebSocketFrame)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    Channel channel = ctx.channel();
    if (!channel.isWritable()) {
      ReferenceCountUtil.release(msg);
      closing = true;
      registry.cutOffSlowClient(String.valueOf(channel.remoteAddress()), channel);
      return;
    }
    if (!bucket.tryTake()) {
      ReferenceCountUtil.release(msg);
      closing = true;
      log.info(
          "closing {} with 1008: more than {} pings per second",
          channel.attr(HandshakeAttributes.SOURCE_IP).get(),
          pingsPerSecond);
      // Through the channel, so that the WebSocket handler knows a close frame went out.
      channel.writeAndFlush(
          new CloseWebSocketFrame(WebSocketCloseStatus.POLICY_VIOLATION, floodReason));
      channel.close();
      return;
    }
    ctx.fireChannelRead(msg);
  }
}
