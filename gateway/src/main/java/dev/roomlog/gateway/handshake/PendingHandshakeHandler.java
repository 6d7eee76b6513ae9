package dev.roomlog.gateway.handshake;

import dev.roomlog.gateway.ipfilter.Cidr;
import dev.roomlog.gateway.limits.ConnectionLimiter;
import dev.roomlog.gateway.metrics.GatewayMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the sockets that are still in their HTTP handshake ({@code maxPendingHandshakes} on the
 * node, {@code maxPendingHandshakesPerIp} from one peer), counted from TCP accept until {@link
 * HandshakeHandler} admits the request or the socket closes. A connection slot ({@code
 * maxConnections}) is only taken at admission, and {@link HandshakeTimeoutHandler} lets a socket
 * dribble its request for {@code handshakeTimeout}: without this cap, sockets that never finish
 * their request would each hold a channel, buffers and a timer, as many as the clients can open.
 *
 * <p>Past a cap the socket is closed at once, before any of its bytes are read: nothing can be
 * answered, since there is no request yet. The decision is {@link
 * HandshakePolicy#startHandshake}'s; the slot is kept on the channel ({@link
 * HandshakeAttributes#HANDSHAKE_SLOT}) for {@link HandshakeHandler} to release on admission.
 *
 * <p>First in the pipeline, so that a refused socket never starts the handshake timer. Leaves the
 * pipeline once the socket is admitted to its handshake. One instance per channel; runs on its
 * event loop.
 */
public final class PendingHandshakeHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(PendingHandshakeHandler.class);

  private final HandshakePolicy policy;
  private final GatewayMetrics metrics;

  /** Null until decided, then whether the socket may go on. */
  private Boolean admitted;

  public PendingHandshakeHandler(HandshakePolicy policy, GatewayMetrics metrics) {
    this.policy = policy;
    this.metrics = metrics;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    // An accepted socket is already active when the initializer adds its handlers.
    if (ctx.channel().isActive()) {
      decide(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    decide(ctx);
    if (admitted) {
      ctx.fireChannelActive();
      ctx.pipeline().remove(this);
    }
    // A refused socket is closing: the handlers after this one never see it become active.
  }

  private void decide(ChannelHandlerContext ctx) {
    if (admitted != null) {
      return;
    }
    Channel channel = ctx.channel();
    SocketAddress remote = channel.remoteAddress();
    InetAddress peer =
        remote instanceof InetSocketAddress inet && inet.getAddress() != null
            ? Cidr.normalize(inet.getAddress())
            : null;
    String peerText = peer != null ? peer.getHostAddress() : String.valueOf(remote);
    ConnectionLimiter.Admission admission = policy.startHandshake(peer, peerText);
    if (admission instanceof ConnectionLimiter.Refused refused) {
      admitted = false;
      boolean nodeFull = refused.reason() == ConnectionLimiter.Reason.NODE_FULL;
      metrics.handshakeRefused(
          GatewayMetrics.NO_STATUS, nodeFull ? "pendingNodeFull" : "pendingIpFull");
      log.info(
          "closed a new socket from {}: {}",
          peerText,
          nodeFull ? "node at maxPendingHandshakes" : "peer at maxPendingHandshakesPerIp");
      ctx.close();
      return;
    }
    admitted = true;
    ConnectionLimiter.Permit slot = ((ConnectionLimiter.Admitted) admission).permit();
    channel.attr(HandshakeAttributes.HANDSHAKE_SLOT).set(slot);
    // Released on admission by HandshakeHandler, or here when the socket closes before that;
    // Permit.release is idempotent.
    channel.closeFuture().addListener(closed -> slot.release());
  }
}
