package dev.roomlog.gateway.connection;

import io.netty.util.AttributeKey;

/**
 * What an open connection keeps on its channel. What the handshake learned (key, source IP) is in
 * {@link dev.roomlog.gateway.handshake.HandshakeAttributes}.
 */
public final class ConnectionAttributes {
  /** The open connection, from the handshake's completion ({@link ActionFrameHandler}). */
  public static final AttributeKey<Connection> CONNECTION =
      AttributeKey.valueOf("roomlog.connection");

  private ConnectionAttributes() {}

  /**
   * Set once the server's close frame has been written ({@link LingeringCloseHandler}): the
   * connection lingers for the client's answer and takes no more frames.
   */
  static final AttributeKey<Boolean> CLOSING = AttributeKey.valueOf("roomlog.closing");
}
