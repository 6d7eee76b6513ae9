package dev.roomlog.gateway.tls;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Right after the {@code SslHandler}: a client that cannot complete TLS (plain HTTP on a TLS port,
 * no common protocol version, a certificate it does not trust, garbage) has its socket closed
 * quietly. {@code SslHandler} closes such a socket itself; this handler keeps its exception from
 * reaching the handlers behind it, which would log it as an unexpected error, and tells {@code
 * onFailure} once per socket (to count it). Nothing is answered: there is no channel to answer on.
 *
 * <p>One instance per channel; runs on its event loop. Leaves the pipeline once the TLS handshake
 * succeeded: later TLS errors (a bad record from a peer) still close the socket through {@code
 * SslHandler}, and are then ordinary connection errors.
 */
public final class TlsFailureHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(TlsFailureHandler.class);

  private final Runnable onFailure;
  private boolean failed;

  /**
   * @param onFailure told once for each socket whose TLS handshake failed
   */
  public TlsFailureHandler(Runnable onFailure) {
    this.onFailure = onFailure;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof SslHandshakeCompletionEvent completion) {
      if (completion.isSuccess()) {
        ctx.pipeline().remove(this);
      } else if (isTls(completion.cause())) {
        failed(ctx, completion.cause());
      }
      // Otherwise the socket closed before TLS was done: a handshake timeout (counted as one),
      // or a client that hung up, which is how a client that does not trust the certificate
      // usually leaves: nothing to count as a TLS error.
    }
    super.userEventTriggered(ctx, event);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
    if (isTls(cause)) {
      failed(ctx, cause);
      return;
    }
    super.exceptionCaught(ctx, cause);
  }

  private void failed(ChannelHandlerContext ctx, Throwable cause) {
    if (!failed) {
      failed = true;
      log.debug(
          "TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
      onFailure.run();
    }
    ctx.close();
  }

  private static boolean isTls(Throwable cause) {
    return cause instanceof SSLException
        || (cause instanceof DecoderException && cause.getCause() instanceof SSLException);
  }
}
