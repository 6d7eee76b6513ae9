package dev.roomlog.gateway;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;

/** Assembles the pipeline of one client connection; nothing else. */
final class GatewayInitializer extends ChannelInitializer<Channel> {
  /** A handshake is a GET without a body; anything bigger is refused by the aggregator. */
  private static final int MAX_HTTP_BODY_BYTES = 8 * 1024;

  private static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;

  private final GatewaySettings settings;
  private final ApiKeys apiKeys;
  private final ActionIntake intake;
  private final ConnectionRegistry registry;
  private final WebSocketServerProtocolConfig webSocketConfig;

  GatewayInitializer(GatewaySettings settings, ActionIntake intake, ConnectionRegistry registry) {
    this.settings = settings;
    this.apiKeys = new ApiKeys(settings.apiKeys());
    this.intake = intake;
    this.registry = registry;
    this.webSocketConfig = webSocketConfig(settings);
  }

  /**
   * The WebSocket protocol settings of every connection. Package-private and static so that the
   * autobahn conformance echo server (module gateway-conformance) tests exactly this
   * configuration rather than a copy of it.
   */
  static WebSocketServerProtocolConfig webSocketConfig(GatewaySettings settings) {
    return WebSocketServerProtocolConfig.newBuilder()
        .websocketPath("/")
        // HandshakeGuard already insists on path "/"; this lets "/?query" through too.
        .checkStartsWith(true)
        .maxFramePayloadLength(settings.maxFramePayloadBytes())
        .handshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MILLIS)
        .allowExtensions(false)
        // ProtocolErrorHandler sends the one close frame instead (its javadoc says why).
        .closeOnProtocolViolation(false)
        .build();
  }

  /**
   * Adds the handlers that turn bytes into whole WebSocket messages: HTTP codec, the given
   * handshake checks, the upgrade and frame codec, the aggregation of continuation frames, and
   * the close frame for a client's protocol error.
   *
   * <p>Static for the same reason as {@link #webSocketConfig}: the conformance echo server puts its
   * echo handler after these instead of {@link ActionFrameHandler}, and passes no handshake
   * checks because the autobahn client cannot send an {@code x-api-key} header.
   */
  static void addWebSocketCodec(
      ChannelPipeline pipeline,
      WebSocketServerProtocolConfig config,
      int maxMessageBytes,
      ChannelHandler... handshakeChecks) {
    pipeline.addLast("http", new HttpServerCodec());
    pipeline.addLast("httpAggregator", new HttpObjectAggregator(MAX_HTTP_BODY_BYTES));
    pipeline.addLast(handshakeChecks);
    pipeline.addLast("webSocket", new WebSocketServerProtocolHandler(config));
    pipeline.addLast("messageAggregator", new WebSocketFrameAggregator(maxMessageBytes));
    pipeline.addLast("protocolErrors", new ProtocolErrorHandler());
  }

  @Override
  protected void initChannel(Channel channel) {
    ChannelPipeline pipeline = channel.pipeline();
    addWebSocketCodec(
        pipeline, webSocketConfig, settings.maxMessageBytes(), new HandshakeGuard(apiKeys));
    pipeline.addLast("actions", new ActionFrameHandler(intake, registry));
  }
}
