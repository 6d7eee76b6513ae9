package dev.roomlog.gateway;

import io.netty.channel.Channel;
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
    this.webSocketConfig =
        WebSocketServerProtocolConfig.newBuilder()
            .websocketPath("/")
            // HandshakeGuard already insists on path "/"; this lets "/?query" through too.
            .checkStartsWith(true)
            .maxFramePayloadLength(settings.maxFramePayloadBytes())
            .handshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MILLIS)
            .allowExtensions(false)
            .build();
  }

  @Override
  protected void initChannel(Channel channel) {
    ChannelPipeline pipeline = channel.pipeline();
    pipeline.addLast("http", new HttpServerCodec());
    pipeline.addLast("httpAggregator", new HttpObjectAggregator(MAX_HTTP_BODY_BYTES));
    pipeline.addLast("handshakeGuard", new HandshakeGuard(apiKeys));
    pipeline.addLast("webSocket", new WebSocketServerProtocolHandler(webSocketConfig));
    pipeline.addLast("messageAggregator", new WebSocketFrameAggregator(settings.maxMessageBytes()));
    pipeline.addLast("actions", new ActionFrameHandler(intake, registry));
  }
}
