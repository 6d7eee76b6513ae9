package dev.roomlog.gateway.handshake;

import dev.roomlog.gateway.limits.ConnectionLimiter;
import dev.roomlog.gateway.settings.ApiKey;
import dev.roomlog.protocol.action.Authorizer;
import io.netty.util.AttributeKey;

/**
 * What the handshake learned about a client, kept on its channel for the handlers after it. {@link
 * HandshakeHandler} sets the API key and source IP before it lets the upgrade through. The handlers
 * of an open connection read them; the handshake reads nothing of theirs, so the dependency runs
 * one way (connection to handshake).
 */
public final class HandshakeAttributes {
  /**
   * The API key the client presented (its name is used in logs and the per-key rate limit); null
   * for a connection admitted with a token.
   */
  public static final AttributeKey<ApiKey> API_KEY = AttributeKey.valueOf("roomlog.apiKey");

  /**
   * Who the connection speaks for: its API key's name or its token's subject and claims. Stamped on
   * each of its records; never the secret or the token.
   */
  public static final AttributeKey<Authorizer> AUTHORIZER =
      AttributeKey.valueOf("roomlog.authorizer");

  /**
   * The client's IP address: the socket's peer, or the address a trusted proxy named in
   * X-Forwarded-For.
   */
  public static final AttributeKey<String> SOURCE_IP = AttributeKey.valueOf("roomlog.sourceIp");

  /**
   * The id a {@code $connect} route was told the connection has; null without such a route (the
   * connection gets its id when it opens).
   */
  public static final AttributeKey<String> CONNECTION_ID =
      AttributeKey.valueOf("roomlog.connectionId");

  /** The handshake's User-Agent header (at most 256 characters), or null. */
  public static final AttributeKey<String> USER_AGENT = AttributeKey.valueOf("roomlog.userAgent");

  /**
   * The socket's slot among the pending handshakes, from accept until admission ({@link
   * PendingHandshakeHandler} sets it, {@link HandshakeHandler} releases it on admission).
   */
  static final AttributeKey<ConnectionLimiter.Permit> HANDSHAKE_SLOT =
      AttributeKey.valueOf("roomlog.handshakeSlot");

  /**
   * Set when the bytes that came behind the request head, before the upgrade was answered, begin
   * like a second HTTP request ({@link RequestHeadHandler}); {@link HandshakeHandler} refuses the
   * upgrade then (400 {@code secondRequest}).
   */
  static final AttributeKey<Boolean> REQUEST_BEHIND = AttributeKey.valueOf("roomlog.requestBehind");

  private HandshakeAttributes() {}
}
