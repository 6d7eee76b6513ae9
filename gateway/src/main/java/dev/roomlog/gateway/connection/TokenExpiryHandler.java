package dev.roomlog.gateway.connection;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.gateway.auth.TokenVerifier;
import dev.roomlog.gateway.handshake.HandshakeAttributes;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.action.Authorizer;
import dev.roomlog.protocol.frame.ErrorCode;
import dev.roomlog.protocol.frame.ServerFrame;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a token connection when its token does: a {@code tokenExpiring} frame once, shortly before
 * the token's {@code exp} (the lesser of {@value #MAX_WARNING_MS} ms and a quarter of the time the
 * token had left when it was presented), then at {@code exp} a close with {@value #EXPIRED_CODE}
 * (an application code, RFC 6455 section 7.4.2). A {@code refresh} action with a new token of the
 * same {@code sub} moves the end to the new token's {@code exp}; it is answered here, never written
 * to the log, and its token never reaches a log line. API-key connections have no end here, and get
 * 400 for a {@code refresh}.
 *
 * <p>The new token's name and rooms claims are not applied: the connection keeps the rights (and
 * the {@code requestContext.authorizer}) it was opened with; only its end moves.
 *
 * <p>Sits after the frame aggregator and before {@link ActionFrameHandler}, so it sees whole text
 * messages. One instance per channel; all methods run on its event loop. Epoch time comes from the
 * injected clock (the token's {@code exp} is epoch time); the timer is the event loop's, and is
 * re-armed if it fires before the clock says it is time.
 */
public final class TokenExpiryHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(TokenExpiryHandler.class);

  static final int EXPIRED_CODE = 4001;
  static final String EXPIRED_REASON = "token expired: refresh before exp";
  static final long MAX_WARNING_MS = 60_000;

  /**
   * At most one refresh a second per connection: each costs a signature check, and they are not
   * counted by the connection's rate limit (they never reach {@link Connection}).
   */
  static final long REFRESH_INTERVAL_MS = 1_000;

  static final String TOO_OFTEN_MESSAGE =
      "at most one refresh a second: the connection keeps its expiry; retry after retryAfterMs";
  static final String NOT_TOKEN_MESSAGE =
      "refresh is only for connections opened with a user token";
  static final String MISSING_TOKEN_MESSAGE = "refresh needs a token (a string)";
  static final String INVALID_MESSAGE = "the token is not valid: the connection keeps its expiry";
  static final String EXPIRED_MESSAGE = "the token has expired: the connection keeps its expiry";
  static final String MISMATCH_MESSAGE =
      "the token names another user (sub) than the connection's: the connection keeps its expiry";

  private final TokenVerifier verifier;
  private final Clock clock;
  private Authorizer authorizer;

  /** The connection's end in epoch millis; 0 while it has none (an API key). */
  private long expiresAtMs;

  private long warnAtMs;
  private long nextRefreshAtMs;
  private boolean warned;
  private boolean closed;
  private Future<?> timer;

  public TokenExpiryHandler(TokenVerifier verifier, Clock clock) {
    this.verifier = verifier;
    this.clock = clock;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    // First the handlers behind: ActionFrameHandler sends the connected frame, which comes first.
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
    if (msg instanceof TextWebSocketFrame text && authorizer != null) {
      JsonNode refresh = refreshAction(text.text());
      if (refresh != null) {
        ReferenceCountUtil.release(msg);
        if (!closed) {
          refresh(ctx, refresh);
        }
        return;
      }
    }
    super.channelRead(ctx, msg);
  }

  /**
   * The message as JSON if it is a {@code refresh} action, else null (it goes on to the actions'
   * parser, which answers whatever is wrong with it). Only a message that mentions refresh at all
   * is parsed here.
   */
  private static JsonNode refreshAction(String text) {
    if (!text.contains("refresh")) {
      return null;
    }
    try {
      JsonNode node = Json.MAPPER.readTree(text);
      return node != null && node.isObject() && "refresh".equals(node.path("action").asText(null))
          ? node
          : null;
    } catch (Exception notJson) {
      return null;
    }
  }

  private void refresh(ChannelHandlerContext ctx, JsonNode action) {
    JsonNode id = action.get("requestId");
    String requestId = id != null && id.isTextual() ? id.asText() : null;
    if (!authorizer.tokenBased()) {
      reply(ctx, ErrorCode.INVALID_FIELD.frame(NOT_TOKEN_MESSAGE, requestId));
      return;
    }
    JsonNode token = action.get("token");
    if (token == null || !token.isTextual()) {
      reply(ctx, ErrorCode.MISSING_FIELD.frame(MISSING_TOKEN_MESSAGE, requestId));
      return;
    }
    long now = clock.millis();
    if (now < nextRefreshAtMs) {
      reply(ctx, ErrorCode.RATE_LIMITED.frame(TOO_OFTEN_MESSAGE, requestId, nextRefreshAtMs - now));
      return;
    }
    nextRefreshAtMs = now + REFRESH_INTERVAL_MS;
    TokenVerifier.Result result = verifier.verify(token.asText());
    if (result instanceof TokenVerifier.Refused refused) {
      log.debug("connection of {}: refresh refused ({})", authorizer, refused.refusal());
      reply(
          ctx,
          refused.refusal() == TokenVerifier.Refusal.EXPIRED
              ? ErrorCode.TOKEN_EXPIRED.frame(EXPIRED_MESSAGE, requestId)
              : ErrorCode.TOKEN_INVALID.frame(INVALID_MESSAGE, requestId));
      return;
    }
    Authorizer renewed = ((TokenVerifier.Verified) result).authorizer();
    if (!renewed.principalId().equals(authorizer.principalId())) {
      log.debug("connection of {}: refresh refused (another sub)", authorizer);
      reply(ctx, ErrorCode.REFRESH_SUBJECT_MISMATCH.frame(MISMATCH_MESSAGE, requestId));
      return;
    }
    endAt(ctx, renewed.expiresAt() * 1000);
    log.debug("connection of {}: refreshed until {}", authorizer, expiresAtMs);
    reply(ctx, new ServerFrame.Refreshed(expiresAtMs, requestId));
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
      closed = true;
      log.debug("closing {} with {}: its token expired", channel.remoteAddress(), EXPIRED_CODE);
      // As every close the server decides: LingeringCloseHandler closes the socket at
      // closeTimeout if the client never answers the close frame.
      channel.writeAndFlush(new CloseWebSocketFrame(EXPIRED_CODE, EXPIRED_REASON));
      channel.close();
      return;
    }
    if (!warned && now >= warnAtMs) {
      warned = true;
      reply(ctx, new ServerFrame.TokenExpiring(expiresAtMs));
    }
    long next = warned ? expiresAtMs : warnAtMs;
    timer = ctx.executor().schedule(() -> check(ctx), next - now, TimeUnit.MILLISECONDS);
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
