package dev.roomlog.protocol.action;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * What the gateway knows about an action and the client cannot forge, modelled on the {@code
 * requestContext} of an AWS API Gateway WebSocket event (same field names where they apply), plus
 * the id of the gateway node that holds the connection.
 *
 * @param routeKey the action name, {@code $connect}, {@code $disconnect} or {@code $heartbeat}
 * @param eventType CONNECT, MESSAGE, DISCONNECT or HEARTBEAT
 * @param connectionId the gateway-assigned id of the connection; absent (null) only on a heartbeat,
 *     which belongs to the gateway, not to a connection
 * @param connectedAt epoch millis of the handshake
 * @param requestTimeEpoch epoch millis at which the gateway received the action
 * @param requestId the gateway's unique id for this record (not the client's requestId)
 * @param identity where the connection comes from, and its user agent
 * @param gatewayId the gateway node holding the connection; deliveries are addressed to it
 * @param gatewayInstance this run of that gateway (new at every start): members whose connections
 *     belonged to an earlier run are gone, whatever their gatewayId. Null in records written before
 *     it existed.
 * @param authorizer who the gateway admitted the connection as (an API key or a token's subject);
 *     null on a heartbeat, on the management API's posts, and in records written before it existed
 */
public record RequestContext(
    String routeKey,
    EventType eventType,
    String connectionId,
    long connectedAt,
    long requestTimeEpoch,
    String requestId,
    Identity identity,
    String gatewayId,
    String gatewayInstance,
    Authorizer authorizer) {

  public RequestContext {
    Objects.requireNonNull(routeKey, "routeKey");
    Objects.requireNonNull(eventType, "eventType");
    if (eventType != EventType.HEARTBEAT) {
      Fields.require("connectionId", connectionId);
    }
    Fields.require("requestId", requestId);
    Objects.requireNonNull(identity, "identity");
    Fields.require("gatewayId", gatewayId);
  }

  public enum EventType {
    CONNECT,
    MESSAGE,
    DISCONNECT,
    HEARTBEAT
  }

  /**
   * @param sourceIp the client's address (after trusted proxies' forwarding headers)
   * @param userAgent the handshake's {@code User-Agent} (at most 256 characters); null when it sent
   *     none, and in records written before it was kept
   */
  public record Identity(
      String sourceIp, @JsonInclude(JsonInclude.Include.NON_NULL) String userAgent) {
    /** Without a user agent (heartbeats, the management API's posts). */
    public Identity(String sourceIp) {
      this(sourceIp, null);
    }
  }
}
