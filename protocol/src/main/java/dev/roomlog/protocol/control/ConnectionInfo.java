package dev.roomlog.protocol.control;

import dev.roomlog.protocol.action.Fields;

/**
 * What {@code GET /@connections/{id}} tells about a connection, after API Gateway's GetConnection:
 * when it connected, when the client last sent a message, and who it is.
 *
 * @param connectedAt epoch millis of the handshake
 * @param lastActiveAt epoch millis of the client's last message (or the handshake)
 */
public record ConnectionInfo(
    String connectionId, long connectedAt, long lastActiveAt, Identity identity) {

  public ConnectionInfo {
    Fields.require("connectionId", connectionId);
    if (identity == null) {
      throw new IllegalArgumentException("identity is required");
    }
  }

  /**
   * @param sourceIp the client's address (as the gateway trusts it: X-Forwarded-For from a trusted
   *     proxy)
   * @param userAgent the handshake's User-Agent, or null
   * @param apiKeyName the name of the API key the client presented
   */
  public record Identity(String sourceIp, String userAgent, String apiKeyName) {}
}
