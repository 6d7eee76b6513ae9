package dev.roomlog.gateway;

import dev.roomlog.gateway.handshake.ApiKey;
import dev.roomlog.gateway.ipfilter.Cidr;
import dev.roomlog.protocol.ConnectionIds;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The configuration of one gateway node, validated when built: a bad value fails fast with the name
 * of the setting. Property names (for the server's flags, config file and environment) are
 * constants here, with their defaults beside them; docs/OPERATIONS.md lists each one and what a
 * client sees when it is hit. Immutable and thread-safe.
 *
 * <p>Build with {@link #builder(List, String)} (or {@link #fromProperties}); change a copy with
 * {@link #toBuilder()}.
 */
public final class GatewaySettings {
  private static final String P = "roomlog.gateway.";

  // Where it listens and who it is.
  public static final String BIND_HOST = P + "bindHost";
  public static final String DEFAULT_BIND_HOST = "0.0.0.0";
  public static final String PORT = P + "port";
  public static final int DEFAULT_PORT = 8080;

  /** The management API's port (/@connections, server posts); 0 = any free port, -1 = none. */
  public static final String ADMIN_PORT = P + "adminPort";

  public static final int DEFAULT_ADMIN_PORT = 8081;

  /** The address the management API listens on; by default the WebSocket server's. */
  public static final String ADMIN_BIND_HOST = P + "adminBindHost";

  /**
   * The processors' query ports (comma-separated base URLs, e.g. {@code http://processor-1:7070}),
   * to which the management API forwards room queries ({@code GET /rooms...}); empty = it does not
   * answer them.
   */
  public static final String ROOMS_URLS = P + "roomsUrls";

  public static final String GATEWAY_ID = P + "id";
  public static final String STAGE = P + "stage";

  // Who may connect.
  /** Comma-separated {@code name:secret} entries (a bare secret gets a generated name). */
  public static final String API_KEYS = P + "apiKeys";

  /** A file with one {@code name:secret} per line; {@code #} starts a comment. */
  public static final String API_KEYS_FILE = P + "apiKeysFile";

  /** The management API's key; never accepted from WebSocket clients. */
  public static final String ADMIN_KEY = P + "adminKey";

  /** Exact origins (scheme://host[:port]) browsers may connect from; empty = any. */
  public static final String ALLOWED_ORIGINS = P + "allowedOrigins";

  /** A file of {@code allow CIDR} / {@code block CIDR} lines, re-read when it changes. */
  public static final String IP_RULES_FILE = P + "ipRulesFile";

  public static final String IP_RULES_RELOAD_INTERVAL = P + "ipRulesReloadInterval";
  public static final Duration DEFAULT_IP_RULES_RELOAD_INTERVAL = Duration.ofSeconds(5);

  /** CIDRs of reverse proxies whose X-Forwarded-For is believed; empty = none. */
  public static final String TRUSTED_PROXIES = P + "trustedProxies";

  // How much.
  public static final String MAX_CONNECTIONS = P + "maxConnections";
  public static final int DEFAULT_MAX_CONNECTIONS = 50_000;
  public static final String MAX_CONNECTIONS_PER_IP = P + "maxConnectionsPerIp";
  public static final int DEFAULT_MAX_CONNECTIONS_PER_IP = 1_000;

  /**
   * Sockets accepted but not yet through the handshake check (still sending their HTTP request), on
   * this node; past it a new socket is closed at once.
   */
  public static final String MAX_PENDING_HANDSHAKES = P + "maxPendingHandshakes";

  public static final int DEFAULT_MAX_PENDING_HANDSHAKES = 1_000;

  /** The same from one peer address (trusted proxies count only towards the node's total). */
  public static final String MAX_PENDING_HANDSHAKES_PER_IP = P + "maxPendingHandshakesPerIp";

  public static final int DEFAULT_MAX_PENDING_HANDSHAKES_PER_IP = 50;

  /**
   * Handshakes one source address may start per second (token bucket refill; the address after
   * X-Forwarded-For from a trusted proxy), and how many at once; past it HTTP 429 + Retry-After.
   * Every connect/close writes two records to the log, kept for ever.
   */
  public static final String HANDSHAKES_PER_SECOND_PER_IP = P + "handshakesPerSecondPerIp";

  public static final int DEFAULT_HANDSHAKES_PER_SECOND_PER_IP = 10;
  public static final String HANDSHAKE_BURST_PER_IP = P + "handshakeBurstPerIp";
  public static final int DEFAULT_HANDSHAKE_BURST_PER_IP = 20;

  /** The Retry-After (seconds) sent with a 503 refused handshake. */
  public static final String RETRY_AFTER_SECONDS = P + "retryAfterSeconds";

  public static final int DEFAULT_RETRY_AFTER_SECONDS = 5;
  public static final String MAX_IN_FLIGHT_ACTIONS = P + "maxInFlightActions";
  public static final int DEFAULT_MAX_IN_FLIGHT_ACTIONS = 10_000;
  public static final String MAX_IN_FLIGHT_ACTIONS_PER_CONNECTION =
      P + "maxInFlightActionsPerConnection";
  public static final int DEFAULT_MAX_IN_FLIGHT_ACTIONS_PER_CONNECTION = 100;

  /** How long a write to Kafka may take before the client is told 503 logUnavailable. */
  public static final String LOG_WRITE_TIMEOUT = P + "logWriteTimeout";

  public static final Duration DEFAULT_LOG_WRITE_TIMEOUT = Duration.ofSeconds(15);
  public static final String CONNECTION_RATE = P + "connectionRatePerSecond";
  public static final int DEFAULT_CONNECTION_RATE = 20;
  public static final String CONNECTION_BURST = P + "connectionBurst";
  public static final int DEFAULT_CONNECTION_BURST = 40;
  public static final String API_KEY_RATE = P + "apiKeyRatePerSecond";
  public static final int DEFAULT_API_KEY_RATE = 2_000;
  public static final String API_KEY_BURST = P + "apiKeyBurst";
  public static final int DEFAULT_API_KEY_BURST = 4_000;

  /**
   * How many rate-limited (429) actions a connection may send, refilled at its own rate, before it
   * is closed with 1008 as a flooder.
   */
  public static final String FLOOD_TOLERANCE = P + "floodTolerance";

  public static final int DEFAULT_FLOOD_TOLERANCE = 50;

  /** Pings one connection may send per second (and at once); past it close 1008. */
  public static final String MAX_PINGS_PER_SECOND = P + "maxPingsPerSecond";

  public static final int DEFAULT_MAX_PINGS_PER_SECOND = 10;
  public static final String MAX_FRAME_PAYLOAD_BYTES = P + "maxFramePayloadBytes";
  public static final int DEFAULT_MAX_FRAME_PAYLOAD_BYTES = 32 * 1024;
  public static final String MAX_MESSAGE_BYTES = P + "maxMessageBytes";
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 128 * 1024;
  public static final String MAX_OUTBOUND_BYTES_PER_CONNECTION =
      P + "maxOutboundBytesPerConnection";
  public static final int DEFAULT_MAX_OUTBOUND_BYTES_PER_CONNECTION = 1024 * 1024;

  /**
   * Bytes per second of answers to its own requests one connection may be sent (charged when
   * delivered); while it has had more, with {@link #ANSWER_BURST_BYTES}, its joins and resumes get
   * 429. The defaults: one answer is at most about 1.1 MiB (the processor keeps at most 1 MiB of a
   * room's recent events and 1000 members), a full window of 100 chat messages about 170 KB. A
   * burst of 8 MiB lets a reconnecting client rejoin or resume 7 rooms at their largest, or some 48
   * full ordinary windows, one after the other without waiting; 256 KiB/s pays that back in 32 s
   * and holds a client that keeps asking to about one full ordinary window every 0.7 s, instead of
   * one per message its rate allows.
   */
  public static final String ANSWER_BYTES_PER_SECOND = P + "answerBytesPerSecond";

  public static final int DEFAULT_ANSWER_BYTES_PER_SECOND = 256 * 1024;
  public static final String ANSWER_BURST_BYTES = P + "answerBurstBytes";
  public static final int DEFAULT_ANSWER_BURST_BYTES = 8 * 1024 * 1024;

  /** permessage-deflate (RFC 7692); off unless set, since it costs CPU and memory per socket. */
  public static final String PERMESSAGE_DEFLATE = P + "permessageDeflate";

  // How long.
  public static final String HANDSHAKE_TIMEOUT = P + "handshakeTimeout";
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
  public static final String IDLE_TIMEOUT = P + "idleTimeout";
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);
  public static final String MAX_CONNECTION_AGE = P + "maxConnectionAge";
  public static final Duration DEFAULT_MAX_CONNECTION_AGE = Duration.ofHours(2);
  public static final String PING_INTERVAL = P + "pingInterval";
  public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(30);
  public static final String PONG_TIMEOUT = P + "pongTimeout";
  public static final Duration DEFAULT_PONG_TIMEOUT = Duration.ofSeconds(10);

  /**
   * After the server's close frame: how long it goes on reading (and dropping) what the client
   * sends, waiting for the client's close frame, before it closes the socket regardless.
   */
  public static final String CLOSE_TIMEOUT = P + "closeTimeout";

  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);

  /**
   * How often the gateway writes a heartbeat to every partition of the log. The processor's
   * gatewayTimeout (default 15 s) must be several of these: a gateway silent that long loses its
   * members.
   */
  public static final String HEARTBEAT_INTERVAL = P + "heartbeatInterval";

  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(3);

  /** Every setting's property name, in the order docs/OPERATIONS.md lists them. */
  public static final List<String> PROPERTY_NAMES =
      List.of(
          BIND_HOST,
          PORT,
          ADMIN_PORT,
          ADMIN_BIND_HOST,
          ROOMS_URLS,
          GATEWAY_ID,
          STAGE,
          API_KEYS,
          API_KEYS_FILE,
          ADMIN_KEY,
          ALLOWED_ORIGINS,
          IP_RULES_FILE,
          IP_RULES_RELOAD_INTERVAL,
          TRUSTED_PROXIES,
          MAX_CONNECTIONS,
          MAX_CONNECTIONS_PER_IP,
          MAX_PENDING_HANDSHAKES,
          MAX_PENDING_HANDSHAKES_PER_IP,
          HANDSHAKES_PER_SECOND_PER_IP,
          HANDSHAKE_BURST_PER_IP,
          RETRY_AFTER_SECONDS,
          MAX_IN_FLIGHT_ACTIONS,
          MAX_IN_FLIGHT_ACTIONS_PER_CONNECTION,
          LOG_WRITE_TIMEOUT,
          CONNECTION_RATE,
          CONNECTION_BURST,
          API_KEY_RATE,
          API_KEY_BURST,
          FLOOD_TOLERANCE,
          MAX_PINGS_PER_SECOND,
          MAX_FRAME_PAYLOAD_BYTES,
          MAX_MESSAGE_BYTES,
          MAX_OUTBOUND_BYTES_PER_CONNECTION,
          ANSWER_BYTES_PER_SECOND,
          ANSWER_BURST_BYTES,
          PERMESSAGE_DEFLATE,
          HANDSHAKE_TIMEOUT,
          IDLE_TIMEOUT,
          MAX_CONNECTION_AGE,
          PING_INTERVAL,
          PONG_TIMEOUT,
          CLOSE_TIMEOUT,
          HEARTBEAT_INTERVAL);

  /**
   * The environment variable that sets a property: {@code roomlog.gateway.maxConnections} is {@code
   * ROOMLOG_GATEWAY_MAX_CONNECTIONS}.
   */
  public static String environmentVariable(String property) {
    String camel = property.substring(P.length());
    return "ROOMLOG_GATEWAY_"
        + camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
  }

  private final String bindHost;
  private final int port;
  private final String gatewayId;
  private final String stage;
  private final List<ApiKey> apiKeys;
  private final String adminKey;
  private final int adminPort;

  /** As configured; null means "the WebSocket server's address" ({@link #adminBindHost()}). */
  private final String adminBindHostSetting;

  private final List<URI> roomsUrls;
  private final Set<String> allowedOrigins;
  private final Path ipRulesFile;
  private final Duration ipRulesReloadInterval;
  private final List<String> trustedProxies;
  private final int maxConnections;
  private final int maxConnectionsPerIp;
  private final int maxPendingHandshakes;
  private final int maxPendingHandshakesPerIp;
  private final int handshakesPerSecondPerIp;
  private final int handshakeBurstPerIp;
  private final int retryAfterSeconds;
  private final int maxInFlightActions;
  private final int maxInFlightActionsPerConnection;
  private final Duration logWriteTimeout;
  private final int connectionRatePerSecond;
  private final int connectionBurst;
  private final int apiKeyRatePerSecond;
  private final int apiKeyBurst;
  private final int floodTolerance;
  private final int maxPingsPerSecond;
  private final int maxFramePayloadBytes;
  private final int maxMessageBytes;
  private final int maxOutboundBytesPerConnection;
  private final int answerBytesPerSecond;
  private final int answerBurstBytes;
  private final boolean permessageDeflate;
  private final Duration handshakeTimeout;
  private final Duration idleTimeout;
  private final Duration maxConnectionAge;
  private final Duration pingInterval;
  private final Duration pongTimeout;
  private final Duration closeTimeout;
  private final Duration heartbeatInterval;

  private GatewaySettings(Builder b) {
    bindHost = require(BIND_HOST, b.bindHost);
    if (b.port < 0 || b.port > 65_535) {
      throw new IllegalArgumentException(
          PORT + " must be between 0 and 65535 (0 = any free port), was " + b.port);
    }
    port = b.port;
    if (b.adminPort < -1 || b.adminPort > 65_535) {
      throw new IllegalArgumentException(
          ADMIN_PORT
              + " must be between 0 and 65535 (0 = any free port), or -1 for none, was "
              + b.adminPort);
    }
    adminPort = b.adminPort;
    adminBindHostSetting =
        b.adminBindHost == null || b.adminBindHost.isBlank() ? null : b.adminBindHost.strip();
    List<URI> urls = new ArrayList<>();
    for (String url : b.roomsUrls) {
      URI uri;
      try {
        uri = new URI(url.strip());
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(ROOMS_URLS + ": '" + url + "' is not a URL", e);
      }
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null) {
        throw new IllegalArgumentException(
            ROOMS_URLS + ": '" + url + "' must be http(s)://host:port of a processor's query port");
      }
      urls.add(uri);
    }
    roomsUrls = List.copyOf(urls);
    gatewayId = require(GATEWAY_ID, b.gatewayId);
    if (!ConnectionIds.GATEWAY_ID.matcher(gatewayId).matches()) {
      // It is part of every connection id, and those go into URLs (/@connections/{id}).
      throw new IllegalArgumentException(
          GATEWAY_ID
              + " must be 1 to 64 letters, digits, '.', '_' or '-', got '"
              + gatewayId
              + "'");
    }
    stage = b.stage == null || b.stage.isBlank() ? null : b.stage.strip();
    if (stage != null && !stage.matches("[A-Za-z0-9._-]{1,128}")) {
      // It is a path segment of the management API (/{stage}/@connections/{id}).
      throw new IllegalArgumentException(
          STAGE + " must be 1 to 128 letters, digits, '.', '_' or '-', got '" + stage + "'");
    }
    apiKeys = List.copyOf(b.apiKeys);
    if (apiKeys.isEmpty()) {
      throw new IllegalArgumentException(
          API_KEYS
              + " (or "
              + API_KEYS_FILE
              + ") must name at least one key: clients present it in the x-api-key header");
    }
    Set<String> names = new HashSet<>();
    Set<String> secrets = new HashSet<>();
    for (ApiKey key : apiKeys) {
      if (!names.add(key.name())) {
        throw new IllegalArgumentException(
            API_KEYS + ": the key name '" + key.name() + "' is used twice");
      }
      if (!secrets.add(key.secret())) {
        throw new IllegalArgumentException(
            API_KEYS
                + ": the same secret is configured twice (keys '"
                + key.name()
                + "' and another)");
      }
    }
    adminKey = b.adminKey == null || b.adminKey.isBlank() ? null : b.adminKey.strip();
    if (adminKey != null && secrets.contains(adminKey)) {
      throw new IllegalArgumentException(
          ADMIN_KEY + " must differ from every client key in " + API_KEYS);
    }
    allowedOrigins = Set.copyOf(b.allowedOrigins);
    for (String origin : allowedOrigins) {
      if (!origin.matches("(?i)https?://[^/\\s]+")) {
        throw new IllegalArgumentException(
            ALLOWED_ORIGINS
                + " entries must be exact origins like https://chat.example.com (scheme://host[:port],"
                + " no path), was '"
                + origin
                + "'");
      }
    }
    ipRulesFile = b.ipRulesFile;
    ipRulesReloadInterval = positive(IP_RULES_RELOAD_INTERVAL, b.ipRulesReloadInterval);
    trustedProxies = List.copyOf(b.trustedProxies);
    for (String proxy : trustedProxies) {
      try {
        Cidr.parse(proxy);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(TRUSTED_PROXIES + ": " + e.getMessage(), e);
      }
    }
    maxConnections = atLeastOne(MAX_CONNECTIONS, b.maxConnections);
    maxConnectionsPerIp = atLeastOne(MAX_CONNECTIONS_PER_IP, b.maxConnectionsPerIp);
    maxPendingHandshakes = atLeastOne(MAX_PENDING_HANDSHAKES, b.maxPendingHandshakes);
    maxPendingHandshakesPerIp =
        atLeastOne(MAX_PENDING_HANDSHAKES_PER_IP, b.maxPendingHandshakesPerIp);
    handshakesPerSecondPerIp = atLeastOne(HANDSHAKES_PER_SECOND_PER_IP, b.handshakesPerSecondPerIp);
    if (handshakesPerSecondPerIp > 1_000_000_000) {
      // TokenBucket's interval is whole nanoseconds.
      throw new IllegalArgumentException(
          HANDSHAKES_PER_SECOND_PER_IP
              + " must be at most 1000000000, was "
              + handshakesPerSecondPerIp);
    }
    handshakeBurstPerIp = atLeastOne(HANDSHAKE_BURST_PER_IP, b.handshakeBurstPerIp);
    retryAfterSeconds = atLeastOne(RETRY_AFTER_SECONDS, b.retryAfterSeconds);
    maxInFlightActions = atLeastOne(MAX_IN_FLIGHT_ACTIONS, b.maxInFlightActions);
    maxInFlightActionsPerConnection =
        atLeastOne(MAX_IN_FLIGHT_ACTIONS_PER_CONNECTION, b.maxInFlightActionsPerConnection);
    logWriteTimeout = positive(LOG_WRITE_TIMEOUT, b.logWriteTimeout);
    if (logWriteTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
      // KafkaWalAppender splits it between queueing, blocking in send and Kafka's own timeouts.
      throw new IllegalArgumentException(
          LOG_WRITE_TIMEOUT + " must be at least 1s, was " + logWriteTimeout.toMillis() + "ms");
    }
    connectionRatePerSecond = atLeastOne(CONNECTION_RATE, b.connectionRatePerSecond);
    connectionBurst = atLeastOne(CONNECTION_BURST, b.connectionBurst);
    apiKeyRatePerSecond = atLeastOne(API_KEY_RATE, b.apiKeyRatePerSecond);
    apiKeyBurst = atLeastOne(API_KEY_BURST, b.apiKeyBurst);
    floodTolerance = atLeastOne(FLOOD_TOLERANCE, b.floodTolerance);
    // TokenBucket's interval is whole nanoseconds.
    maxPingsPerSecond = atLeastOne(MAX_PINGS_PER_SECOND, b.maxPingsPerSecond);
    if (maxPingsPerSecond > 1_000_000_000) {
      throw new IllegalArgumentException(
          MAX_PINGS_PER_SECOND + " must be at most 1000000000, was " + maxPingsPerSecond);
    }
    maxFramePayloadBytes = atLeastOne(MAX_FRAME_PAYLOAD_BYTES, b.maxFramePayloadBytes);
    maxMessageBytes = atLeastOne(MAX_MESSAGE_BYTES, b.maxMessageBytes);
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
    maxOutboundBytesPerConnection =
        atLeastOne(MAX_OUTBOUND_BYTES_PER_CONNECTION, b.maxOutboundBytesPerConnection);
    answerBytesPerSecond = atLeastOne(ANSWER_BYTES_PER_SECOND, b.answerBytesPerSecond);
    answerBurstBytes = atLeastOne(ANSWER_BURST_BYTES, b.answerBurstBytes);
    permessageDeflate = b.permessageDeflate;
    handshakeTimeout = positive(HANDSHAKE_TIMEOUT, b.handshakeTimeout);
    idleTimeout = positive(IDLE_TIMEOUT, b.idleTimeout);
    maxConnectionAge = positive(MAX_CONNECTION_AGE, b.maxConnectionAge);
    pingInterval = positive(PING_INTERVAL, b.pingInterval);
    pongTimeout = positive(PONG_TIMEOUT, b.pongTimeout);
    closeTimeout = positive(CLOSE_TIMEOUT, b.closeTimeout);
    heartbeatInterval = positive(HEARTBEAT_INTERVAL, b.heartbeatInterval);
  }

  /** A builder with every default, for these client keys and this node id. */
  public static Builder builder(List<ApiKey> apiKeys, String gatewayId) {
    Builder b = new Builder();
    b.apiKeys = List.copyOf(apiKeys);
    b.gatewayId = gatewayId;
    return b;
  }

  /** The defaults, with unnamed client keys (named {@code key-1}, {@code key-2}, ...). */
  public static GatewaySettings of(Set<String> secrets, String gatewayId) {
    return builder(ApiKey.unnamed(secrets), gatewayId).build();
  }

  /**
   * Reads the settings from properties named by the constants of this class; absent ones take their
   * defaults. {@link #GATEWAY_ID} and a key ({@link #API_KEYS} or {@link #API_KEYS_FILE}) are
   * required.
   */
  public static GatewaySettings fromProperties(Map<String, String> props) {
    List<ApiKey> keys =
        new ArrayList<>(ApiKey.parseList(API_KEYS, props.getOrDefault(API_KEYS, "")));
    String keyFile = props.get(API_KEYS_FILE);
    if (keyFile != null && !keyFile.isBlank()) {
      keys.addAll(ApiKey.readFile(API_KEYS_FILE, Path.of(keyFile.strip())));
    }
    Builder b = builder(keys, props.get(GATEWAY_ID));
    PropertyReader r = new PropertyReader(props);
    b.bindHost = r.string(BIND_HOST, b.bindHost);
    b.port = r.integer(PORT, b.port);
    b.adminPort = r.integer(ADMIN_PORT, b.adminPort);
    b.adminBindHost = r.string(ADMIN_BIND_HOST, null);
    b.roomsUrls = r.list(ROOMS_URLS);
    b.stage = r.string(STAGE, null);
    b.adminKey = r.string(ADMIN_KEY, null);
    b.allowedOrigins = new LinkedHashSet<>(r.list(ALLOWED_ORIGINS));
    String rules = r.string(IP_RULES_FILE, null);
    b.ipRulesFile = rules == null ? null : Path.of(rules);
    b.ipRulesReloadInterval = r.duration(IP_RULES_RELOAD_INTERVAL, b.ipRulesReloadInterval);
    b.trustedProxies = r.list(TRUSTED_PROXIES);
    b.maxConnections = r.integer(MAX_CONNECTIONS, b.maxConnections);
    b.maxConnectionsPerIp = r.integer(MAX_CONNECTIONS_PER_IP, b.maxConnectionsPerIp);
    b.maxPendingHandshakes = r.integer(MAX_PENDING_HANDSHAKES, b.maxPendingHandshakes);
    b.maxPendingHandshakesPerIp =
        r.integer(MAX_PENDING_HANDSHAKES_PER_IP, b.maxPendingHandshakesPerIp);
    b.handshakesPerSecondPerIp =
        r.integer(HANDSHAKES_PER_SECOND_PER_IP, b.handshakesPerSecondPerIp);
    b.handshakeBurstPerIp = r.integer(HANDSHAKE_BURST_PER_IP, b.handshakeBurstPerIp);
    b.retryAfterSeconds = r.integer(RETRY_AFTER_SECONDS, b.retryAfterSeconds);
    b.maxInFlightActions = r.integer(MAX_IN_FLIGHT_ACTIONS, b.maxInFlightActions);
    b.maxInFlightActionsPerConnection =
        r.integer(MAX_IN_FLIGHT_ACTIONS_PER_CONNECTION, b.maxInFlightActionsPerConnection);
    b.logWriteTimeout = r.duration(LOG_WRITE_TIMEOUT, b.logWriteTimeout);
    b.connectionRatePerSecond = r.integer(CONNECTION_RATE, b.connectionRatePerSecond);
    b.connectionBurst = r.integer(CONNECTION_BURST, b.connectionBurst);
    b.apiKeyRatePerSecond = r.integer(API_KEY_RATE, b.apiKeyRatePerSecond);
    b.apiKeyBurst = r.integer(API_KEY_BURST, b.apiKeyBurst);
    b.floodTolerance = r.integer(FLOOD_TOLERANCE, b.floodTolerance);
    b.maxPingsPerSecond = r.integer(MAX_PINGS_PER_SECOND, b.maxPingsPerSecond);
    b.maxFramePayloadBytes = r.integer(MAX_FRAME_PAYLOAD_BYTES, b.maxFramePayloadBytes);
    b.maxMessageBytes = r.integer(MAX_MESSAGE_BYTES, b.maxMessageBytes);
    b.maxOutboundBytesPerConnection =
        r.integer(MAX_OUTBOUND_BYTES_PER_CONNECTION, b.maxOutboundBytesPerConnection);
    b.answerBytesPerSecond = r.integer(ANSWER_BYTES_PER_SECOND, b.answerBytesPerSecond);
    b.answerBurstBytes = r.integer(ANSWER_BURST_BYTES, b.answerBurstBytes);
    b.permessageDeflate = r.bool(PERMESSAGE_DEFLATE, b.permessageDeflate);
    b.handshakeTimeout = r.duration(HANDSHAKE_TIMEOUT, b.handshakeTimeout);
    b.idleTimeout = r.duration(IDLE_TIMEOUT, b.idleTimeout);
    b.maxConnectionAge = r.duration(MAX_CONNECTION_AGE, b.maxConnectionAge);
    b.pingInterval = r.duration(PING_INTERVAL, b.pingInterval);
    b.pongTimeout = r.duration(PONG_TIMEOUT, b.pongTimeout);
    b.closeTimeout = r.duration(CLOSE_TIMEOUT, b.closeTimeout);
    b.heartbeatInterval = r.duration(HEARTBEAT_INTERVAL, b.heartbeatInterval);
    return b.build();
  }

  /** A builder holding these settings, to change a copy. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.bindHost = bindHost;
    b.port = port;
    b.adminPort = adminPort;
    b.adminBindHost = adminBindHostSetting;
    b.roomsUrls = roomsUrls.stream().map(URI::toString).toList();
    b.gatewayId = gatewayId;
    b.stage = stage;
    b.apiKeys = apiKeys;
    b.adminKey = adminKey;
    b.allowedOrigins = allowedOrigins;
    b.ipRulesFile = ipRulesFile;
    b.ipRulesReloadInterval = ipRulesReloadInterval;
    b.trustedProxies = trustedProxies;
    b.maxConnections = maxConnections;
    b.maxConnectionsPerIp = maxConnectionsPerIp;
    b.maxPendingHandshakes = maxPendingHandshakes;
    b.maxPendingHandshakesPerIp = maxPendingHandshakesPerIp;
    b.handshakesPerSecondPerIp = handshakesPerSecondPerIp;
    b.handshakeBurstPerIp = handshakeBurstPerIp;
    b.retryAfterSeconds = retryAfterSeconds;
    b.maxInFlightActions = maxInFlightActions;
    b.maxInFlightActionsPerConnection = maxInFlightActionsPerConnection;
    b.logWriteTimeout = logWriteTimeout;
    b.connectionRatePerSecond = connectionRatePerSecond;
    b.connectionBurst = connectionBurst;
    b.apiKeyRatePerSecond = apiKeyRatePerSecond;
    b.apiKeyBurst = apiKeyBurst;
    b.floodTolerance = floodTolerance;
    b.maxPingsPerSecond = maxPingsPerSecond;
    b.maxFramePayloadBytes = maxFramePayloadBytes;
    b.maxMessageBytes = maxMessageBytes;
    b.maxOutboundBytesPerConnection = maxOutboundBytesPerConnection;
    b.answerBytesPerSecond = answerBytesPerSecond;
    b.answerBurstBytes = answerBurstBytes;
    b.permessageDeflate = permessageDeflate;
    b.handshakeTimeout = handshakeTimeout;
    b.idleTimeout = idleTimeout;
    b.maxConnectionAge = maxConnectionAge;
    b.pingInterval = pingInterval;
    b.pongTimeout = pongTimeout;
    b.closeTimeout = closeTimeout;
    b.heartbeatInterval = heartbeatInterval;
    return b;
  }

  public GatewaySettings withPort(int newPort) {
    return toBuilder().port(newPort).build();
  }

  public GatewaySettings withBindHost(String newBindHost) {
    return toBuilder().bindHost(newBindHost).build();
  }

  public GatewaySettings withMessageLimits(int newMaxFramePayloadBytes, int newMaxMessageBytes) {
    return toBuilder()
        .maxFramePayloadBytes(newMaxFramePayloadBytes)
        .maxMessageBytes(newMaxMessageBytes)
        .build();
  }

  /** The address to listen on. */
  public String bindHost() {
    return bindHost;
  }

  /** The TCP port for WebSocket clients; 0 picks a free port (see {@link GatewayServer#port()}). */
  public int port() {
    return port;
  }

  /** This node's id; stamped on every WAL record and used as the deliveries key. */
  public String gatewayId() {
    return gatewayId;
  }

  /** A deployment label such as "production", or null; not yet written to the log. */
  public String stage() {
    return stage;
  }

  /** The client keys accepted in the {@code x-api-key} handshake header; at least one. */
  public List<ApiKey> apiKeys() {
    return apiKeys;
  }

  /** The management API's key, or null; never accepted at the WebSocket handshake. */
  /** The management API's port: 0 = any free one, -1 = none. */
  public int adminPort() {
    return adminPort;
  }

  /** Where room queries are forwarded, in the order tried; empty for nowhere. */
  public List<URI> roomsUrls() {
    return roomsUrls;
  }

  public String adminBindHost() {
    return adminBindHostSetting != null ? adminBindHostSetting : bindHost;
  }

  public String adminKey() {
    return adminKey;
  }

  /** Origins browsers may connect from (exact match); empty means any origin. */
  public Set<String> allowedOrigins() {
    return allowedOrigins;
  }

  /** The reloadable allow/block CIDR file, or null for no IP rules. */
  public Path ipRulesFile() {
    return ipRulesFile;
  }

  public Duration ipRulesReloadInterval() {
    return ipRulesReloadInterval;
  }

  /** CIDRs of proxies whose X-Forwarded-For header is believed. */
  public List<String> trustedProxies() {
    return trustedProxies;
  }

  /** Open connections on this node; past it handshakes get HTTP 503 with Retry-After. */
  public int maxConnections() {
    return maxConnections;
  }

  /** Open connections from one source IP; past it handshakes get HTTP 503 with Retry-After. */
  public int maxConnectionsPerIp() {
    return maxConnectionsPerIp;
  }

  /** Sockets still in the HTTP handshake on this node; past it new sockets are closed at once. */
  public int maxPendingHandshakes() {
    return maxPendingHandshakes;
  }

  /**
   * Sockets still in the HTTP handshake from one peer address (a trusted proxy's count only towards
   * {@link #maxPendingHandshakes()}); past it new sockets are closed at once.
   */
  public int maxPendingHandshakesPerIp() {
    return maxPendingHandshakesPerIp;
  }

  /** Handshakes one source address may start per second (token bucket refill); past it 429. */
  public int handshakesPerSecondPerIp() {
    return handshakesPerSecondPerIp;
  }

  /** The bucket size of {@link #handshakesPerSecondPerIp()}: how many may start at once. */
  public int handshakeBurstPerIp() {
    return handshakeBurstPerIp;
  }

  /** The Retry-After header value, in seconds, of a refused handshake. */
  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** Actions accepted but not yet acknowledged by Kafka, on this node; past it 503 overloaded. */
  public int maxInFlightActions() {
    return maxInFlightActions;
  }

  /** The same bound for one connection. */
  public int maxInFlightActionsPerConnection() {
    return maxInFlightActionsPerConnection;
  }

  /** How long an accepted action may wait for Kafka before it is answered 503 logUnavailable. */
  public Duration logWriteTimeout() {
    return logWriteTimeout;
  }

  /** Actions per second one connection may send (token bucket refill); past it 429. */
  public int connectionRatePerSecond() {
    return connectionRatePerSecond;
  }

  /** The bucket size of {@link #connectionRatePerSecond()}: how many may come at once. */
  public int connectionBurst() {
    return connectionBurst;
  }

  /** Actions per second all connections of one API key may send together; past it 429. */
  public int apiKeyRatePerSecond() {
    return apiKeyRatePerSecond;
  }

  public int apiKeyBurst() {
    return apiKeyBurst;
  }

  /** Rate-limited actions a connection may send (refilled at its rate) before close 1008. */
  public int floodTolerance() {
    return floodTolerance;
  }

  /** Pings one connection may send per second, and in a burst; past it close 1008. */
  public int maxPingsPerSecond() {
    return maxPingsPerSecond;
  }

  /** The largest single WebSocket frame; larger ones close with 1009. */
  public int maxFramePayloadBytes() {
    return maxFramePayloadBytes;
  }

  /** The largest message after joining continuation frames (and inflating); larger close 1009. */
  public int maxMessageBytes() {
    return maxMessageBytes;
  }

  /** Bytes that may wait to be written to one socket; past it the client is closed with 1013. */
  public int maxOutboundBytesPerConnection() {
    return maxOutboundBytesPerConnection;
  }

  /** Bytes per second of answers to its own requests one connection may be sent. */
  public int answerBytesPerSecond() {
    return answerBytesPerSecond;
  }

  /** The burst of {@link #answerBytesPerSecond()}; past it joins and resumes get 429. */
  public int answerBurstBytes() {
    return answerBurstBytes;
  }

  public boolean permessageDeflate() {
    return permessageDeflate;
  }

  /** From TCP accept to a completed WebSocket upgrade; slower clients are closed. */
  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /** A connection that sends no message for this long is closed with 1001. */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /** A connection older than this is closed with 1001 and reconnects (and resumes). */
  public Duration maxConnectionAge() {
    return maxConnectionAge;
  }

  /** How often the server pings a connection it has heard nothing from. */
  public Duration pingInterval() {
    return pingInterval;
  }

  /** How long a ping may go unanswered before the connection is closed. */
  public Duration pongTimeout() {
    return pongTimeout;
  }

  /** How long the server waits for the client's close frame after sending its own. */
  public Duration closeTimeout() {
    return closeTimeout;
  }

  /** How often this gateway tells the processor, on every partition, that it is alive. */
  public Duration heartbeatInterval() {
    return heartbeatInterval;
  }

  @Override
  public String toString() {
    // Never the secrets: settings are logged at start-up.
    return "GatewaySettings[gatewayId="
        + gatewayId
        + ", "
        + bindHost
        + ":"
        + port
        + ", apiKeys="
        + apiKeys.stream().map(ApiKey::name).toList()
        + ", adminKey="
        + (adminKey == null ? "none" : "set")
        + "]";
  }

  /** Mutable, unvalidated; {@link #build()} validates. */
  public static final class Builder {
    private String bindHost = DEFAULT_BIND_HOST;
    private int port = DEFAULT_PORT;
    private int adminPort = DEFAULT_ADMIN_PORT;
    private String adminBindHost;
    private List<String> roomsUrls = List.of();
    private String gatewayId;
    private String stage;
    private List<ApiKey> apiKeys = List.of();
    private String adminKey;
    private Set<String> allowedOrigins = Set.of();
    private Path ipRulesFile;
    private Duration ipRulesReloadInterval = DEFAULT_IP_RULES_RELOAD_INTERVAL;
    private List<String> trustedProxies = List.of();
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private int maxConnectionsPerIp = DEFAULT_MAX_CONNECTIONS_PER_IP;
    private int maxPendingHandshakes = DEFAULT_MAX_PENDING_HANDSHAKES;
    private int maxPendingHandshakesPerIp = DEFAULT_MAX_PENDING_HANDSHAKES_PER_IP;
    private int handshakesPerSecondPerIp = DEFAULT_HANDSHAKES_PER_SECOND_PER_IP;
    private int handshakeBurstPerIp = DEFAULT_HANDSHAKE_BURST_PER_IP;
    private int retryAfterSeconds = DEFAULT_RETRY_AFTER_SECONDS;
    private int maxInFlightActions = DEFAULT_MAX_IN_FLIGHT_ACTIONS;
    private int maxInFlightActionsPerConnection = DEFAULT_MAX_IN_FLIGHT_ACTIONS_PER_CONNECTION;
    private Duration logWriteTimeout = DEFAULT_LOG_WRITE_TIMEOUT;
    private int connectionRatePerSecond = DEFAULT_CONNECTION_RATE;
    private int connectionBurst = DEFAULT_CONNECTION_BURST;
    private int apiKeyRatePerSecond = DEFAULT_API_KEY_RATE;
    private int apiKeyBurst = DEFAULT_API_KEY_BURST;
    private int floodTolerance = DEFAULT_FLOOD_TOLERANCE;
    private int maxPingsPerSecond = DEFAULT_MAX_PINGS_PER_SECOND;
    private int maxFramePayloadBytes = DEFAULT_MAX_FRAME_PAYLOAD_BYTES;
    private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
    private int maxOutboundBytesPerConnection = DEFAULT_MAX_OUTBOUND_BYTES_PER_CONNECTION;
    private int answerBytesPerSecond = DEFAULT_ANSWER_BYTES_PER_SECOND;
    private int answerBurstBytes = DEFAULT_ANSWER_BURST_BYTES;
    private boolean permessageDeflate;
    private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private Duration maxConnectionAge = DEFAULT_MAX_CONNECTION_AGE;
    private Duration pingInterval = DEFAULT_PING_INTERVAL;
    private Duration pongTimeout = DEFAULT_PONG_TIMEOUT;
    private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
    private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;

    private Builder() {}

    public GatewaySettings build() {
      return new GatewaySettings(this);
    }

    public Builder bindHost(String v) {
      bindHost = v;
      return this;
    }

    public Builder port(int v) {
      port = v;
      return this;
    }

    /** 0 = any free port, -1 = no management API on this node. */
    public Builder adminPort(int v) {
      adminPort = v;
      return this;
    }

    /** The processors' query ports, as base URLs ({@link #ROOMS_URLS}). */
    public Builder roomsUrls(List<String> v) {
      roomsUrls = List.copyOf(v);
      return this;
    }

    public Builder adminBindHost(String v) {
      adminBindHost = v;
      return this;
    }

    public Builder gatewayId(String v) {
      gatewayId = v;
      return this;
    }

    public Builder stage(String v) {
      stage = v;
      return this;
    }

    public Builder apiKeys(List<ApiKey> v) {
      apiKeys = List.copyOf(v);
      return this;
    }

    public Builder adminKey(String v) {
      adminKey = v;
      return this;
    }

    public Builder allowedOrigins(Set<String> v) {
      allowedOrigins = new LinkedHashSet<>(v);
      return this;
    }

    public Builder ipRulesFile(Path v) {
      ipRulesFile = v;
      return this;
    }

    public Builder ipRulesReloadInterval(Duration v) {
      ipRulesReloadInterval = v;
      return this;
    }

    public Builder trustedProxies(List<String> v) {
      trustedProxies = List.copyOf(v);
      return this;
    }

    public Builder maxConnections(int v) {
      maxConnections = v;
      return this;
    }

    public Builder maxConnectionsPerIp(int v) {
      maxConnectionsPerIp = v;
      return this;
    }

    public Builder maxPendingHandshakes(int v) {
      maxPendingHandshakes = v;
      return this;
    }

    public Builder maxPendingHandshakesPerIp(int v) {
      maxPendingHandshakesPerIp = v;
      return this;
    }

    public Builder handshakeRatePerIp(int perSecond, int burst) {
      handshakesPerSecondPerIp = perSecond;
      handshakeBurstPerIp = burst;
      return this;
    }

    public Builder retryAfterSeconds(int v) {
      retryAfterSeconds = v;
      return this;
    }

    public Builder maxInFlightActions(int v) {
      maxInFlightActions = v;
      return this;
    }

    public Builder maxInFlightActionsPerConnection(int v) {
      maxInFlightActionsPerConnection = v;
      return this;
    }

    public Builder logWriteTimeout(Duration v) {
      logWriteTimeout = v;
      return this;
    }

    public Builder connectionRate(int perSecond, int burst) {
      connectionRatePerSecond = perSecond;
      connectionBurst = burst;
      return this;
    }

    public Builder apiKeyRate(int perSecond, int burst) {
      apiKeyRatePerSecond = perSecond;
      apiKeyBurst = burst;
      return this;
    }

    public Builder floodTolerance(int v) {
      floodTolerance = v;
      return this;
    }

    public Builder maxPingsPerSecond(int v) {
      maxPingsPerSecond = v;
      return this;
    }

    public Builder maxFramePayloadBytes(int v) {
      maxFramePayloadBytes = v;
      return this;
    }

    public Builder maxMessageBytes(int v) {
      maxMessageBytes = v;
      return this;
    }

    public Builder maxOutboundBytesPerConnection(int v) {
      maxOutboundBytesPerConnection = v;
      return this;
    }

    public Builder answerBudget(int bytesPerSecond, int burstBytes) {
      answerBytesPerSecond = bytesPerSecond;
      answerBurstBytes = burstBytes;
      return this;
    }

    public Builder permessageDeflate(boolean v) {
      permessageDeflate = v;
      return this;
    }

    public Builder handshakeTimeout(Duration v) {
      handshakeTimeout = v;
      return this;
    }

    public Builder idleTimeout(Duration v) {
      idleTimeout = v;
      return this;
    }

    public Builder maxConnectionAge(Duration v) {
      maxConnectionAge = v;
      return this;
    }

    public Builder pingInterval(Duration v) {
      pingInterval = v;
      return this;
    }

    public Builder pongTimeout(Duration v) {
      pongTimeout = v;
      return this;
    }

    public Builder closeTimeout(Duration v) {
      closeTimeout = v;
      return this;
    }

    public Builder heartbeatInterval(Duration v) {
      heartbeatInterval = v;
      return this;
    }
  }

  private static String require(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " is required and must not be blank");
    }
    return value.strip();
  }

  private static int atLeastOne(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, was " + value);
    }
    return value;
  }

  private static Duration positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be longer than zero, was " + value);
    }
    return value;
  }

  /** Typed reads of string properties; a bad value names its property. */
  private record PropertyReader(Map<String, String> props) {
    String string(String name, String defaultValue) {
      String value = props.get(name);
      return value == null || value.isBlank() ? defaultValue : value.strip();
    }

    int integer(String name, int defaultValue) {
      String value = string(name, null);
      if (value == null) {
        return defaultValue;
      }
      try {
        return Integer.parseInt(value.replace("_", ""));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + " must be an integer, was '" + value + "'", e);
      }
    }

    boolean bool(String name, boolean defaultValue) {
      String value = string(name, null);
      if (value == null) {
        return defaultValue;
      }
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "true", "on", "yes" -> true;
        case "false", "off", "no" -> false;
        default ->
            throw new IllegalArgumentException(
                name + " must be true or false, was '" + value + "'");
      };
    }

    Duration duration(String name, Duration defaultValue) {
      String value = string(name, null);
      return value == null ? defaultValue : Durations.parse(name, value);
    }

    List<String> list(String name) {
      String value = string(name, null);
      if (value == null) {
        return List.of();
      }
      List<String> items = new ArrayList<>();
      for (String item : value.split(",")) {
        if (!item.isBlank()) {
          items.add(item.strip());
        }
      }
      return items;
    }
  }
}
