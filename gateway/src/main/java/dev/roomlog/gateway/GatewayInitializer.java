package dev.roomlog.gateway;

import dev.roomlog.gateway.auth.TokenSources;
import dev.roomlog.gateway.auth.TokenVerifier;
import dev.roomlog.gateway.connection.ActionFrameHandler;
import dev.roomlog.gateway.connection.ActionIntake;
import dev.roomlog.gateway.connection.ConnectionClock;
import dev.roomlog.gateway.connection.ConnectionRegistry;
import dev.roomlog.gateway.connection.InflatedFrameHandler;
import dev.roomlog.gateway.connection.LingeringCloseHandler;
import dev.roomlog.gateway.connection.LivenessHandler;
import dev.roomlog.gateway.connection.PingRateHandler;
import dev.roomlog.gateway.connection.ProtocolErrorHandler;
import dev.roomlog.gateway.connection.SlowReaderHandler;
import dev.roomlog.gateway.connection.TokenExpiryHandler;
import dev.roomlog.gateway.handshake.HandshakeHandler;
import dev.roomlog.gateway.handshake.HandshakePolicy;
import dev.roomlog.gateway.handshake.HandshakeTimeoutHandler;
import dev.roomlog.gateway.handshake.ObsFoldHandler;
import dev.roomlog.gateway.handshake.PendingHandshakeHandler;
import dev.roomlog.gateway.handshake.RequestHeadHandler;
import dev.roomlog.gateway.ipfilter.IpRules;
import dev.roomlog.gateway.metrics.GatewayMetrics;
import dev.roomlog.gateway.pages.DevTokenIssuer;
import dev.roomlog.gateway.pages.PageHandler;
import dev.roomlog.gateway.pages.PageSite;
import dev.roomlog.gateway.routes.ConnectRoute;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.gateway.tls.ServerTls;
import dev.roomlog.gateway.tls.TlsFailureHandler;
import dev.roomlog.protocol.integration.RouteEvent;
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
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Assembles the pipeline of one client connection; nothing else.
 *
 * <p>Before the upgrade: with TLS, {@code tls} and {@code tlsFailures} first (the latter leaves
 * once TLS is up); {@code pendingHandshakes} (leaves once the socket may start its handshake),
 * {@code headSplitter} (leaves once the upgrade is done), {@code obsFold}, {@code http}, {@code
 * lingeringClose}, {@code handshakeTimeout}, {@code handshakeGuard}, {@code httpAggregator},
 * [{@code permessageDeflate}, {@code deflateGuard}], then the WebSocket handler's own handshake and
 * UTF-8 handlers, {@code liveness}, {@code pingGuard}, {@code webSocket}, {@code
 * messageAggregator}, {@code protocolErrors}, {@code actions}, {@code tokenExpiry}, {@code
 * slowReaderGuard}. The upgrade swaps the HTTP handlers for the frame codec and, when negotiated,
 * inserts the inflater and deflater after {@code permessageDeflate}.
 */
public final class GatewayInitializer extends ChannelInitializer<Channel> {
  /** A handshake is a GET without a body; HandshakeHandler refuses any body before it is read. */
  private static final int MAX_HTTP_BODY_BYTES = 8 * 1024;

  /** The longest request line (without CRLF); longer → 414. Leaves room for a long query. */
  public static final int MAX_REQUEST_LINE_BYTES = 4 * 1024;

  /**
   * The header section's size (header lines without CRLFs); larger → 431. Browsers send their
   * cookies with the handshake, hence more than Netty's 8 KiB default.
   */
  public static final int MAX_HEADER_BYTES = 16 * 1024;

  /**
   * Room the inflater gets past maxMessageBytes. Netty's inflater fails as soon as its buffer is
   * full while compressed input is left, and the end of a deflate block can be left after the last
   * byte it inflates: without slack a message of exactly maxMessageBytes would be refused. {@link
   * InflatedFrameHandler} enforces the exact limit on what comes out.
   */
  private static final int INFLATE_SLACK_BYTES = 1024;

  private final GatewaySettings settings;
  private final HandshakePolicy handshakePolicy;
  private final TokenVerifier tokens;
  private final ActionIntake intake;

  /** The {@code $connect} route that authorises handshakes; null for none. */
  private final ConnectRoute connectRoute;

  private final ConnectionRegistry registry;
  private final Supplier<String> scrape;
  private final Supplier<SslContext> tls;
  private final PageSite pages;
  private final DevTokenIssuer devTokens;

  /**
   * With the IP rules file (if any) read once, this initializer's own connection limits, and the
   * intake's log deciding whether it can take more connections.
   */
  public GatewayInitializer(
      GatewaySettings settings, ActionIntake intake, ConnectionRegistry registry) {
    this(settings, intake, registry, TokenVerifier.fromSettings(settings, intake.clock()));
  }

  private GatewayInitializer(
      GatewaySettings settings,
      ActionIntake intake,
      ConnectionRegistry registry,
      TokenVerifier tokens) {
    this(
        settings,
        intake,
        registry,
        HandshakePolicy.create(
            settings,
            tokens,
            fixedIpRules(settings),
            intake.wal()::acceptingConnections,
            intake.clock()),
        tokens);
  }

  /**
   * @param tokens the verifier of user tokens, the one {@code handshakePolicy} checks handshakes
   *     with: it also checks the connections' refreshes
   */
  public GatewayInitializer(
      GatewaySettings settings,
      ActionIntake intake,
      ConnectionRegistry registry,
      HandshakePolicy handshakePolicy,
      TokenVerifier tokens) {
    this(settings, intake, registry, handshakePolicy, tokens, null);
  }

  /**
   * @param scrape the answer to {@code GET /metrics}; null for none (404)
   */
  public GatewayInitializer(
      GatewaySettings settings,
      ActionIntake intake,
      ConnectionRegistry registry,
      HandshakePolicy handshakePolicy,
      TokenVerifier tokens,
      Supplier<String> scrape) {
    this(settings, intake, registry, handshakePolicy, tokens, scrape, null);
  }

  /**
   * @param tls the TLS context for a socket accepted now (it changes when the certificate is
   *     reloaded; a socket keeps the one it got); null for plain WebSocket
   */
  public GatewayInitializer(
      GatewaySettings settings,
      ActionIntake intake,
      ConnectionRegistry registry,
      HandshakePolicy handshakePolicy,
      TokenVerifier tokens,
      Supplier<String> scrape,
      Supplier<SslContext> tls) {
    this.settings = settings;
    this.handshakePolicy = handshakePolicy;
    this.tokens = tokens;
    this.intake = intake;
    this.registry = registry;
    this.scrape = scrape;
    this.tls = tls;
    this.pages = "off".equals(settings.pages()) ? null : PageSite.chat();
    this.devTokens =
        "dev".equals(settings.pages())
            ? new DevTokenIssuer(settings.tokenSecret(), intake.clock())
            : null;
    this.connectRoute =
        ConnectRoute.of(
            intake.routes(),
            settings.connectRouteTimeout(),
            settings.maxConnectRouteCalls(),
            new RouteEvent.Place(settings.routeDomainName(), RouteEvent.STAGE),
            intake.clock(),
            new ConnectRoute.Ids() {
              @Override
              public String gatewayId() {
                return intake.gatewayId();
              }

              @Override
              public String gatewayInstance() {
                return intake.gatewayInstance();
              }

              @Override
              public String newRequestId() {
                return intake.newRequestId();
              }
            });
  }

  /**
   * The WebSocket protocol settings of every connection. Package-private and static so that the
   * autobahn conformance echo server (module gateway-conformance) tests exactly this configuration
   * rather than a copy of it.
   */
  static WebSocketServerProtocolConfig webSocketConfig(GatewaySettings settings) {
    return WebSocketServerProtocolConfig.newBuilder()
        .websocketPath("/")
        // HandshakeHandler already insists on path "/"; this lets "/?query" through too.
        .checkStartsWith(true)
        // The one subprotocol this server speaks: chosen when offered, which is how a browser
        // that offers its token as roomlog.token.<jwt> gets an answer that does not echo it.
        .subprotocols(TokenSources.PROTOCOL)
        .maxFramePayloadLength(settings.maxFramePayloadBytes())
        // Netty's timer starts only once the whole request is in; HandshakeTimeoutHandler
        // bounds the whole handshake from accept. Both use the same setting.
        .handshakeTimeoutMillis(Math.max(1, settings.handshakeTimeout().toMillis()))
        // RSV bits are legal only with a negotiated extension, and permessage-deflate is the
        // only one offered; InflatedFrameHandler refuses them from a client that did not negotiate.
        .allowExtensions(settings.permessageDeflate())
        // Said explicitly because the error policy depends on them: unmasked frames, reserved
        // opcodes and bad control frames are protocol errors (1002), bad UTF-8 is 1007.
        .expectMaskedFrames(true)
        .allowMaskMismatch(false)
        .withUTF8Validator(true)
        // ProtocolErrorHandler sends the one close frame instead (its javadoc says why).
        .closeOnProtocolViolation(false)
        // Netty's own timer bounds only the sending of the close frame and then closes the socket
        // without reading on, which resets it while the client's frames are unread.
        // LingeringCloseHandler owns the whole closing handshake and its one deadline.
        .forceCloseTimeoutMillis(-1)
        .build();
  }

  /**
   * Adds the handlers that turn bytes into whole WebSocket messages: the raw-header sniffer and
   * HTTP codec, the closing handshake (every close the server starts), the handshake deadline, the
   * handshake check (made by {@code handshakeCheck} from "was a folded header seen?"; null for
   * none), the upgrade and frame codec, permessage-deflate when configured, the liveness timers
   * (idle, age, ping), the aggregation of continuation frames, and the close frame for a client's
   * protocol error.
   *
   * <p>Static for the same reason as {@link #webSocketConfig}: the conformance echo server puts its
   * echo handler after these instead of {@link ActionFrameHandler}, and passes no handshake check
   * because the autobahn client cannot send an {@code x-api-key} header.
   */
  static void addWebSocketCodec(
      ChannelPipeline pipeline,
      GatewaySettings settings,
      Function<BooleanSupplier, ChannelHandler> handshakeCheck) {
    addWebSocketCodec(pipeline, settings, handshakeCheck, () -> {});
  }

  /** As above; {@code onHandshakeTimeout} is told of each handshake that timed out. */
  static void addWebSocketCodec(
      ChannelPipeline pipeline,
      GatewaySettings settings,
      Function<BooleanSupplier, ChannelHandler> handshakeCheck,
      Runnable onHandshakeTimeout) {
    // Before the codec, which gets the request head only: what comes behind it waits for the
    // upgrade and then goes to the frame decoder (a frame written with the upgrade is answered).
    pipeline.addLast("headSplitter", new RequestHeadHandler(settings.maxMessageBytes()));
    ObsFoldHandler obsFold = new ObsFoldHandler();
    pipeline.addLast("obsFold", obsFold);
    pipeline.addLast(
        "http",
        new HttpServerCodec(
            new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_REQUEST_LINE_BYTES)
                .setMaxHeaderSize(MAX_HEADER_BYTES)));
    // Right after the codec (the frame codec once upgraded): it must see every close frame and
    // every close the handlers above it ask for, and drop frames before they are inflated.
    pipeline.addLast("lingeringClose", new LingeringCloseHandler(settings.closeTimeout()));
    pipeline.addLast(
        "handshakeTimeout",
        new HandshakeTimeoutHandler(settings.handshakeTimeout(), onHandshakeTimeout));
    if (handshakeCheck != null) {
      // Before the aggregator: a refused request's body is never read.
      pipeline.addLast("handshakeGuard", handshakeCheck.apply(obsFold::foldSeen));
    }
    pipeline.addLast("httpAggregator", new HttpObjectAggregator(MAX_HTTP_BODY_BYTES));
    if (settings.permessageDeflate()) {
      // Only permessage-deflate (not the old deflate-frame), and the inflater of a frame stops
      // just past maxMessageBytes instead of growing (a zip bomb).
      pipeline.addLast(
          "permessageDeflate",
          new WebSocketServerExtensionHandler(
              new PerMessageDeflateServerExtensionHandshaker(
                  settings.maxMessageBytes() + INFLATE_SLACK_BYTES)));
      pipeline.addLast("deflateGuard", new InflatedFrameHandler(settings.maxMessageBytes()));
    }
    pipeline.addLast("webSocket", new WebSocketServerProtocolHandler(webSocketConfig(settings)));
    // Added after "webSocket", which inserts its handshake handler before itself: this one must
    // come after that (to see HandshakeComplete) and before "webSocket" (which answers pings and
    // drops pongs without passing them on).
    pipeline.addBefore(
        "webSocket", "liveness", new LivenessHandler(ConnectionClock.Limits.of(settings)));
    pipeline.addLast("messageAggregator", new WebSocketFrameAggregator(settings.maxMessageBytes()));
    pipeline.addLast("protocolErrors", new ProtocolErrorHandler());
  }

  @Override
  protected void initChannel(Channel channel) {
    ChannelPipeline pipeline = channel.pipeline();
    // First, so that a socket past the cap is closed before any other handler is added.
    GatewayMetrics metrics = intake.metrics();
    pipeline.addLast("pendingHandshakes", new PendingHandshakeHandler(handshakePolicy, metrics));
    if (tls != null && channel.isActive()) {
      // In front of everything: every byte read is TLS and every byte written leaves encrypted.
      // Added only once the socket has its pending-handshake slot (no engine for a socket closed
      // at once). That slot is held from accept until the HTTP request is admitted, so the TLS
      // handshake counts towards maxPendingHandshakes, and HandshakeTimeoutHandler's deadline,
      // also from accept, bounds it: the SslHandler's own timer is off, so that one timer closes
      // and counts (408) a socket that never finishes either handshake.
      pipeline.addFirst(
          "tlsFailures",
          new TlsFailureHandler(
              () -> metrics.handshakeRefused(GatewayMetrics.NO_STATUS, "tlsHandshake")));
      pipeline.addFirst("tls", ServerTls.newHandler(tls.get(), channel.alloc(), Duration.ZERO));
    }
    addWebSocketCodec(
        pipeline,
        settings,
        obsFoldSeen ->
            new HandshakeHandler(handshakePolicy, obsFoldSeen, metrics, scrape, connectRoute),
        () -> metrics.handshakeRefused("408", "handshakeTimeout"));
    if (pages != null) {
      // Before the handshake check: a browser's plain GET of a page is no upgrade to refuse.
      pipeline.addBefore(
          "handshakeGuard", "pages", new PageHandler(pages, devTokens, "'self' ws: wss:"));
    }
    // Just before "webSocket", which answers pings with pongs written from its own position.
    pipeline.addBefore(
        "webSocket", "pingGuard", new PingRateHandler(registry, settings.maxPingsPerSecond()));
    pipeline.addLast(
        "actions", new ActionFrameHandler(intake, registry, handshakePolicy::refusesNow));
    // After "actions", which passes it each refresh it parsed: answered there, never logged.
    pipeline.addLast("tokenExpiry", new TokenExpiryHandler(tokens, intake.clock(), metrics));
    pipeline.addLast("slowReaderGuard", new SlowReaderHandler(registry));
  }

  private static Supplier<IpRules> fixedIpRules(GatewaySettings settings) {
    IpRules rules =
        settings.ipRulesFile() == null ? IpRules.NONE : IpRules.read(settings.ipRulesFile());
    return () -> rules;
  }
}
