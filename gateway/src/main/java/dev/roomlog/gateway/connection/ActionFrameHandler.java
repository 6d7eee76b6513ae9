package dev.roomlog.gateway.connection;

import dev.roomlog.gateway.handshake.HandshakeAttributes;
import dev.roomlog.gateway.ipfilter.IpRules;
import dev.roomlog.gateway.settings.ApiKey;
import dev.roomlog.protocol.action.Authorizer;
import dev.roomlog.protocol.frame.ServerFrame;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thin edge between Netty and {@link Connection}: on handshake completion it opens the
 * connection (registry + {@code $connect} + the {@code connected} frame), hands each complete
 * message to it (and a {@code refresh} it parsed on down the pipeline, to {@link
 * TokenExpiryHandler}), closes the channel with 1008 when the connection says it floods or when the
 * IP rules changed under its handshake, and closes the connection when the channel goes inactive.
 * One instance per channel.
 */
public final class ActionFrameHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
  private static final Logger log = LoggerFactory.getLogger(ActionFrameHandler.class);
  static final String OVERLOADED_REASON = "gateway overloaded, retry later";
  public static final String FLOODING_REASON = "rate limit exceeded repeatedly";

  private final ActionIntake intake;
  private final ConnectionRegistry registry;
  private final Predicate<String> refusedNow;
  private Connection connection;

  /** Set once this handler has closed the channel; frames already decoded are ignored. */
  private boolean closing;

  /** When the connection was registered, for its close line (a monotonic clock). */
  private long openedAtNanos;

  /**
   * @param refusedNow whether the IP rules in force now refuse a source IP ({@link
   *     HandshakePolicy#refusesNow})
   */
  public ActionFrameHandler(
      ActionIntake intake, ConnectionRegistry registry, Predicate<String> refusedNow) {
    this.intake = intake;
    this.registry = registry;
    this.refusedNow = refusedNow;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof HandshakeComplete) {
      open(ctx);
    }
    super.userEventTriggered(ctx, event);
  }

  private void open(ChannelHandlerContext ctx) {
    Channel channel = ctx.channel();
    String sourceIp = channel.attr(HandshakeAttributes.SOURCE_IP).get();
    if (sourceIp == null) {
      sourceIp = sourceIp(channel.remoteAddress());
    }
    ApiKey apiKey = channel.attr(HandshakeAttributes.API_KEY).get();
    Authorizer authorizer = channel.attr(HandshakeAttributes.AUTHORIZER).get();
    if (authorizer == null && apiKey != null) {
      authorizer = Authorizer.apiKey(apiKey.name());
    }
    if (authorizer == null) {
      throw new IllegalStateException(
          "the handshake let a connection through without an API key or a token");
    }
    Optional<Connection> opened =
        intake.open(
            channel.attr(HandshakeAttributes.CONNECTION_ID).get(),
            sourceIp,
            channel.attr(HandshakeAttributes.USER_AGENT).get(),
            apiKey != null ? apiKey.name() : null,
            authorizer,
            frame -> channel.writeAndFlush(new TextWebSocketFrame(frame.toJson())),
            // On down the pipeline, to TokenExpiryHandler, which answers it.
            ctx::fireChannelRead);
    if (opened.isEmpty()) {
      channel.writeAndFlush(
          new CloseWebSocketFrame(WebSocketCloseStatus.TRY_AGAIN_LATER, OVERLOADED_REASON));
      channel.close();
      return;
    }
    connection = opened.get();
    channel.attr(ConnectionAttributes.CONNECTION).set(connection);
    registry.register(connection.id(), channel);
    // The handshake was decided under the rules in force then. A reload swaps the rules in and
    // then closes the registered connections they refuse; one that registers after that sweep
    // would be missed. Registered first and checked second, a connection is either seen by the
    // sweep or sees the new rules here (both are volatile reads and writes).
    if (refusedNow.test(sourceIp)) {
      closing = true;
      log.info(
          "closing connection {} from {} with 1008: the IP rules changed during its handshake",
          connection.id(),
          sourceIp);
      channel.writeAndFlush(
          new CloseWebSocketFrame(
              WebSocketCloseStatus.POLICY_VIOLATION, IpRules.REFUSED_CLOSE_REASON));
      channel.close();
      return;
    }
    ServerFrame first = connection.connectedFrame();
    channel.writeAndFlush(new TextWebSocketFrame(first.toJson()));
    openedAtNanos = System.nanoTime();
    // The key's name or the token's subject: never the secret or the token.
    log.info(
        "connection {} opened from {} with {} {}",
        connection.id(),
        sourceIp,
        authorizer.tokenBased() ? "the token of" : "key",
        authorizer.principalId());
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (connection == null || closing) {
      return;
    }
    Connection.Verdict verdict = Connection.Verdict.KEEP_OPEN;
    if (frame instanceof TextWebSocketFrame text) {
      verdict = connection.onText(text.text());
    } else if (frame instanceof BinaryWebSocketFrame) {
      verdict = connection.onBinary();
    }
    if (verdict == Connection.Verdict.CLOSE_FOR_FLOODING) {
      closing = true;
      log.info(
          "closing connection {} from {} with 1008: it kept sending past its rate limit",
          connection.id(),
          ctx.channel().attr(HandshakeAttributes.SOURCE_IP).get());
      ctx.channel()
          .writeAndFlush(
              new CloseWebSocketFrame(WebSocketCloseStatus.POLICY_VIOLATION, FLOODING_REASON));
      ctx.channel().close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (connection != null) {
      registry.unregister(connection.id());
      connection.close();
      log.info(
          "connection {} closed after {} s",
          connection.id(),
          (System.nanoTime() - openedAtNanos) / 1_000_000_000L);
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Channel channel = ctx.channel();
    if (isPeersDoing(cause)) {
      log.debug("closing {}: {}", channel.remoteAddress(), cause.toString());
    } else {
      log.warn("closing {} after an unexpected error", channel.remoteAddress(), cause);
    }
    channel.close();
  }

  /**
   * Whether {@code cause} is the client's or its network's doing, not worth a warning each: a
   * protocol error (after the handshake ProtocolErrorHandler has already answered it with a close
   * code, and these do not get this far), a client gone in the middle of a fragmented message, or a
   * socket error: a write to a socket already closed (a slow reader cut off has one for every frame
   * that was waiting), the peer's reset, or a broken pipe. The last two came with a stack trace
   * each, 532 of them, when a benchmark's 1,000 clients left while a fan-out was being written to
   * them.
   */
  static boolean isPeersDoing(Throwable cause) {
    return cause instanceof CorruptedFrameException
        || cause instanceof TooLongFrameException
        || cause instanceof PrematureChannelClosureException
        || cause instanceof IOException;
  }

  /** The client's IP address as text, or the address's own text if it is not an IP socket. */
  static String sourceIp(SocketAddress address) {
    if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
      return inet.getAddress().getHostAddress();
    }
    return String.valueOf(address);
  }
}
