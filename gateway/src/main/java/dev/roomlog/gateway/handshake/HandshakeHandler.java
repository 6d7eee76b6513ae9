package dev.roomlog.gateway.handshake;

import dev.roomlog.gateway.auth.HandshakeAuth;
import dev.roomlog.gateway.auth.TokenSources;
import dev.roomlog.gateway.ipfilter.Cidr;
import dev.roomlog.gateway.limits.ConnectionLimiter;
import dev.roomlog.gateway.limits.HandshakeRateLimiter;
import dev.roomlog.gateway.metrics.GatewayMetrics;
import dev.roomlog.gateway.routes.ConnectRoute;
import dev.roomlog.gateway.wal.WalAppender;
import dev.roomlog.protocol.action.Authorizer;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the HTTP request head before the WebSocket handshake; the decisions are {@link
 * HandshakePolicy}'s. A refused request is answered with a plain HTTP error and the connection is
 * closed, before any record reaches the log and before its body (if any) is read. Checks, in this
 * order; the first that fails answers:
 *
 * <ol>
 *   <li><b>malformed → 400</b>: Netty's decoder failed (bad request line, invalid header name or
 *       value characters, duplicate or invalid Content-Length, Content-Length with
 *       Transfer-Encoding, bare LF); obsolete line folding; not exactly one Host header; a body
 *       (Content-Length other than 0, or any Transfer-Encoding); a second request pipelined behind
 *       this one ({@link RequestHeadHandler}), or one on a connection that already passed. A
 *       request line longer than {@code GatewayInitializer.MAX_REQUEST_LINE_BYTES} → 414; a header
 *       section larger than {@code GatewayInitializer.MAX_HEADER_BYTES} → 431.
 *   <li><b>path → 404</b>: anything but {@code /} (a query string is ignored).
 *   <li><b>not an upgrade → 426</b>, with a hint: not a GET, or no {@code Upgrade: websocket}.
 *   <li><b>not HTTP/1.1 → 505</b> (RFC 6455 4.1; a later 1.x counts as 1.1).
 *   <li><b>not RFC 6455 → 426</b> with {@code Sec-WebSocket-Version: 13}: not exactly one {@code
 *       Sec-WebSocket-Version: 13}, or not exactly one {@code Sec-WebSocket-Key} of 16 bytes in
 *       base64 (Hixie-75/76 and the hybi drafts, which Netty would otherwise speak).
 *   <li><b>IP rules → 403</b>, on the client's address after X-Forwarded-For resolution ({@link
 *       ForwardedFor}; a malformed chain from a trusted proxy → 400).
 *   <li><b>handshake rate → 429</b> with {@code Retry-After}: the source IP started more handshakes
 *       than its bucket holds ({@link HandshakeRateLimiter}).
 *   <li><b>Origin → 403</b> ({@link OriginPolicy}).
 *   <li><b>API key or token → 401</b> ({@link HandshakeAuth}, by the {@code auth} setting): exactly
 *       one {@code x-api-key} header holding a client key (the admin key is not one), or a valid
 *       user token; a refused token with {@code WWW-Authenticate: Bearer error="invalid_token"}. A
 *       token offered as a subprotocol without {@code roomlog.v1} → 400.
 *   <li><b>log behind → 503</b> with {@code Retry-After}: the write-ahead log has too many {@code
 *       $connect}/{@code $disconnect} records waiting ({@link WalAppender#acceptingConnections()}).
 *   <li><b>capacity → 503</b> with {@code Retry-After}: last, so that refused requests never take a
 *       slot ({@link ConnectionLimiter}).
 *   <li><b>{@code $connect} route → its status</b>, when one is configured ({@link ConnectRoute}):
 *       after every check above, the route is asked and the upgrade waits for its answer; a non-2xx
 *       status refuses the handshake with that status, no answer in time with 503.
 * </ol>
 *
 * <p>An admitted request goes on to Netty's WebSocket handshake with the client's API key and
 * source IP on the channel ({@link HandshakeAttributes}); its connection slot is released when the
 * channel closes. Every refusal is logged as one line with the reason and the source IP: 403 and
 * 503 at INFO (an operator's rules or limits at work), the others at DEBUG.
 *
 * <p>Sits between the HTTP codec and the aggregator, so it sees the head as soon as it is decoded.
 * It stays in the pipeline after admitting a request (WebSocket frames pass straight through), so
 * that a second HTTP request on the same connection cannot skip these checks if a handshake it
 * admitted is ever answered without an upgrade and left open. One instance per channel.
 */
public final class HandshakeHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(HandshakeHandler.class);
  static final String API_KEY_HEADER = HandshakePolicy.API_KEY_HEADER;

  /** Prometheus' text exposition format, version 0.0.4: what {@code scrape} returns. */
  public static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final HandshakePolicy policy;
  private final BooleanSupplier obsFoldSeen;
  private final GatewayMetrics metrics;
  private final Supplier<String> scrape;
  private final ConnectRoute connectRoute;

  /**
   * What came behind the request head while the {@code $connect} route was asked (its
   * LastHttpContent, decoded from the same read): passed on after it if the route admits, dropped
   * if it refuses. Null when no route is being asked.
   */
  private List<Object> heldForRoute;

  private boolean admitted;
  private boolean refused;

  /**
   * @param obsFoldSeen whether the raw request head had folded lines ({@link ObsFoldHandler})
   * @param metrics where refusals are counted
   * @param scrape the node's meters in Prometheus' text format, the answer to {@code GET /metrics};
   *     null answers that path 404
   * @param connectRoute the {@code $connect} route that authorises admitted handshakes; null for
   *     none
   */
  public HandshakeHandler(
      HandshakePolicy policy,
      BooleanSupplier obsFoldSeen,
      GatewayMetrics metrics,
      Supplier<String> scrape,
      ConnectRoute connectRoute) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.obsFoldSeen = Objects.requireNonNull(obsFoldSeen, "obsFoldSeen");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.scrape = scrape;
    this.connectRoute = connectRoute;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      // The rest of a refused request (body, pipelined requests) is dropped unread.
      ReferenceCountUtil.release(msg);
      return;
    }
    if (heldForRoute != null) {
      heldForRoute.add(msg);
      return;
    }
    if (!(msg instanceof HttpRequest request)) {
      ctx.fireChannelRead(msg);
      return;
    }
    HandshakePolicy.Decision decision;
    try {
      decision =
          admitted
              ? new HandshakePolicy.Refuse(
                  400,
                  "secondRequest",
                  HandshakePolicy.SECOND_REQUEST_BODY,
                  "second request on the connection",
                  ctx.channel().attr(HandshakeAttributes.SOURCE_IP).get(),
                  0)
              : policy.decide(toRequest(ctx, request));
    } catch (RuntimeException e) {
      ReferenceCountUtil.release(msg);
      throw e;
    }
    if (decision instanceof HandshakePolicy.HealthCheck health) {
      refused = true;
      ReferenceCountUtil.release(msg);
      if (health.healthy()) {
        respond(ctx, HttpResponseStatus.OK, HandshakePolicy.HealthCheck.HEALTHY_BODY, 0);
      } else {
        respond(
            ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, health.body(), health.retryAfterSeconds());
      }
      return;
    }
    if (decision instanceof HandshakePolicy.Scrape) {
      refused = true;
      ReferenceCountUtil.release(msg);
      if (scrape != null) {
        // On the event loop: a scrape only reads counters (no I/O, no lock held for long), a
        // few milliseconds every scrape interval; a hand-off would need a thread of its own.
        respond(ctx, HttpResponseStatus.OK, METRICS_CONTENT_TYPE, scrape.get(), 0, null);
      } else {
        refuse(
            ctx,
            new HandshakePolicy.Refuse(
                404,
                "notFound",
                HandshakePolicy.NOT_FOUND_BODY,
                "no metrics on this node",
                String.valueOf(ctx.channel().remoteAddress()),
                0));
      }
      return;
    }
    if (decision instanceof HandshakePolicy.Refuse refuse) {
      refused = true;
      ReferenceCountUtil.release(msg);
      refuse(ctx, refuse);
      return;
    }
    HandshakePolicy.Admit admit = (HandshakePolicy.Admit) decision;
    admitted = true;
    ctx.channel().attr(HandshakeAttributes.API_KEY).set(admit.apiKey());
    ctx.channel().attr(HandshakeAttributes.AUTHORIZER).set(admit.authorizer());
    withoutToken(request);
    ctx.channel().attr(HandshakeAttributes.SOURCE_IP).set(admit.sourceIp());
    String userAgent = request.headers().get(HttpHeaderNames.USER_AGENT);
    if (userAgent != null) {
      ctx.channel()
          .attr(HandshakeAttributes.USER_AGENT)
          .set(userAgent.length() <= 256 ? userAgent : userAgent.substring(0, 256));
    }
    // Counted until the channel closes, however it closes; Permit.release is idempotent.
    ctx.channel().closeFuture().addListener(closed -> admit.permit().release());
    // No longer a pending handshake: it holds a connection slot now.
    ConnectionLimiter.Permit handshakeSlot =
        ctx.channel().attr(HandshakeAttributes.HANDSHAKE_SLOT).getAndSet(null);
    if (handshakeSlot != null) {
      handshakeSlot.release();
    }
    if (connectRoute != null) {
      askConnectRoute(ctx, request, admit, userAgent);
      return;
    }
    ctx.fireChannelRead(request);
  }

  /**
   * Holds the upgrade until the {@code $connect} route answers: a 2xx lets the request on to the
   * WebSocket handshake (with the id the route was told), anything else refuses it. Reading stops
   * meanwhile, so nothing behind the request head is taken before the verdict.
   */
  private void askConnectRoute(
      ChannelHandlerContext ctx, HttpRequest request, HandshakePolicy.Admit admit, String agent) {
    ctx.channel().config().setAutoRead(false);
    heldForRoute = new ArrayList<>();
    String connectionId = connectRoute.newConnectionId();
    Authorizer who =
        admit.authorizer() != null ? admit.authorizer() : Authorizer.apiKey(admit.apiKey().name());
    QueryStringDecoder query = new QueryStringDecoder(request.uri());
    ConnectRoute.Handshake handshake =
        new ConnectRoute.Handshake(
            connectionId,
            admit.sourceIp(),
            agent,
            who,
            toRequest(ctx, request).headers(),
            query.parameters());
    connectRoute
        .authorise(handshake)
        .whenComplete(
            (status, error) ->
                ctx.executor()
                    .execute(
                        () -> {
                          int refusal = status == null ? ConnectRoute.UNAVAILABLE : status;
                          List<Object> behind = heldForRoute;
                          heldForRoute = null;
                          if (!ctx.channel().isActive()) {
                            ReferenceCountUtil.release(request);
                            behind.forEach(ReferenceCountUtil::release);
                          } else if (refusal == 0) {
                            ctx.channel().attr(HandshakeAttributes.CONNECTION_ID).set(connectionId);
                            ctx.fireChannelRead(request);
                            behind.forEach(ctx::fireChannelRead);
                            ctx.channel().config().setAutoRead(true);
                          } else {
                            refused = true;
                            ReferenceCountUtil.release(request);
                            behind.forEach(ReferenceCountUtil::release);
                            refuse(
                                ctx,
                                new HandshakePolicy.Refuse(
                                    refusal,
                                    "connectRoute",
                                    ConnectRoute.refusalBody(refusal),
                                    "the $connect route answered " + refusal,
                                    admit.sourceIp(),
                                    refusal == ConnectRoute.UNAVAILABLE ? 1 : 0));
                          }
                        }));
  }

  /**
   * Takes the token out of the request before it goes on: Netty's handshaker logs the offered
   * subprotocols it cannot match (at DEBUG) and hands the request's URI and headers to every
   * handler in its HandshakeComplete event; none of them may see a token.
   */
  private static void withoutToken(HttpRequest request) {
    request.setUri(TokenSources.withoutToken(request.uri()));
    List<String> authorization = request.headers().getAll(HttpHeaderNames.AUTHORIZATION);
    if (authorization.stream().anyMatch(TokenSources::isBearer)) {
      request.headers().remove(HttpHeaderNames.AUTHORIZATION);
    }
    List<String> protocols = request.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
    if (!protocols.isEmpty()) {
      String kept = TokenSources.protocolsWithoutToken(protocols);
      if (kept == null) {
        request.headers().remove(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
      } else {
        request.headers().set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, kept);
      }
    }
  }

  private HandshakePolicy.Request toRequest(ChannelHandlerContext ctx, HttpRequest request) {
    Map<String, List<String>> headers = new HashMap<>();
    for (Map.Entry<String, String> header : request.headers()) {
      headers
          .computeIfAbsent(header.getKey().toLowerCase(Locale.ROOT), name -> new ArrayList<>())
          .add(header.getValue());
    }
    SocketAddress remote = ctx.channel().remoteAddress();
    InetAddress peer =
        remote instanceof InetSocketAddress inet && inet.getAddress() != null
            ? Cidr.normalize(inet.getAddress())
            : null;
    return new HandshakePolicy.Request(
        decodeFailure(request.decoderResult()),
        obsFoldSeen.getAsBoolean(),
        request.method().name(),
        request.uri(),
        headers,
        peer,
        peer != null ? peer.getHostAddress() : String.valueOf(remote),
        request.protocolVersion().text(),
        Boolean.TRUE.equals(ctx.channel().attr(HandshakeAttributes.REQUEST_BEHIND).get()));
  }

  private static DecodeFailure decodeFailure(DecoderResult result) {
    if (!result.isFailure()) {
      return DecodeFailure.NONE;
    }
    if (result.cause() instanceof TooLongHttpLineException) {
      return DecodeFailure.LINE_TOO_LONG;
    }
    if (result.cause() instanceof TooLongHttpHeaderException) {
      return DecodeFailure.HEADERS_TOO_LARGE;
    }
    return DecodeFailure.MALFORMED;
  }

  /** Answers with a plain-text response and closes the connection. */
  private static void respond(
      ChannelHandlerContext ctx, HttpResponseStatus status, String text, int retryAfterSeconds) {
    respond(ctx, status, "text/plain; charset=utf-8", text, retryAfterSeconds, null);
  }

  /**
   * @param challenge the WWW-Authenticate header, or null for none
   */
  private static void respond(
      ChannelHandlerContext ctx,
      HttpResponseStatus status,
      String contentType,
      String text,
      int retryAfterSeconds,
      String challenge) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    if (status.equals(HttpResponseStatus.UPGRADE_REQUIRED)) {
      response.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
      // The one version this server speaks (RFC 6455 4.4), for a client that offered another.
      response.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
    }
    if (challenge != null) {
      response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, challenge);
    }
    if (retryAfterSeconds > 0) {
      response.headers().setInt(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
    }
    // ctx.close(), not channel().close(): the WebSocket handler further down the pipeline would
    // otherwise try to send a WebSocket close frame over plain HTTP.
    ctx.writeAndFlush(response).addListener(done -> ctx.close());
  }

  private void refuse(ChannelHandlerContext ctx, HandshakePolicy.Refuse refuse) {
    respond(
        ctx,
        HttpResponseStatus.valueOf(refuse.status()),
        "text/plain; charset=utf-8",
        refuse.body(),
        refuse.retryAfterSeconds(),
        HandshakeAuth.challenge(refuse.code()));
    metrics.handshakeRefused(Integer.toString(refuse.status()), refuse.code());
    // One line per refused request, with its reason (never a secret): what an operator looks
    // for when a client cannot connect.
    log.info(
        "refused a handshake from {}: {} {}", refuse.sourceIp(), refuse.status(), refuse.reason());
  }
}
