package dev.roomlog.gateway.settings;

import static dev.roomlog.protocol.settings.SettingType.BOOLEAN;
import static dev.roomlog.protocol.settings.SettingType.BYTES;
import static dev.roomlog.protocol.settings.SettingType.DURATION;
import static dev.roomlog.protocol.settings.SettingType.INT;
import static dev.roomlog.protocol.settings.SettingType.LIST;
import static dev.roomlog.protocol.settings.SettingType.PATH;
import static dev.roomlog.protocol.settings.SettingType.STRING;
import static dev.roomlog.protocol.settings.Validator.any;
import static dev.roomlog.protocol.settings.Validator.atLeast;
import static dev.roomlog.protocol.settings.Validator.between;
import static dev.roomlog.protocol.settings.Validator.expect;
import static dev.roomlog.protocol.settings.Validator.positive;
import static dev.roomlog.protocol.settings.Validator.required;

import dev.roomlog.gateway.ipfilter.Cidr;
import dev.roomlog.protocol.ConnectionIds;
import dev.roomlog.protocol.integration.Routes;
import dev.roomlog.protocol.settings.Setting;
import dev.roomlog.protocol.settings.SettingDefs;
import dev.roomlog.protocol.settings.SettingType;
import dev.roomlog.protocol.settings.Validator;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The configuration of one gateway node, validated when built: a bad value fails fast with the name
 * of the setting. Each setting is declared once below (name, type, default, check, doc, and the
 * flag and environment variable where they differ from the rule), in the order docs/OPERATIONS.md
 * lists them; the server's flags, config file and environment, its help text and the docs' settings
 * table all come from these declarations. Immutable and thread-safe.
 *
 * <p>Build with {@link #builder(List, String)} (or {@link #fromProperties}); change a copy with
 * {@link #toBuilder()}.
 *
 * <p>Over 400 lines because it is the table of the gateway's 66 settings (one declaration of about
 * eight formatted lines each, an accessor each, and the builder's shorthands the tests use); split,
 * the table would no longer be read in one place.
 */
public final class GatewaySettings {
  /** Every gateway setting, in docs order; see {@link SettingDefs}. */
  public static final SettingDefs DEFS =
      SettingDefs.properties("roomlog.gateway.", "ROOMLOG_GATEWAY_");

  public static final int DEFAULT_ADMIN_PORT = 8081;
  public static final int DEFAULT_MAX_CONNECTIONS = 50_000;
  public static final int DEFAULT_MAX_FRAME_PAYLOAD_BYTES = 32 * 1024;
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 128 * 1024;

  // TokenBucket's interval is whole nanoseconds.
  private static final Validator<Integer> PER_SECOND = between(1, 1_000_000_000);

  // Where it listens and who it is.
  public static final String BIND_HOST =
      define(
          Setting.of(
                  "bindHost",
                  STRING,
                  "0.0.0.0",
                  required(),
                  "the address the WebSocket server listens on")
              .withFlag("--bind-host", "ROOMLOG_BIND_HOST")
              .deprecating("--bind", "ROOMLOG_BIND"));
  public static final String PORT =
      define(
          Setting.of(
                  "port",
                  INT,
                  8080,
                  expect(p -> p >= 0 && p <= 65_535, "between 0 and 65535 (0 = any free port)"),
                  "its port; 0 picks a free one")
              .withFlag("--port", "ROOMLOG_PORT"));
  public static final String ADMIN_PORT =
      define(
          Setting.of(
                  "adminPort",
                  INT,
                  DEFAULT_ADMIN_PORT,
                  expect(
                      p -> p >= -1 && p <= 65_535,
                      "between 0 and 65535 (0 = any free port), or -1 for none"),
                  "the management API's port; 0 picks a free one, -1 turns it off")
              .withFlag("--admin-port", "ROOMLOG_ADMIN_PORT"));
  public static final String ADMIN_BIND_HOST =
      define(
          Setting.of(
                  "adminBindHost",
                  STRING,
                  null,
                  any(),
                  "the address the management API listens on: an internal one keeps it off the"
                      + " public network")
              .withDefaultText("as `bindHost`"));
  public static final String ROOMS_URLS =
      define(
          Setting.of(
                  "roomsUrls",
                  LIST,
                  List.of(),
                  GatewaySettings::checkRoomsUrls,
                  "the processors' query ports (`http://processor-1:7070,...`), to which the"
                      + " management API forwards `GET /rooms` and `GET /rooms/{roomId}`, tried in"
                      + " order")
              .withDefaultText("none (`roomlog dev`: its processor)"));
  public static final String GATEWAY_ID =
      define(
          Setting.of(
                  "id",
                  STRING,
                  null,
                  required()
                      .and(
                          // It is part of every connection id, and those go into URLs.
                          expectText(
                              id -> ConnectionIds.GATEWAY_ID.matcher(id).matches(),
                              "1 to 64 letters, digits, '.', '_' or '-'")),
                  "the node's id, stamped on every record and the key of its deliveries; set it to"
                      + " keep it across restarts")
              .withFlag("--gateway-id", "ROOMLOG_GATEWAY_ID")
              .withDefaultText("random per start"));
  public static final String STAGE =
      define(
          Setting.of(
              "stage",
              STRING,
              null,
              // It is a path segment of the management API (/{stage}/@connections/{id}).
              (name, stage) -> {
                if (stage != null) {
                  expectText(
                          s -> s.matches("[A-Za-z0-9._-]{1,128}"),
                          "1 to 128 letters, digits, '.', '_' or '-'")
                      .check(name, stage);
                }
              },
              "a deployment label: the management API also answers under `/{stage}/` (as API"
                  + " Gateway's URLs, and so an AWS SDK endpoint, have it); not yet written to the"
                  + " log"));

  // TLS on the WebSocket and management ports (wss:// and https://).
  public static final String TLS_CERT_FILE =
      define(
          Setting.of(
                  "tlsCertFile",
                  PATH,
                  null,
                  GatewaySettings::checkPemFile,
                  "a PEM file of the server's certificate chain (its own certificate first); with"
                      + " `tlsKeyFile`, clients connect with wss:// (re-read when it changes)")
              .withFlag("--tls-cert-file", "ROOMLOG_TLS_CERT_FILE")
              .withDefaultText("none (plain ws://)"));
  public static final String TLS_KEY_FILE =
      define(
          Setting.of(
                  "tlsKeyFile",
                  PATH,
                  null,
                  GatewaySettings::checkPemFile,
                  "a PEM file of the certificate's private key, unencrypted PKCS#8 (`BEGIN PRIVATE"
                      + " KEY`); set both or neither (re-read when it changes)")
              .withFlag("--tls-key-file", "ROOMLOG_TLS_KEY_FILE"));
  public static final String ADMIN_TLS =
      define(
          Setting.of(
              "adminTls",
              BOOLEAN,
              true,
              any(),
              "with TLS on, whether the management API uses the same certificate (https://);"
                  + " false keeps it plain HTTP, for an internal address only"));
  public static final String TLS_RELOAD_INTERVAL =
      define(
          Setting.of(
              "tlsReloadInterval",
              DURATION,
              Duration.ofSeconds(10),
              positive(),
              "how often the certificate and key files are checked for changes; a new pair is"
                  + " used for new connections, open ones keep theirs"));
  public static final String PAGES =
      define(
          Setting.of(
              "pages",
              STRING,
              "off",
              expect((String v) -> List.of("off", "on", "dev").contains(v), "off, on or dev"),
              "the browser pages: `on` serves the chat page (`/chat/`, with the client library)"
                  + " here and the inspector (`/inspector/`) on the management port; `dev` also"
                  + " hands out a token for any name at `/chat/dev-token` (development only:"
                  + " needs `tokenSecret`); `roomlog dev` uses `dev`"));

  // Who may connect.
  public static final String API_KEYS =
      define(
          Setting.of(
                  "apiKeys",
                  new SettingType<List<ApiKey>>(
                      "NAME:SECRET,...",
                      ApiKey::parseList,
                      keys -> String.join(",", keys.stream().map(ApiKey::name).toList())),
                  List.of(),
                  GatewaySettings::checkApiKeys,
                  "client keys, comma-separated `name:secret` (a bare secret is named `key-1`,"
                      + " ...), sent by clients in the `x-api-key` header")
              .withFlag("--api-key", "ROOMLOG_API_KEYS"));
  public static final String API_KEYS_FILE =
      define(
          Setting.of(
                  "apiKeysFile",
                  PATH,
                  null,
                  any(),
                  "a file of client keys, one `name:secret` per line (`#` starts a comment)")
              .withFlag("--api-keys-file", "ROOMLOG_API_KEYS_FILE"));
  public static final String ADMIN_KEY =
      define(
          Setting.of(
                  "adminKey",
                  STRING,
                  null,
                  any(),
                  "the management API's key; never accepted from WebSocket clients")
              .withFlag("--admin-key", "ROOMLOG_ADMIN_KEY"));
  public static final String AWS_ACCESS_KEYS =
      define(
          Setting.of(
                  "awsAccessKeys",
                  new SettingType<List<AwsAccessKey>>(
                      "ID:SECRET,...",
                      AwsAccessKey::parseList,
                      keys -> String.join(",", keys.stream().map(AwsAccessKey::id).toList())),
                  List.of(),
                  GatewaySettings::checkAwsAccessKeys,
                  "access key pairs, comma-separated `id:secret`, whose AWS Signature Version 4"
                      + " (service `execute-api`, any region) the management API accepts beside"
                      + " the admin key: the AWS SDKs' `ApiGatewayManagementApi` clients call it"
                      + " with only their endpoint changed")
              .withFlag("--aws-access-keys", "ROOMLOG_AWS_ACCESS_KEYS")
              .withDefaultText("none"));
  public static final String AUTH =
      define(
          Setting.of(
              "auth",
              STRING,
              "either",
              expect(
                  (String v) -> List.of("key", "token", "either").contains(v),
                  "key, token or either"),
              "what a handshake must carry: `key` (an `x-api-key`), `token` (a signed user token)"
                  + " or `either`; without a token key no token is valid"));
  public static final String TOKEN_SECRET =
      define(
          Setting.of(
                  "tokenSecret",
                  STRING,
                  null,
                  (String name, String secret) -> {
                    // Not Validator.expect: its message would quote the secret.
                    int bytes =
                        secret == null ? 32 : secret.getBytes(StandardCharsets.UTF_8).length;
                    if (bytes < 32) {
                      throw new IllegalArgumentException(
                          name
                              + " must be at least 32 bytes (HS256 needs a 256-bit secret), was "
                              + bytes
                              + " bytes");
                    }
                  },
                  "the shared secret of HS256 user tokens (at least 32 bytes)")
              .withFlag("--token-secret", "ROOMLOG_TOKEN_SECRET"));
  public static final String TOKEN_KEYS_FILE =
      define(
          Setting.of(
              "tokenKeysFile",
              PATH,
              null,
              any(),
              "a file of public keys for RS256/ES256 user tokens: PEM public keys, or a JWKS"
                  + " document (keys chosen by `kid`)"));
  public static final String TOKEN_JWKS_URL =
      define(
          Setting.of(
              "tokenJwksUrl",
              STRING,
              null,
              expect(
                  (String v) -> v == null || v.matches("(?i)https?://\\S+"),
                  "an http(s) URL of a JWKS document"),
              "the JWKS URL of an identity provider whose RS256/ES256 user tokens are accepted"
                  + " (keys by `kid`, cached, fetched again on an unknown `kid` at most once a"
                  + " minute)"));
  public static final String TOKEN_ISSUER =
      define(
          Setting.of(
              "tokenIssuer", STRING, null, any(), "the `iss` a user token must carry; none = any"));
  public static final String TOKEN_AUDIENCE =
      define(
          Setting.of(
              "tokenAudience",
              STRING,
              null,
              any(),
              "a value a user token's `aud` must hold; none = any"));
  public static final String TOKEN_CLOCK_SKEW =
      define(
          Setting.of(
              "tokenClockSkew",
              DURATION,
              Duration.ofSeconds(30),
              expect(
                  (Duration d) -> !d.isNegative() && d.compareTo(Duration.ofMinutes(5)) <= 0,
                  "between 0s and 5m"),
              "how far a user token's `exp` and `nbf` may be off the gateway's clock"));
  public static final String TOKEN_NAME_CLAIM =
      define(
          Setting.of(
              "tokenNameClaim",
              STRING,
              "name",
              required(),
              "the user token claim whose value is the user's name (its `sub` when absent)"));
  public static final String ALLOWED_ORIGINS =
      define(
          Setting.of(
              "allowedOrigins",
              new SettingType<Set<String>>(
                  "ORIGIN,...",
                  (name, text) -> Set.copyOf(SettingType.items(text)),
                  origins -> String.join(",", origins)),
              Set.of(),
              (name, origins) -> {
                for (String origin : origins) {
                  if (!origin.matches("(?i)https?://[^/\\s]+")) {
                    throw new IllegalArgumentException(
                        name
                            + " entries must be exact origins like https://chat.example.com"
                            + " (scheme://host[:port], no path), was '"
                            + origin
                            + "'");
                  }
                }
              },
              "exact origins (`scheme://host[:port]`, comma-separated) browsers may connect from;"
                  + " empty = any"));
  public static final String IP_RULES_FILE =
      define(
          Setting.of(
              "ipRulesFile",
              PATH,
              null,
              any(),
              "a file of `allow CIDR` / `block CIDR` lines, re-read when it changes"));
  public static final String IP_RULES_RELOAD_INTERVAL =
      define(
          Setting.of(
              "ipRulesReloadInterval",
              DURATION,
              Duration.ofSeconds(5),
              positive(),
              "how often the IP rules file is checked for changes"));
  public static final String ROUTES_FILE =
      define(
          Setting.of(
              "routesFile",
              PATH,
              null,
              GatewaySettings::checkRoutesFile,
              "the route integrations (JSON, docs/INTEGRATIONS.md), the same file the"
                  + " integrations worker reads: actions with a route are accepted and logged,"
                  + " a `$connect` route authorises handshakes"));
  public static final String CONNECT_ROUTE_TIMEOUT =
      define(
          Setting.of(
              "connectRouteTimeout",
              DURATION,
              Duration.ofSeconds(3),
              positive(),
              "how long a handshake waits for the `$connect` route's answer (unless the route"
                  + " sets `timeout`); past it the handshake is refused with 503"));
  public static final String ROUTE_DOMAIN_NAME =
      define(
          Setting.of(
              "routeDomainName",
              STRING,
              "localhost:8081",
              required(),
              "`requestContext.domainName` in the `$connect` route's events: the management API's"
                  + " host[:port], as the integrations worker's `--route-domain-name`"));
  public static final String MAX_CONNECT_ROUTE_CALLS =
      define(
          Setting.of(
              "maxConnectRouteCalls",
              INT,
              64,
              atLeast(1),
              "`$connect` route calls in flight at once on this node (the route's"
                  + " `maxConcurrency` if larger); a handshake past it is refused with 503"));
  public static final String TRUSTED_PROXIES =
      define(
          Setting.of(
              "trustedProxies",
              LIST,
              List.of(),
              (name, proxies) -> {
                for (String proxy : proxies) {
                  try {
                    Cidr.parse(proxy);
                  } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
                  }
                }
              },
              "CIDRs of reverse proxies whose `X-Forwarded-For` is believed; empty = none"));

  // How much.
  public static final String MAX_CONNECTIONS =
      define(
          Setting.of(
              "maxConnections",
              INT,
              DEFAULT_MAX_CONNECTIONS,
              atLeast(1),
              "open connections on this node; past it handshakes get HTTP 503 + `Retry-After`"));
  public static final String MAX_CONNECTIONS_PER_IP =
      define(
          Setting.of(
              "maxConnectionsPerIp",
              INT,
              1_000,
              atLeast(1),
              "open connections from one source IP; past it handshakes get HTTP 503"));
  public static final String MAX_PENDING_HANDSHAKES =
      define(
          Setting.of(
              "maxPendingHandshakes",
              INT,
              1_000,
              atLeast(1),
              "sockets accepted but still in their HTTP handshake, on this node; past it a new"
                  + " socket is closed at once"));
  public static final String MAX_PENDING_HANDSHAKES_PER_IP =
      define(
          Setting.of(
              "maxPendingHandshakesPerIp",
              INT,
              50,
              atLeast(1),
              "the same from one peer address (a trusted proxy's count only towards the total)"));
  public static final String HANDSHAKES_PER_SECOND_PER_IP =
      define(
          Setting.of(
              "handshakesPerSecondPerIp",
              INT,
              10,
              PER_SECOND,
              "handshakes one source address may start per second (token bucket refill); past"
                  + " it HTTP 429 + `Retry-After`"));
  public static final String HANDSHAKE_BURST_PER_IP =
      define(
          Setting.of(
              "handshakeBurstPerIp",
              INT,
              20,
              atLeast(1),
              "how many handshakes one source address may start at once"));
  public static final String RETRY_AFTER_SECONDS =
      define(
          Setting.of(
              "retryAfterSeconds",
              INT,
              5,
              atLeast(1),
              "the `Retry-After` (seconds) of a handshake refused with 503"));
  public static final String MAX_IN_FLIGHT_ACTIONS =
      define(
          Setting.of(
              "maxInFlightActions",
              INT,
              10_000,
              atLeast(1),
              "actions accepted but not yet acknowledged by Kafka, on this node; past it 503"
                  + " `overloaded`"));
  public static final String MAX_IN_FLIGHT_ACTIONS_PER_CONNECTION =
      define(
          Setting.of(
              "maxInFlightActionsPerConnection",
              INT,
              100,
              atLeast(1),
              "the same bound for one connection"));
  public static final String MAX_UNANSWERED_ACTIONS_PER_CONNECTION =
      define(
          Setting.of(
              "maxUnansweredActionsPerConnection",
              INT,
              100,
              atLeast(1),
              "actions of one connection accepted but not yet answered by the room processor"
                  + " (a hot room's backlog); past it 503 `overloaded`"));
  public static final String UNANSWERED_ACTION_TIMEOUT =
      define(
          Setting.of(
              "unansweredActionTimeout",
              DURATION,
              Duration.ofSeconds(60),
              positive(),
              "how long an action counts towards `maxUnansweredActionsPerConnection` when no"
                  + " answer comes (a processor down for long)"));
  public static final String LOG_WRITE_TIMEOUT =
      define(
          Setting.of(
              "logWriteTimeout",
              DURATION,
              Duration.ofSeconds(15),
              positive()
                  .and(
                      // KafkaWalAppender splits it between queueing, blocking in send and
                      // Kafka's own timeouts.
                      (name, timeout) -> {
                        if (timeout.compareTo(Duration.ofSeconds(1)) < 0) {
                          throw new IllegalArgumentException(
                              name + " must be at least 1s, was " + timeout.toMillis() + "ms");
                        }
                      }),
              "how long a write to Kafka may take before the client is told 503"
                  + " `logUnavailable`; at least 1s"));
  public static final String MAX_LOG_QUEUE_WAIT =
      define(
          Setting.of(
              "maxLogQueueWait",
              DURATION,
              Duration.ofSeconds(1),
              positive(),
              "how long an action may be expected to wait for the gateway's log writer (the"
                  + " records queued ahead of it at the writer's recent pace); when it would wait"
                  + " longer, 503 `overloaded` at once and nothing is written. At most half the"
                  + " queue's share of `logWriteTimeout` (an eighth of it) is used"));
  public static final String CONNECTION_RATE =
      define(
          Setting.of(
              "connectionRatePerSecond",
              INT,
              20,
              atLeast(1),
              "actions per second one connection may send (token bucket refill); past it 429"));
  public static final String CONNECTION_BURST =
      define(
          Setting.of(
              "connectionBurst",
              INT,
              40,
              atLeast(1),
              "how many actions one connection may send at once"));
  public static final String API_KEY_RATE =
      define(
          Setting.of(
              "apiKeyRatePerSecond",
              INT,
              2_000,
              atLeast(1),
              "valid actions per second all connections of one API key may send together; past"
                  + " it 429"));
  public static final String API_KEY_BURST =
      define(
          Setting.of(
              "apiKeyBurst",
              INT,
              4_000,
              atLeast(1),
              "how many actions one API key's connections may send at once"));
  // A person types a message every few seconds; 10/s leaves room for a bot on a user token and
  // for several tabs of one user (each still capped by connectionRatePerSecond). A key is a server
  // speaking for many users, so it gets far more (apiKeyRatePerSecond).
  public static final String USER_RATE =
      define(
          Setting.of(
              "userRatePerSecond",
              INT,
              10,
              PER_SECOND,
              "valid actions per second all connections of one user token subject (`sub`) may"
                  + " send together on this gateway; past it 429"));
  public static final String USER_BURST =
      define(
          Setting.of(
              "userBurst",
              INT,
              50,
              atLeast(1),
              "how many actions one user's connections may send at once (a reconnect rejoins and"
                  + " resumes its rooms together)"));
  public static final String FLOOD_TOLERANCE =
      define(
          Setting.of(
              "floodTolerance",
              INT,
              50,
              atLeast(1),
              "rate-limited (429) actions a connection may send, refilled at its own rate, before"
                  + " it is closed with 1008"));
  public static final String MAX_PINGS_PER_SECOND =
      define(
          Setting.of(
              "maxPingsPerSecond",
              INT,
              10,
              PER_SECOND,
              "pings one connection may send per second (and at once); past it close 1008"));
  public static final String MAX_FRAME_PAYLOAD_BYTES =
      define(
          Setting.of(
              "maxFramePayloadBytes",
              BYTES,
              DEFAULT_MAX_FRAME_PAYLOAD_BYTES,
              atLeast(1),
              "the largest single WebSocket frame; larger ones close 1009"));
  public static final String MAX_MESSAGE_BYTES =
      define(
          Setting.of(
              "maxMessageBytes",
              BYTES,
              DEFAULT_MAX_MESSAGE_BYTES,
              atLeast(1),
              "the largest message after joining continuation frames (and inflating); larger"
                  + " close 1009. At least `maxFramePayloadBytes`"));
  public static final String MAX_OUTBOUND_BYTES_PER_CONNECTION =
      define(
          Setting.of(
              "maxOutboundBytesPerConnection",
              BYTES,
              1024 * 1024,
              atLeast(1),
              "bytes that may wait to be written to one socket; past it close 1013"));

  /*
   * The defaults of the answer budget: one answer is at most about 1.1 MiB (the processor keeps at
   * most 1 MiB of a room's recent events and 1000 members), a full window of 100 chat messages about
   * 170 KB. A burst of 8 MiB lets a reconnecting client rejoin or resume 7 rooms at their largest,
   * or some 48 full ordinary windows, one after the other without waiting; 256 KiB/s pays that back
   * in 32 s and holds a client that keeps asking to about one full ordinary window every 0.7 s,
   * instead of one per message its rate allows.
   */
  public static final String ANSWER_BYTES_PER_SECOND =
      define(
          Setting.of(
              "answerBytesPerSecond",
              BYTES,
              256 * 1024,
              atLeast(1),
              "bytes per second of answers to its own requests one connection may be sent"
                  + " (charged when delivered)"));
  public static final String ANSWER_BURST_BYTES =
      define(
          Setting.of(
              "answerBurstBytes",
              BYTES,
              8 * 1024 * 1024,
              atLeast(1),
              "the burst of `answerBytesPerSecond`; past it joins and resumes get 429"));
  public static final String PERMESSAGE_DEFLATE =
      define(
          Setting.of(
              "permessageDeflate",
              BOOLEAN,
              false,
              any(),
              "permessage-deflate (RFC 7692); off unless set, since it costs CPU and memory per"
                  + " socket"));

  // How long.
  public static final String HANDSHAKE_TIMEOUT =
      define(
          Setting.of(
              "handshakeTimeout",
              DURATION,
              Duration.ofSeconds(10),
              positive(),
              "from TCP accept to a completed WebSocket upgrade; slower clients get 408"));
  public static final String IDLE_TIMEOUT =
      define(
          Setting.of(
              "idleTimeout",
              DURATION,
              Duration.ofMinutes(10),
              positive(),
              "a connection that sends no message for this long is closed with 1001"));
  public static final String MAX_CONNECTION_AGE =
      define(
          Setting.of(
              "maxConnectionAge",
              DURATION,
              Duration.ofHours(2),
              positive(),
              "a connection older than this is closed with 1001 and reconnects (and resumes)"));
  public static final String PING_INTERVAL =
      define(
          Setting.of(
              "pingInterval",
              DURATION,
              Duration.ofSeconds(30),
              positive(),
              "how often the server pings a connection it has heard nothing from"));
  public static final String PONG_TIMEOUT =
      define(
          Setting.of(
              "pongTimeout",
              DURATION,
              Duration.ofSeconds(10),
              positive(),
              "how long a ping may go unanswered before the connection is closed"));
  public static final String CLOSE_TIMEOUT =
      define(
          Setting.of(
              "closeTimeout",
              DURATION,
              Duration.ofSeconds(5),
              positive(),
              "after the server's close frame: how long it goes on reading (and dropping) what the"
                  + " client sends, waiting for its close frame, before it closes the socket"));
  public static final String HEARTBEAT_INTERVAL =
      define(
          Setting.of(
              "heartbeatInterval",
              DURATION,
              Duration.ofSeconds(3),
              positive(),
              "how often the gateway writes a heartbeat to every partition of the log; the"
                  + " processor's `--gateway-timeout` must be several of these"));

  /** Every setting's property name, in the order docs/OPERATIONS.md lists them. */
  public static final List<String> PROPERTY_NAMES = DEFS.names();

  private static String define(Setting<?> setting) {
    return DEFS.define(setting);
  }

  /**
   * The environment variable that sets a property: {@code roomlog.gateway.maxConnections} is {@code
   * ROOMLOG_GATEWAY_MAX_CONNECTIONS}.
   */
  public static String environmentVariable(String property) {
    return DEFS.propertyVariable(property);
  }

  /** Every setting's value, checked; see {@link SettingDefs#complete}. */
  private final Map<String, Object> values;

  private final List<URI> roomsUrls;

  private GatewaySettings(Builder b) {
    values = DEFS.complete(b.values);
    Set<String> secrets = new HashSet<>();
    apiKeys().forEach(key -> secrets.add(key.secret()));
    if (adminKey() != null && secrets.contains(adminKey())) {
      throw new IllegalArgumentException(
          ADMIN_KEY + " must differ from every client key in " + API_KEYS);
    }
    for (AwsAccessKey key : awsAccessKeys()) {
      if (secrets.contains(key.secret()) || key.secret().equals(adminKey())) {
        throw new IllegalArgumentException(
            AWS_ACCESS_KEYS
                + ": the secret of '"
                + key.id()
                + "' must differ from every client key and from "
                + ADMIN_KEY);
      }
    }
    if (tokenSecret() != null
        && (secrets.contains(tokenSecret()) || tokenSecret().equals(adminKey()))) {
      throw new IllegalArgumentException(
          TOKEN_SECRET + " must differ from every client key and from " + ADMIN_KEY);
    }
    boolean tokenKey = tokenSecret() != null || tokenKeysFile() != null || tokenJwksUrl() != null;
    if ("token".equals(auth()) && !tokenKey) {
      throw new IllegalArgumentException(
          AUTH + "=token needs a token key: set " + TOKEN_SECRET + " or " + TOKEN_KEYS_FILE);
    }
    // Someone must be able to connect: a client key, or user tokens where auth lets them in.
    if (apiKeys().isEmpty() && !(tokenKey && !"key".equals(auth()))) {
      throw new IllegalArgumentException(
          API_KEYS
              + " (or "
              + API_KEYS_FILE
              + ") must name at least one key: clients present it in the x-api-key header"
              + " (with "
              + AUTH
              + "=token or either and a token key, user tokens alone are enough)");
    }
    if ("dev".equals(pages()) && tokenSecret() == null) {
      throw new IllegalArgumentException(
          PAGES + "=dev needs " + TOKEN_SECRET + ": it signs the tokens the dev page hands out");
    }
    if (maxMessageBytes() < maxFramePayloadBytes()) {
      throw new IllegalArgumentException(
          MAX_MESSAGE_BYTES
              + " ("
              + maxMessageBytes()
              + ") must be at least "
              + MAX_FRAME_PAYLOAD_BYTES
              + " ("
              + maxFramePayloadBytes()
              + ")");
    }
    roomsUrls = this.<List<String>>get(ROOMS_URLS).stream().map(url -> roomsUrl(url)).toList();
    if ((tlsCertFile() == null) != (tlsKeyFile() == null)) {
      throw new IllegalArgumentException(
          TLS_CERT_FILE + " and " + TLS_KEY_FILE + " go together: set both for TLS, or neither");
    }
  }

  /** A builder with every default, for these client keys and this node id. */
  public static Builder builder(List<ApiKey> apiKeys, String gatewayId) {
    return new Builder(Map.of()).apiKeys(apiKeys).gatewayId(gatewayId);
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
    Builder b = new Builder(DEFS.parse(props));
    List<ApiKey> keys = new ArrayList<>(b.<List<ApiKey>>get(API_KEYS, List.of()));
    Path keyFile = b.get(API_KEYS_FILE, null);
    if (keyFile != null) {
      keys.addAll(ApiKey.readFile(API_KEYS_FILE, keyFile));
    }
    return b.apiKeys(keys).build();
  }

  /** A builder holding these settings, to change a copy. */
  public Builder toBuilder() {
    return new Builder(values);
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

  @SuppressWarnings("unchecked")
  private <T> T get(String name) {
    return (T) values.get(name);
  }

  public String bindHost() {
    return get(BIND_HOST);
  }

  /** The TCP port for WebSocket clients; 0 picks a free port (see {@link GatewayServer#port()}). */
  public int port() {
    return get(PORT);
  }

  /** The management API's port: 0 = any free one, -1 = none. */
  public int adminPort() {
    return get(ADMIN_PORT);
  }

  /** The management API's address; by default the WebSocket server's. */
  public String adminBindHost() {
    String own = get(ADMIN_BIND_HOST);
    return own != null ? own : bindHost();
  }

  /** Where room queries are forwarded, in the order tried; empty for nowhere. */
  public List<URI> roomsUrls() {
    return roomsUrls;
  }

  public String gatewayId() {
    return get(GATEWAY_ID);
  }

  /** A deployment label such as "production", or null. */
  public String stage() {
    return get(STAGE);
  }

  /** The PEM certificate chain file; null when TLS is off. */
  public Path tlsCertFile() {
    return get(TLS_CERT_FILE);
  }

  /** The PEM (PKCS#8) private key file; null when TLS is off. */
  public Path tlsKeyFile() {
    return get(TLS_KEY_FILE);
  }

  /** True when the WebSocket port speaks TLS (wss://). */
  public boolean tls() {
    return tlsCertFile() != null;
  }

  /** True when the management API speaks TLS too (https://): TLS is on and not turned off. */
  public boolean adminTls() {
    return tls() && this.<Boolean>get(ADMIN_TLS);
  }

  /** {@code off}, {@code on} or {@code dev}: see {@link #PAGES}. */
  public String pages() {
    return get(PAGES);
  }

  public Duration tlsReloadInterval() {
    return get(TLS_RELOAD_INTERVAL);
  }

  /** The client keys accepted in the {@code x-api-key} handshake header; at least one. */
  public List<ApiKey> apiKeys() {
    return get(API_KEYS);
  }

  /** The management API's key, or null; never accepted at the WebSocket handshake. */
  public String adminKey() {
    return get(ADMIN_KEY);
  }

  /** The access key pairs whose SigV4 signatures the management API accepts; maybe empty. */
  public List<AwsAccessKey> awsAccessKeys() {
    return get(AWS_ACCESS_KEYS);
  }

  /** What a handshake must carry: "key", "token" or "either". */
  public String auth() {
    return get(AUTH);
  }

  /** The HS256 token secret, or null. */
  public String tokenSecret() {
    return get(TOKEN_SECRET);
  }

  public Path tokenKeysFile() {
    return get(TOKEN_KEYS_FILE);
  }

  /** The JWKS URL of user token keys, or null. */
  public String tokenJwksUrl() {
    return get(TOKEN_JWKS_URL);
  }

  public String tokenIssuer() {
    return get(TOKEN_ISSUER);
  }

  public String tokenAudience() {
    return get(TOKEN_AUDIENCE);
  }

  public Duration tokenClockSkew() {
    return get(TOKEN_CLOCK_SKEW);
  }

  public String tokenNameClaim() {
    return get(TOKEN_NAME_CLAIM);
  }

  /** Origins browsers may connect from (exact match); empty means any origin. */
  public Set<String> allowedOrigins() {
    return get(ALLOWED_ORIGINS);
  }

  /** The reloadable allow/block CIDR file, or null for no IP rules. */
  public Path ipRulesFile() {
    return get(IP_RULES_FILE);
  }

  /** The route integrations' file, or null for none. */
  public Path routesFile() {
    return get(ROUTES_FILE);
  }

  /** The route integrations, read from {@link #routesFile()} (checked when built). */
  public Routes routes() {
    return routesFile() == null ? Routes.NONE : Routes.read(routesFile());
  }

  public Duration connectRouteTimeout() {
    return get(CONNECT_ROUTE_TIMEOUT);
  }

  public String routeDomainName() {
    return get(ROUTE_DOMAIN_NAME);
  }

  public int maxConnectRouteCalls() {
    return get(MAX_CONNECT_ROUTE_CALLS);
  }

  public Duration ipRulesReloadInterval() {
    return get(IP_RULES_RELOAD_INTERVAL);
  }

  public List<String> trustedProxies() {
    return get(TRUSTED_PROXIES);
  }

  public int maxConnections() {
    return get(MAX_CONNECTIONS);
  }

  public int maxConnectionsPerIp() {
    return get(MAX_CONNECTIONS_PER_IP);
  }

  public int maxPendingHandshakes() {
    return get(MAX_PENDING_HANDSHAKES);
  }

  public int maxPendingHandshakesPerIp() {
    return get(MAX_PENDING_HANDSHAKES_PER_IP);
  }

  public int handshakesPerSecondPerIp() {
    return get(HANDSHAKES_PER_SECOND_PER_IP);
  }

  public int handshakeBurstPerIp() {
    return get(HANDSHAKE_BURST_PER_IP);
  }

  public int retryAfterSeconds() {
    return get(RETRY_AFTER_SECONDS);
  }

  public int maxInFlightActions() {
    return get(MAX_IN_FLIGHT_ACTIONS);
  }

  public int maxInFlightActionsPerConnection() {
    return get(MAX_IN_FLIGHT_ACTIONS_PER_CONNECTION);
  }

  public int maxUnansweredActionsPerConnection() {
    return get(MAX_UNANSWERED_ACTIONS_PER_CONNECTION);
  }

  public Duration unansweredActionTimeout() {
    return get(UNANSWERED_ACTION_TIMEOUT);
  }

  public Duration logWriteTimeout() {
    return get(LOG_WRITE_TIMEOUT);
  }

  public Duration maxLogQueueWait() {
    return get(MAX_LOG_QUEUE_WAIT);
  }

  public int connectionRatePerSecond() {
    return get(CONNECTION_RATE);
  }

  public int connectionBurst() {
    return get(CONNECTION_BURST);
  }

  public int apiKeyRatePerSecond() {
    return get(API_KEY_RATE);
  }

  public int apiKeyBurst() {
    return get(API_KEY_BURST);
  }

  public int userRatePerSecond() {
    return get(USER_RATE);
  }

  public int userBurst() {
    return get(USER_BURST);
  }

  public int floodTolerance() {
    return get(FLOOD_TOLERANCE);
  }

  public int maxPingsPerSecond() {
    return get(MAX_PINGS_PER_SECOND);
  }

  public int maxFramePayloadBytes() {
    return get(MAX_FRAME_PAYLOAD_BYTES);
  }

  public int maxMessageBytes() {
    return get(MAX_MESSAGE_BYTES);
  }

  public int maxOutboundBytesPerConnection() {
    return get(MAX_OUTBOUND_BYTES_PER_CONNECTION);
  }

  public int answerBytesPerSecond() {
    return get(ANSWER_BYTES_PER_SECOND);
  }

  public int answerBurstBytes() {
    return get(ANSWER_BURST_BYTES);
  }

  public boolean permessageDeflate() {
    return get(PERMESSAGE_DEFLATE);
  }

  public Duration handshakeTimeout() {
    return get(HANDSHAKE_TIMEOUT);
  }

  public Duration idleTimeout() {
    return get(IDLE_TIMEOUT);
  }

  public Duration maxConnectionAge() {
    return get(MAX_CONNECTION_AGE);
  }

  public Duration pingInterval() {
    return get(PING_INTERVAL);
  }

  public Duration pongTimeout() {
    return get(PONG_TIMEOUT);
  }

  public Duration closeTimeout() {
    return get(CLOSE_TIMEOUT);
  }

  public Duration heartbeatInterval() {
    return get(HEARTBEAT_INTERVAL);
  }

  @Override
  public String toString() {
    // Never the secrets: settings are logged at start-up.
    return "GatewaySettings[gatewayId="
        + gatewayId()
        + ", "
        + bindHost()
        + ":"
        + port()
        + ", apiKeys="
        + apiKeys().stream().map(ApiKey::name).toList()
        + ", adminKey="
        + (adminKey() == null ? "none" : "set")
        + ", awsAccessKeys="
        + awsAccessKeys().stream().map(AwsAccessKey::id).toList()
        + ", auth="
        + auth()
        + ", tokenSecret="
        + (tokenSecret() == null ? "none" : "set")
        + "]";
  }

  /**
   * Mutable, unvalidated; {@link #build()} validates. {@link #set} takes any setting by name; the
   * typed setters are shorthands (and set pairs that go together).
   */
  public static final class Builder {
    private final Map<String, Object> values;

    private Builder(Map<String, Object> values) {
      this.values = new HashMap<>(values);
    }

    public GatewaySettings build() {
      return new GatewaySettings(this);
    }

    /** Sets the setting named {@code name} (one of this class's constants) to {@code value}. */
    public Builder set(String name, Object value) {
      values.put(DEFS.get(name).name(), value);
      return this;
    }

    @SuppressWarnings("unchecked")
    private <T> T get(String name, T absent) {
      return values.containsKey(name) ? (T) values.get(name) : absent;
    }

    public Builder bindHost(String v) {
      return set(BIND_HOST, v);
    }

    public Builder port(int v) {
      return set(PORT, v);
    }

    /** 0 = any free port, -1 = no management API on this node. */
    public Builder adminPort(int v) {
      return set(ADMIN_PORT, v);
    }

    /** The processors' query ports, as base URLs ({@link #ROOMS_URLS}). */
    public Builder roomsUrls(List<String> v) {
      return set(ROOMS_URLS, List.copyOf(v));
    }

    public Builder gatewayId(String v) {
      return set(GATEWAY_ID, v);
    }

    public Builder apiKeys(List<ApiKey> v) {
      return set(API_KEYS, List.copyOf(v));
    }

    public Builder adminKey(String v) {
      return set(ADMIN_KEY, v);
    }

    /** Adds an access key pair to {@link #AWS_ACCESS_KEYS}. */
    public Builder awsAccessKey(String id, String secret) {
      List<AwsAccessKey> keys = new ArrayList<>(get(AWS_ACCESS_KEYS, List.<AwsAccessKey>of()));
      keys.add(new AwsAccessKey(id, secret));
      return set(AWS_ACCESS_KEYS, List.copyOf(keys));
    }

    public Builder ipRulesReloadInterval(Duration v) {
      return set(IP_RULES_RELOAD_INTERVAL, v);
    }

    public Builder maxInFlightActions(int v) {
      return set(MAX_IN_FLIGHT_ACTIONS, v);
    }

    public Builder maxInFlightActionsPerConnection(int v) {
      return set(MAX_IN_FLIGHT_ACTIONS_PER_CONNECTION, v);
    }

    public Builder maxUnansweredActionsPerConnection(int v) {
      return set(MAX_UNANSWERED_ACTIONS_PER_CONNECTION, v);
    }

    public Builder unansweredActionTimeout(Duration v) {
      return set(UNANSWERED_ACTION_TIMEOUT, v);
    }

    public Builder handshakeRatePerIp(int perSecond, int burst) {
      return set(HANDSHAKES_PER_SECOND_PER_IP, perSecond).set(HANDSHAKE_BURST_PER_IP, burst);
    }

    public Builder connectionRate(int perSecond, int burst) {
      return set(CONNECTION_RATE, perSecond).set(CONNECTION_BURST, burst);
    }

    public Builder apiKeyRate(int perSecond, int burst) {
      return set(API_KEY_RATE, perSecond).set(API_KEY_BURST, burst);
    }

    public Builder userRate(int perSecond, int burst) {
      return set(USER_RATE, perSecond).set(USER_BURST, burst);
    }

    public Builder answerBudget(int bytesPerSecond, int burstBytes) {
      return set(ANSWER_BYTES_PER_SECOND, bytesPerSecond).set(ANSWER_BURST_BYTES, burstBytes);
    }

    public Builder floodTolerance(int v) {
      return set(FLOOD_TOLERANCE, v);
    }

    public Builder maxFramePayloadBytes(int v) {
      return set(MAX_FRAME_PAYLOAD_BYTES, v);
    }

    public Builder maxMessageBytes(int v) {
      return set(MAX_MESSAGE_BYTES, v);
    }

    public Builder heartbeatInterval(Duration v) {
      return set(HEARTBEAT_INTERVAL, v);
    }

    public Builder logWriteTimeout(Duration v) {
      return set(LOG_WRITE_TIMEOUT, v);
    }

    public Builder maxLogQueueWait(Duration v) {
      return set(MAX_LOG_QUEUE_WAIT, v);
    }

    public Builder maxConnectionsPerIp(int v) {
      return set(MAX_CONNECTIONS_PER_IP, v);
    }

    public Builder pongTimeout(Duration v) {
      return set(PONG_TIMEOUT, v);
    }

    public Builder auth(String v) {
      return set(AUTH, v);
    }

    public Builder tokenSecret(String v) {
      return set(TOKEN_SECRET, v);
    }

    public Builder allowedOrigins(Set<String> v) {
      return set(ALLOWED_ORIGINS, Set.copyOf(v));
    }

    public Builder ipRulesFile(Path v) {
      return set(IP_RULES_FILE, v);
    }

    public Builder routesFile(Path v) {
      return set(ROUTES_FILE, v);
    }

    public Builder connectRouteTimeout(Duration v) {
      return set(CONNECT_ROUTE_TIMEOUT, v);
    }

    public Builder trustedProxies(List<String> v) {
      return set(TRUSTED_PROXIES, List.copyOf(v));
    }

    public Builder maxConnections(int v) {
      return set(MAX_CONNECTIONS, v);
    }

    public Builder maxPendingHandshakes(int v) {
      return set(MAX_PENDING_HANDSHAKES, v);
    }

    public Builder maxPendingHandshakesPerIp(int v) {
      return set(MAX_PENDING_HANDSHAKES_PER_IP, v);
    }

    public Builder retryAfterSeconds(int v) {
      return set(RETRY_AFTER_SECONDS, v);
    }

    public Builder maxPingsPerSecond(int v) {
      return set(MAX_PINGS_PER_SECOND, v);
    }

    public Builder maxOutboundBytesPerConnection(int v) {
      return set(MAX_OUTBOUND_BYTES_PER_CONNECTION, v);
    }

    public Builder permessageDeflate(boolean v) {
      return set(PERMESSAGE_DEFLATE, v);
    }

    public Builder handshakeTimeout(Duration v) {
      return set(HANDSHAKE_TIMEOUT, v);
    }

    public Builder pingInterval(Duration v) {
      return set(PING_INTERVAL, v);
    }

    public Builder closeTimeout(Duration v) {
      return set(CLOSE_TIMEOUT, v);
    }
  }

  /** "{@code setting} must be {@code expected}, got '{@code value}'", for text settings. */
  private static Validator<String> expectText(Predicate<String> ok, String expected) {
    return (name, value) -> {
      if (!ok.test(value)) {
        throw new IllegalArgumentException(name + " must be " + expected + ", got '" + value + "'");
      }
    };
  }

  private static void checkRoomsUrls(String name, List<String> urls) {
    urls.forEach(GatewaySettings::roomsUrl);
  }

  private static URI roomsUrl(String url) {
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
    return uri;
  }

  private static void checkApiKeys(String name, List<ApiKey> keys) {
    Set<String> names = new HashSet<>();
    Set<String> secrets = new HashSet<>();
    for (ApiKey key : keys) {
      if (!names.add(key.name())) {
        throw new IllegalArgumentException(
            name + ": the key name '" + key.name() + "' is used twice");
      }
      if (!secrets.add(key.secret())) {
        throw new IllegalArgumentException(
            name + ": the same secret is configured twice (keys '" + key.name() + "' and another)");
      }
    }
  }

  private static void checkAwsAccessKeys(String name, List<AwsAccessKey> keys) {
    Set<String> ids = new HashSet<>();
    for (AwsAccessKey key : keys) {
      if (!ids.add(key.id())) {
        throw new IllegalArgumentException(
            name + ": the access key id '" + key.id() + "' is used twice");
      }
    }
  }

  /** A TLS file, when set, must be a regular file this process can read. */
  /** Reads the routes file, so that a bad one fails at start naming the route and field. */
  private static void checkRoutesFile(String name, Path file) {
    if (file != null) {
      try {
        Routes.read(file);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
      }
    }
  }

  private static void checkPemFile(String name, Path file) {
    if (file == null) {
      return;
    }
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          name + " must be a PEM file, but " + file + " does not exist or is not a regular file");
    }
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException(
          name + ": " + file + " cannot be read by this process (check its permissions)");
    }
  }
}
