package dev.roomlog.gateway.connection;

import dev.roomlog.gateway.auth.TokenRights;
import dev.roomlog.gateway.auth.TokenVerifier;
import dev.roomlog.gateway.handshake.HandshakeAttributes;
import dev.roomlog.gateway.metrics.GatewayMetrics;
import dev.roomlog.protocol.action.ActionParser;
import dev.roomlog.protocol.action.Authorizer;
import dev.roomlog.protocol.frame.ErrorCode;
import dev.roomlog.protocol.frame.ServerFrame;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import io.netty.util.concurrent.Future;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a token connection when its token does: a {@code tokenExpiring} frame once, shortly before
 * the token's {@code exp} (the lesser of {@value #MAX_WARNING_MS} ms and a quarter of the time the
 * token had left when it was presented), then at {@code exp} a close with {@value #EXPIRED_CODE}
 * (an application code, RFC 6455 section 7.4.2). A {@code refresh} with a new token of the same
 * {@code sub} moves the end to the new token's {@code exp}; it is answered here, never written to
 * the log, and its token never reaches a log line. API-key connections have no end here, and get
 * 400 for a {@code refresh}.
 *
 * <p>The new token's claims are applied too. If they keep or only widen the connection's rights
 * (same name, every room still granted, {@code createRooms} not revoked), in place: the {@link
 * Connection} checks and stamps its later actions with the new {@code requestContext.authorizer}.
 * If they narrow them or change the name, the refresh is answered and the connection then closed
 * with {@value #RIGHTS_CHANGED_CODE}: its {@code $disconnect} takes it out of every room at once,
 * and the client reconnects under its new rights (a connection's memberships were granted under the
 * old ones, and only the room processor knows them).
 *
 * <p>Sits after {@link ActionFrameHandler}, whose {@link Connection} parses every text message once
 * and passes a {@code refresh} on down the pipeline ({@link ActionParser.Result.Refresh}) instead
 * of to the log; so a refresh has spent the connection's own rate limit like any message. One
 * instance per channel; all methods run on its event loop. Epoch time comes from the injected clock
 * (the token's {@code exp} is epoch time); the timer is the event loop's, and is re-armed if it
 * fires before the clock says it is time.
 */
public final class TokenExpiryHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(TokenExpiryHandler.class);

  static final int EXPIRED_CODE = 4001;
  static final String EXPIRED_REASON = "token expired: refresh before exp";
  static final long MAX_WARNING_MS = 60_000;
  static final int RIGHTS_CHANGED_CODE = 4003;
  static final String RIGHTS_CHANGED_REASON = "token rights changed: reconnect";

  /**
   * At most one refresh a second per connection: each costs a signature check, far more than the
   * message it spends of the connection's rate limit.
   */
  static final long REFRESH_INTERVAL_MS = 1_000;

  static final String TOO_OFTEN_MESSAGE =
      "at most one refresh a second: the connection keeps its expiry; retry after retryAfterMs";
  static final String NOT_TOKEN_MESSAGE =
      "refresh is only for connections opened with a user token";
  static final String INVALID_MESSAGE = "the token is not valid: the connection keeps its expiry";
  static final String EXPIRED_MESSAGE = "the token has expired: the connection keeps its expiry";
  static final String MISMATCH_MESSAGE =
      "the token names another user (sub) than the connection's: the connection keeps its expiry";

  private final TokenVerifier verifier;
  private final Clock clock;
  private final GatewayMetrics metrics;
  private Authorizer authorizer;

  /** The connection's end in epoch millis; 0 while it has none (an API key). */
  private long expiresAtMs;

  private long warnAtMs;
  private long nextRefreshAtMs;
  private boolean warned;
  private boolean closed;
  private Future<?> timer;

  /**
   * @param verifier the node's verifier of user tokens, the one its handshakes use
   * @param metrics where refreshes and the closes decided here are counted
   */
  public TokenExpiryHandler(TokenVerifier verifier, Clock clock, GatewayMetrics metrics) {
    this.verifier = verifier;
    this.clock = clock;
    this.metrics = metrics;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    // ActionFrameHandler, in front, has sent the connected frame: a warning comes after it.
    super.userEventTriggered(ctx, event);
    if (event instanceof HandshakeComplete && authorizer == null) {
      authorizer = ctx.channel().attr(HandshakeAttributes.AUTHORIZER).get();
      if (authorizer != null && authorizer.tokenBased() && authorizer.expiresAt() != null) {
        endAt(ctx, authorizer.expiresAt() * 1000);
      }
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof ActionParser.Result.Refresh refresh) {
      if (!closed) {
        refresh(ctx, refresh);
      }
      return;
    }
    super.channelRead(ctx, msg);
  }

  private void refresh(ChannelHandlerContext ctx, ActionParser.Result.Refresh refresh) {
    String requestId = refresh.requestId();
    if (authorizer == null || !authorizer.tokenBased()) {
      refused(ctx, ErrorCode.INVALID_FIELD.frame(NOT_TOKEN_MESSAGE, requestId));
      return;
    }
    long now = clock.millis();
    if (now < nextRefreshAtMs) {
      refused(
          ctx, ErrorCode.RATE_LIMITED.frame(TOO_OFTEN_MESSAGE, requestId, nextRefreshAtMs - now));
      return;
    }
    nextRefreshAtMs = now + REFRESH_INTERVAL_MS;
    TokenVerifier.Result result = verifier.verify(refresh.token());
    if (result instanceof TokenVerifier.Refused no) {
      log.debug("connection of {}: refresh refused ({})", authorizer, no.refusal());
      refused(
          ctx,
          no.refusal() == TokenVerifier.Refusal.EXPIRED
              ? ErrorCode.TOKEN_EXPIRED.frame(EXPIRED_MESSAGE, requestId)
              : ErrorCode.TOKEN_INVALID.frame(INVALID_MESSAGE, requestId));
      return;
    }
    Authorizer renewed = ((TokenVerifier.Verified) result).authorizer();
    if (!renewed.principalId().equals(authorizer.principalId())) {
      log.debug("connection of {}: refresh refused (another sub)", authorizer);
      refused(ctx, ErrorCode.REFRESH_SUBJECT_MISMATCH.frame(MISMATCH_MESSAGE, requestId));
      return;
    }
    if (TokenRights.narrows(authorizer, renewed)) {
      log.debug("connection of {}: refreshed with narrower rights or another name", authorizer);
      metrics.tokenRefresh(GatewayMetrics.RIGHTS_CHANGED);
      reply(ctx, new ServerFrame.Refreshed(renewed.expiresAt() * 1000, requestId));
      close(ctx, RIGHTS_CHANGED_CODE, RIGHTS_CHANGED_REASON);
      return;
    }
    authorizer = renewed;
    Connection connection = ctx.channel().attr(ConnectionAttributes.CONNECTION).get();
    if (connection != null) {
      connection.reauthorize(renewed);
    }
    endAt(ctx, renewed.expiresAt() * 1000);
    log.debug("connection of {}: refreshed until {}", authorizer, expiresAtMs);
    metrics.tokenRefresh(GatewayMetrics.REFRESHED);
    reply(ctx, new ServerFrame.Refreshed(expiresAtMs, requestId));
  }

  /** Answers a refresh with {@code error}; the connection keeps its end and rights. */
  private void refused(ChannelHandlerContext ctx, ServerFrame.ErrorFrame error) {
    metrics.tokenRefresh(error.code());
    metrics.errorFrame(error);
    reply(ctx, error);
  }

  /** Moves the connection's end to {@code atMs}: a new warning before it, and a new timer. */
  private void endAt(ChannelHandlerContext ctx, long atMs) {
    long left = Math.max(0, atMs - clock.millis());
    expiresAtMs = atMs;
    warnAtMs = atMs - Math.min(MAX_WARNING_MS, left / 4);
    warned = false;
    cancel();
    check(ctx);
  }

  private void check(ChannelHandlerContext ctx) {
    timer = null;
    Channel channel = ctx.channel();
    if (closed || !channel.isActive()) {
      return;
    }
    long now = clock.millis();
    if (now >= expiresAtMs) {
      log.debug("closing {} with {}: its token expired", channel.remoteAddress(), EXPIRED_CODE);
      close(ctx, EXPIRED_CODE, EXPIRED_REASON);
      return;
    }
    if (!warned && now >= warnAtMs) {
      warned = true;
      reply(ctx, new ServerFrame.TokenExpiring(expiresAtMs));
    }
    long next = warned ? expiresAtMs : warnAtMs;
    timer = ctx.executor().schedule(() -> check(ctx), next - now, TimeUnit.MILLISECONDS);
  }

  private void close(ChannelHandlerContext ctx, int code, String reason) {
    closed = true;
    cancel();
    metrics.tokenClose(code);
    // As every close the server decides: LingeringCloseHandler closes the socket at
    // closeTimeout if the client never answers the close frame, and drops what it sends meanwhile.
    ctx.channel().writeAndFlush(new CloseWebSocketFrame(code, reason));
    ctx.channel().close();
  }

  private static void reply(ChannelHandlerContext ctx, ServerFrame frame) {
    ctx.channel().writeAndFlush(new TextWebSocketFrame(frame.toJson()));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancel();
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancel();
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
