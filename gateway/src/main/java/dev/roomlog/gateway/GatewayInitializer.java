package dev.roomlog.gateway;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/** Assembles the pipeline of one client connection; nothing else. */
final class GatewayInitializer extends ChannelInitializer<Channel> {
  /** A handshake is a GET without a body; HandshakeGuard refuses any body before it is read. */
  private static final int MAX_HTTP_BODY_BYTES = 8 * 1024;

  /** The longest request line (without CRLF); longer → 414. Leaves room for a long query. */
  static final int MAX_REQUEST_LINE_BYTES = 4 * 1024;

  /**
   * The header section's size (header lines without CRLFs); larger → 431. Browsers send their
   * cookies with the handshake, hence more than Netty's 8 KiB default.
   */
  static final int MAX_HEADER_BYTES = 16 * 1024;

  private static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;

  private final GatewaySettings settings;
  private final HandshakePolicy handshakePolicy;
  private final ActionIntake intake;
  private final ConnectionRegistry registry;
  private final WebSocketServerProtocolConfig webSocketConfig;

  /** With the IP rules file (if any) read once, and this initializer's own connection limits. */
  GatewayInitializer(GatewaySettings settings, ActionIntake intake, ConnectionRegistry registry) {
    this(settings, intake, registry, HandshakePolicy.create(settings, fixedIpRules(settings)));
  }

  GatewayInitializer(
      GatewaySettings settings,
      ActionIntake intake,
      ConnectionRegistry registry,
      HandshakePolicy handshakePolicy) {
    this.settings = settings;
    this.handshakePolicy = handshakePolicy;
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
   * Adds the handlers that turn bytes into whole WebSocket messages: the raw-header sniffer and
   * HTTP codec, the handshake check (made by {@code handshakeCheck} from "was a folded header
   * seen?"; null for none), the upgrade and frame codec, the aggregation of continuation frames,
   * and the close frame for a client's protocol error.
   *
   * <p>Static for the same reason as {@link #webSocketConfig}: the conformance echo server puts its
   * echo handler after these instead of {@link ActionFrameHandler}, and passes no handshake
   * check because the autobahn client cannot send an {@code x-api-key} header.
   */
  static void addWebSocketCodec(
      ChannelPipeline pipeline,
      WebSocketServerProtocolConfig config,
      int maxMessageBytes,
      Function<BooleanSupplier, ChannelHandler> handshakeCheck) {
    ObsFoldSniffer obsFold = new ObsFoldSniffer();
    pipeline.addLast("obsFold", obsFold);
    pipeline.addLast(
        "http",
        new HttpServerCodec(
            new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_REQUEST_LINE_BYTES)
                .setMaxHeaderSize(MAX_HEADER_BYTES)));
    if (handshakeCheck != null) {
      // Before the aggregator: a refused request's body is never read.
      pipeline.addLast("handshakeGuard", handshakeCheck.apply(obsFold::foldSeen));
    }
    pipeline.addLast("httpAggregator", new HttpObjectAggregator(MAX_HTTP_BODY_BYTES));
    pipeline.addLast("webSocket", new WebSocketServerProtocolHandler(config));
    pipeline.addLast("messageAggregator", new WebSocketFrameAggregator(maxMessageBytes));
    pipeline.addLast("protocolErrors", new ProtocolErrorHandler());
  }

  @Override
  protected void initChannel(Channel channel) {
    ChannelPipeline pipeline = channel.pipeline();
    addWebSocketCodec(
        pipeline,
        webSocketConfig,
        settings.maxMessageBytes(),
        obsFoldSeen -> new HandshakeGuard(handshakePolicy, obsFoldSeen));
    pipeline.addLast("actions", new ActionFrameHandler(intake, registry));
  }

  private static Supplier<IpRules> fixedIpRules(GatewaySettings settings) {
    IpRules rules =
        settings.ipRulesFile() == null ? IpRules.NONE : IpRules.read(settings.ipRulesFile());
    return () -> rules;
  }
}
