package dev.roomlog.gateway;

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
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thin edge between Netty and {@link Connection}: on handshake completion it opens the
 * connection (registry + {@code $connect} + the {@code connected} frame), hands each complete
 * text message to it, and closes it when the channel goes inactive. One instance per channel.
 */
final class ActionFrameHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
  private static final Logger log = LoggerFactory.getLogger(ActionFrameHandler.class);
  static final String OVERLOADED_REASON = "gateway overloaded, retry later";

  private final ActionIntake intake;
  private final ConnectionRegistry registry;
  private Connection connection;

  ActionFrameHandler(ActionIntake intake, ConnectionRegistry registry) {
    this.intake = intake;
    this.registry = registry;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof HandshakeComplete) {
      open(ctx.channel());
    }
    super.userEventTriggered(ctx, event);
  }

  private void open(Channel channel) {
    String sourceIp = channel.attr(ConnectionAttributes.SOURCE_IP).get();
    if (sourceIp == null) {
      sourceIp = sourceIp(channel.remoteAddress());
    }
    Optional<Connection> opened =
        intake.open(
            sourceIp, frame -> channel.writeAndFlush(new TextWebSocketFrame(frame.toJson())));
    if (opened.isEmpty()) {
      channel.writeAndFlush(
          new CloseWebSocketFrame(WebSocketCloseStatus.TRY_AGAIN_LATER, OVERLOADED_REASON));
      channel.close();
      return;
    }
    connection = opened.get();
    registry.register(connection.id(), channel);
    ServerFrame first = connection.connectedFrame();
    channel.writeAndFlush(new TextWebSocketFrame(first.toJson()));
    log.debug("connection {} opened from {}", connection.id(), sourceIp);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (connection == null) {
      return;
    }
    if (frame instanceof TextWebSocketFrame text) {
      connection.onText(text.text());
    } else if (frame instanceof BinaryWebSocketFrame) {
      connection.onBinary();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (connection != null) {
      registry.unregister(connection.id());
      connection.close();
      log.debug("connection {} closed", connection.id());
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Channel channel = ctx.channel();
    if (cause instanceof TooLongFrameException) {
      // The message grew past maxMessageBytes across continuation frames.
      channel.writeAndFlush(
          new CloseWebSocketFrame(WebSocketCloseStatus.MESSAGE_TOO_BIG, "message too big"));
    }
    if (cause instanceof CorruptedFrameException
        || cause instanceof TooLongFrameException
        || cause instanceof PrematureChannelClosureException) {
      // A client's protocol error (the frame decoder has already answered it with a close code),
      // or a client gone in the middle of a fragmented message: not worth a warning each.
      log.debug("closing {}: {}", channel.remoteAddress(), cause.toString());
    } else {
      log.warn("closing {} after an unexpected error", channel.remoteAddress(), cause);
    }
    channel.close();
  }

  /** The client's IP address as text, or the address's own text if it is not an IP socket. */
  static String sourceIp(SocketAddress address) {
    if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
      return inet.getAddress().getHostAddress();
    }
    return String.valueOf(address);
  }
}
