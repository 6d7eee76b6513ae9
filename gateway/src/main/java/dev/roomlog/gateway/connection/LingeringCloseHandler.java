package dev.roomlog.gateway.connection;

import dev.roomlog.protocol.settings.Durations;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's side of the WebSocket closing handshake (RFC 6455 7.1.1, 7.1.2), the same for every
 * close the server starts, whatever its code and whoever asked for it.
 *
 * <p>Why: a socket closed while the client's frames are still unread is reset (RST) by the kernel
 * instead of ended, and a client that is still writing (a flood, a burst) then gets an error on its
 * next write; WebSocket libraries report that as an abnormal close (1006) and drop what they had
 * not read yet, the server's 429s and its close frame among them. So the socket lingers:
 *
 * <ul>
 *   <li>Once the server's close frame has gone through here, nothing the client sends goes further
 *       up the pipeline: frames are read and dropped (no action, no pong), until the client's close
 *       frame, the end of its stream, or {@code closeTimeout}, whichever comes first.
 *   <li>When the close frame has reached the socket, the output is shut down (half-close: the
 *       client reads the end of the stream right after the close frame), while input is still read.
 *       On TLS, the SslHandler's close_notify goes first, and the half-close once it is written.
 *   <li>Every close of the channel asked for meanwhile ({@code channel.close()} from any handler,
 *       Netty's WebSocket handler included) waits for that; its future completes when the socket is
 *       really closed. The client's close frame (or its end of stream) closes it at once.
 *   <li>{@code closeTimeout} counts from the moment the close frame is written here and bounds
 *       everything: a client that never reads (the frame cannot even be sent) or never answers.
 *   <li>Exactly one close frame leaves: a second one is dropped here, and a client's close frame
 *       that answers ours is not passed on (Netty's WebSocket handler would echo it).
 * </ul>
 *
 * <p>It also refuses a client's close frame with a code RFC 6455 (7.4) does not allow a peer to
 * send: Netty's frame decoder accepts any code from 3000 up, so 5000 or 65535 would be echoed back.
 * It is failed with 1002 instead, through {@link ProtocolErrorHandler}.
 *
 * <p>Sits right after the frame codec, below Netty's WebSocket handler and everything else that
 * writes a close frame or closes the channel, so that it sees all of them, and below the
 * permessage-deflate inflater, so that what is dropped is never inflated. Before the upgrade it
 * passes everything. One instance per channel; runs on its event loop, whose ticker times the
 * deadline (tests move it by hand).
 */
public final class LingeringCloseHandler extends ChannelDuplexHandler {
  private static final Logger log = LoggerFactory.getLogger(LingeringCloseHandler.class);

  private final long timeoutNanos;
  private boolean upgraded;

  /** The server's close frame was written through here. */
  private boolean closeSent;

  /** ... and has reached the socket. */
  private boolean closeWritten;

  /** The client's close frame came in. */
  private boolean closeReceived;

  private Future<?> deadline;

  public LingeringCloseHandler(Duration closeTimeout) {
    this.timeoutNanos = closeTimeout.toNanos();
  }

  /**
   * Whether a peer may send this close code (RFC 6455 7.4.1, 7.4.2 and the IANA registry): 1000-
   * 1003, 1007-1014, 3000-4999, or none at all (-1: an empty close frame). 1004-1006 and 1015 are
   * reserved for use inside an endpoint, below 1000 is unused, and 5000 and up are not defined.
   */
  static boolean isValidReceivedCloseCode(int code) {
    return code == -1
        || (code >= 1000 && code <= 1003)
        || (code >= 1007 && code <= 1014)
        || (code >= 3000 && code <= 4999);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof WebSocketFrame)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (msg instanceof CloseWebSocketFrame close) {
      onCloseReceived(ctx, close);
      return;
    }
    if (closeSent || closeReceived) {
      // The connection is ending: what the client still sends is read (so that the socket ends
      // with a FIN, not a reset) and dropped.
      ReferenceCountUtil.release(msg);
      return;
    }
    ctx.fireChannelRead(msg);
  }

  private void onCloseReceived(ChannelHandlerContext ctx, CloseWebSocketFrame close) {
    if (closeReceived) {
      close.release(); // Netty's decoder drops everything after a close frame; just in case.
      return;
    }
    closeReceived = true;
    if (closeSent) {
      // The answer to our close frame: the handshake is done.
      close.release();
      closeIfDone(ctx);
      return;
    }
    int code = close.statusCode();
    if (!isValidReceivedCloseCode(code)) {
      close.release();
      ctx.fireExceptionCaught(
          new CorruptedWebSocketFrameException(
              WebSocketCloseStatus.PROTOCOL_ERROR, "invalid close code " + code));
      return;
    }
    // The client starts the close: Netty's WebSocket handler echoes its frame back.
    ctx.fireChannelRead(close);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (closeSent && msg instanceof WebSocketFrame) {
      // Nothing follows a close frame (RFC 6455 5.5.1): deliveries and answers that arrive
      // while the connection lingers are dropped here, whoever wrote them.
      ReferenceCountUtil.release(msg);
      promise.tryFailure(new ClosedChannelException());
      return;
    }
    if (!(msg instanceof CloseWebSocketFrame) || !upgraded(ctx)) {
      // Netty's WebSocket handler writes a close frame on any close, even of a connection still
      // speaking HTTP (where it cannot be sent): only a real one starts the closing handshake.
      ctx.write(msg, promise);
      return;
    }
    if (closeSent) {
      ReferenceCountUtil.release(msg);
      promise.tryFailure(new ClosedChannelException());
      return;
    }
    closeSent = true;
    // Once its output is shut down the channel reports itself unwritable: this tells the
    // registry's slow-reader checks that it is closing, not slow.
    ctx.channel().attr(ConnectionAttributes.CLOSING).set(Boolean.TRUE);
    deadline = ctx.executor().schedule(() -> onDeadline(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
    ChannelPromise written = promise.unvoid();
    written.addListener(future -> onCloseWritten(ctx, future.isSuccess()));
    ctx.write(msg, written);
  }

  private boolean upgraded(ChannelHandlerContext ctx) {
    if (!upgraded) {
      // The handshake puts the frame encoder in place of the HTTP codec, below this handler.
      upgraded = ctx.pipeline().get(WebSocketFrameEncoder.class) != null;
    }
    return upgraded;
  }

  private void onCloseWritten(ChannelHandlerContext ctx, boolean success) {
    if (!success) {
      ctx.close(); // the socket failed: there is nothing left to wait for
      return;
    }
    closeWritten = true;
    if (closeReceived) {
      ctx.close();
    } else if (ctx.channel() instanceof DuplexChannel duplex && duplex.isActive()) {
      // Nothing follows a close frame: the client sees the end of the stream after it, while its
      // own frames are still read here.
      SslHandler tls = ctx.pipeline().get(SslHandler.class);
      if (tls == null) {
        duplex.shutdownOutput();
      } else {
        // The half-close is the socket's, below the SslHandler: alone it would end the stream
        // without TLS's own end, which a strict client takes for a truncation attack. So
        // close_notify first (RFC 8446 6.1; TLS 1.3 lets the client still send its close frame
        // after it), then the FIN once it is written, whether or not it could be.
        tls.closeOutbound()
            .addListener(
                notified -> {
                  if (duplex.isActive()) {
                    duplex.shutdownOutput();
                  }
                });
      }
    }
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (!closeSent || !ctx.channel().isActive()) {
      ctx.close(promise);
      return;
    }
    // Lingering: the socket closes once the client has answered, or at the deadline; whoever
    // asked for the close learns of it then.
    if (!promise.isVoid()) {
      ctx.channel().closeFuture().addListener(closed -> promise.trySuccess());
    }
    closeIfDone(ctx);
  }

  private void closeIfDone(ChannelHandlerContext ctx) {
    if (closeWritten && closeReceived) {
      ctx.close();
    }
  }

  private void onDeadline(ChannelHandlerContext ctx) {
    deadline = null;
    if (ctx.channel().isActive()) {
      log.debug(
          "closing {}: no close frame from the client within {}",
          ctx.channel().remoteAddress(),
          Durations.format(Duration.ofNanos(timeoutNanos)));
      ctx.close();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (closeSent) {
      // Garbage, a broken frame or a reset after our close frame: the connection is ending
      // anyway, and one close frame has been sent; there is nothing to answer.
      log.debug("{} after its close frame: {}", ctx.channel().remoteAddress(), cause.toString());
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelDeadline();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancelDeadline();
  }

  private void cancelDeadline() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }
}
