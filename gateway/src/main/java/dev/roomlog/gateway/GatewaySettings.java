package dev.roomlog.gateway;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The configuration of one gateway node, validated at construction: a bad value fails fast with
 * the name of the setting. Property names (for the server's config file, flags and environment)
 * are constants here, with their defaults beside them.
 *
 * @param bindHost the address to listen on
 * @param port the TCP port for WebSocket clients; 0 picks a free port (see {@link
 *     GatewayServer#port()})
 * @param apiKeys the accepted values of the {@code x-api-key} handshake header; at least one
 * @param gatewayId this node's id; stamped on every WAL record and used as the deliveries key
 * @param stage a deployment label such as "production", or null; reserved: the protocol's
 *     {@code RequestContext} has no stage field yet, so it is not written to the log
 * @param maxFramePayloadBytes the largest single WebSocket frame; larger ones close with 1009
 * @param maxMessageBytes the largest message after joining continuation frames; larger close 1009
 * @param maxPendingAppends how many WAL records may wait for the Kafka writer; beyond that
 *     actions are answered 503 overloaded
 * @param maxOutboundBytesPerConnection bytes that may wait to be written to one socket; a
 *     client that lets more pile up is cut off with close 1013 and resumes by seq
 */
public record GatewaySettings(
    String bindHost,
    int port,
    Set<String> apiKeys,
    String gatewayId,
    String stage,
    int maxFramePayloadBytes,
    int maxMessageBytes,
    int maxPendingAppends,
    int maxOutboundBytesPerConnection) {

  public static final String BIND_HOST = "roomlog.gateway.bindHost";
  public static final String DEFAULT_BIND_HOST = "0.0.0.0";
  public static final String PORT = "roomlog.gateway.port";
  public static final int DEFAULT_PORT = 8080;
  /** Comma-separated list of keys. */
  public static final String API_KEYS = "roomlog.gateway.apiKeys";
  public static final String GATEWAY_ID = "roomlog.gateway.id";
  public static final String STAGE = "roomlog.gateway.stage";
  public static final String MAX_FRAME_PAYLOAD_BYTES = "roomlog.gateway.maxFramePayloadBytes";
  public static final int DEFAULT_MAX_FRAME_PAYLOAD_BYTES = 32 * 1024;
  public static final String MAX_MESSAGE_BYTES = "roomlog.gateway.maxMessageBytes";
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 128 * 1024;
  public static final String MAX_PENDING_APPENDS = "roomlog.gateway.maxPendingAppends";
  public static final int DEFAULT_MAX_PENDING_APPENDS = 10_000;
  public static final String MAX_OUTBOUND_BYTES_PER_CONNECTION =
      "roomlog.gateway.maxOutboundBytesPerConnection";
  public static final int DEFAULT_MAX_OUTBOUND_BYTES_PER_CONNECTION = 1024 * 1024;

  public GatewaySettings {
    require(BIND_HOST, bindHost);
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException(
          PORT + " must be between 0 and 65535 (0 = any free port), was " + port);
    }
    Objects.requireNonNull(apiKeys, API_KEYS);
    apiKeys = Set.copyOf(apiKeys);
    if (apiKeys.isEmpty()) {
      throw new IllegalArgumentException(
          API_KEYS + " must name at least one key: clients present it in the x-api-key header");
    }
    for (String key : apiKeys) {
      if (key.isBlank()) {
        throw new IllegalArgumentException(API_KEYS + " must not contain a blank key");
      }
    }
    require(GATEWAY_ID, gatewayId);
    if (stage != null && stage.isBlank()) {
      stage = null;
    }
    positive(MAX_FRAME_PAYLOAD_BYTES, maxFramePayloadBytes);
    positive(MAX_MESSAGE_BYTES, maxMessageBytes);
    if (maxMessageBytes < maxFramePayloadBytes) {
      throw new IllegalArgumentException(
          MAX_MESSAGE_BYTES
              + " ("
              + maxMessageBytes
              + ") must be at least "
              + MAX_FRAME_PAYLOAD_BYTES
              + " ("
              + maxFramePayloadBytes
              + ")");
    }
    positive(MAX_PENDING_APPENDS, maxPendingAppends);
    positive(MAX_OUTBOUND_BYTES_PER_CONNECTION, maxOutboundBytesPerConnection);
  }

  /** The defaults for everything but the keys and the node id. */
  public static GatewaySettings of(Set<String> apiKeys, String gatewayId) {
    return new GatewaySettings(
        DEFAULT_BIND_HOST,
        DEFAULT_PORT,
        apiKeys,
        gatewayId,
        null,
        DEFAULT_MAX_FRAME_PAYLOAD_BYTES,
        DEFAULT_MAX_MESSAGE_BYTES,
        DEFAULT_MAX_PENDING_APPENDS,
        DEFAULT_MAX_OUTBOUND_BYTES_PER_CONNECTION);
  }

  /**
   * Reads the settings from properties named by the constants of this class; absent ones take
   * their defaults. {@link #API_KEYS} and {@link #GATEWAY_ID} are required.
   */
  public static GatewaySettings fromProperties(Map<String, String> props) {
    String keys = props.getOrDefault(API_KEYS, "");
    Set<String> apiKeys =
        Arrays.stream(keys.split(","))
            .map(String::trim)
            .filter(k -> !k.isEmpty())
            .collect(Collectors.toSet());
    return new GatewaySettings(
        props.getOrDefault(BIND_HOST, DEFAULT_BIND_HOST),
        intProp(props, PORT, DEFAULT_PORT),
        apiKeys,
        props.get(GATEWAY_ID),
        props.get(STAGE),
        intProp(props, MAX_FRAME_PAYLOAD_BYTES, DEFAULT_MAX_FRAME_PAYLOAD_BYTES),
        intProp(props, MAX_MESSAGE_BYTES, DEFAULT_MAX_MESSAGE_BYTES),
        intProp(props, MAX_PENDING_APPENDS, DEFAULT_MAX_PENDING_APPENDS),
        intProp(props, MAX_OUTBOUND_BYTES_PER_CONNECTION, DEFAULT_MAX_OUTBOUND_BYTES_PER_CONNECTION));
  }

  public GatewaySettings withPort(int newPort) {
    return new GatewaySettings(
        bindHost, newPort, apiKeys, gatewayId, stage, maxFramePayloadBytes, maxMessageBytes,
        maxPendingAppends, maxOutboundBytesPerConnection);
  }

  public GatewaySettings withBindHost(String newBindHost) {
    return new GatewaySettings(
        newBindHost, port, apiKeys, gatewayId, stage, maxFramePayloadBytes, maxMessageBytes,
        maxPendingAppends, maxOutboundBytesPerConnection);
  }

  public GatewaySettings withMaxPendingAppends(int newMaxPendingAppends) {
    return new GatewaySettings(
        bindHost, port, apiKeys, gatewayId, stage, maxFramePayloadBytes, maxMessageBytes,
        newMaxPendingAppends, maxOutboundBytesPerConnection);
  }

  public GatewaySettings withMessageLimits(int newMaxFramePayloadBytes, int newMaxMessageBytes) {
    return new GatewaySettings(
        bindHost, port, apiKeys, gatewayId, stage, newMaxFramePayloadBytes, newMaxMessageBytes,
        maxPendingAppends, maxOutboundBytesPerConnection);
  }

  private static int intProp(Map<String, String> props, String name, int defaultValue) {
    String value = props.get(name);
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, was '" + value + "'", e);
    }
  }

  private static void require(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " is required and must not be blank");
    }
  }

  private static void positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, was " + value);
    }
  }
}
