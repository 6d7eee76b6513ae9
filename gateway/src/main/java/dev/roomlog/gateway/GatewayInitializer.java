package dev.roomlog.gateway;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;

/**
 * Assembles the pipeline of one client connection; nothing else.
 *
 * <p>Before the upgrade: {@code http}, {@code handshakeTimeout}, {@code httpAggregator}, {@code
 * handshakeGuard}, [{@code permessageDeflate}, {@code deflateGuard}], then the WebSocket handler's
 * own handshake and UTF-8 handlers, {@code liveness}, {@code webSocket}, {@code messageAggregator},
 * {@code actions}, {@code slowReaderGuard}. The upgrade swaps the HTTP handlers for the frame codec
 * and, when negotiated, inserts the inflater and deflater after {@code permessageDeflate}.
 */
final class GatewayInitializer extends ChannelInitializer<Channel> {
  /** A handshake is a GET without a body; anything bigger is refused by the aggregator. */
  private static final int MAX_HTTP_BODY_BYTES = 8 * 1024;

  /**
   * Room the inflater gets past maxMessageBytes. Netty's inflater fails as soon as its buffer is
   * full while compressed input is left, and the end of a deflate block can be left after the last
   * byte it inflates: without slack a message of exactly maxMessageBytes would be refused. {@link
   * DeflateGuard} enforces the exact limit on what comes out.
   */
  private static final int INFLATE_SLACK_BYTES = 1024;

  private final GatewaySettings settings;
  private final ApiKeys apiKeys;
  private final ActionIntake intake;
  private final ConnectionRegistry registry;
  private final ConnectionClock.Limits livenessLimits;
  private final WebSocketServerProtocolConfig webSocketConfig;

  GatewayInitializer(GatewaySettings settings, ActionIntake intake, ConnectionRegistry registry) {
    this.settings = settings;
    this.apiKeys = new ApiKeys(settings.apiKeys());
    this.intake = intake;
    this.registry = registry;
    this.livenessLimits = ConnectionClock.Limits.of(settings);
    this.webSocketConfig =
        WebSocketServerProtocolConfig.newBuilder()
            .websocketPath("/")
            // HandshakeGuard already insists on path "/"; this lets "/?query" through too.
            .checkStartsWith(true)
            .maxFramePayloadLength(settings.maxFramePayloadBytes())
            // Netty's timer starts only once the whole request is in; HandshakeTimeoutHandler
            // bounds the whole handshake from accept. Both use the same setting.
            .handshakeTimeoutMillis(Math.max(1, settings.handshakeTimeout().toMillis()))
            // RSV bits are legal only with a negotiated extension, and permessage-deflate is the
            // only one offered; DeflateGuard refuses them from a client that did not negotiate.
            .allowExtensions(settings.permessageDeflate())
            // Said explicitly because the error policy depends on them: unmasked frames,
            // reserved opcodes and bad control frames close with 1002, bad UTF-8 with 1007.
            .expectMaskedFrames(true)
            .allowMaskMismatch(false)
            .closeOnProtocolViolation(true)
            .withUTF8Validator(true)
            // After the server's close frame the socket is closed without waiting for the
            // client's reply: a client that stopped reading, or vanished, must not hold it.
            .forceCloseTimeoutMillis(0)
            .build();
  }

  @Override
  protected void initChannel(Channel channel) {
    ChannelPipeline pipeline = channel.pipeline();
    pipeline.addLast("http", new HttpServerCodec());
    pipeline.addLast("handshakeTimeout", new HandshakeTimeoutHandler(settings.handshakeTimeout()));
    pipeline.addLast("httpAggregator", new HttpObjectAggregator(MAX_HTTP_BODY_BYTES));
    pipeline.addLast("handshakeGuard", new HandshakeGuard(apiKeys));
    if (settings.permessageDeflate()) {
      // Only permessage-deflate (not the old deflate-frame), and the inflater of a frame stops
      // just past maxMessageBytes instead of growing (a zip bomb).
      pipeline.addLast(
          "permessageDeflate",
          new WebSocketServerExtensionHandler(
              new PerMessageDeflateServerExtensionHandshaker(
                  settings.maxMessageBytes() + INFLATE_SLACK_BYTES)));
      pipeline.addLast("deflateGuard", new DeflateGuard(settings.maxMessageBytes()));
    }
    pipeline.addLast("webSocket", new WebSocketServerProtocolHandler(webSocketConfig));
    // Added after "webSocket", which inserts its handshake handler before itself: this one must
    // come after that (to see HandshakeComplete) and before "webSocket" (which answers pings and
    // drops pongs without passing them on).
    pipeline.addBefore("webSocket", "liveness", new LivenessHandler(livenessLimits));
    pipeline.addLast("messageAggregator", new WebSocketFrameAggregator(settings.maxMessageBytes()));
    pipeline.addLast("actions", new ActionFrameHandler(intake, registry));
    pipeline.addLast("slowReaderGuard", new SlowReaderGuard(registry));
  }
}
