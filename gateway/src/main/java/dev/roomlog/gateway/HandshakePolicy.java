package dev.roomlog.gateway;

import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Decides whether an HTTP request may become a WebSocket connection, and if not, what the client
 * is told. Plain Java; {@link HandshakeGuard} turns Netty's request into a {@link Request} and the
 * {@link Decision} into a response. The order of the checks is documented on {@link
 * HandshakeGuard}.
 *
 * <p>Thread-safe; one instance serves every connection of a node (it holds the node's {@link
 * ConnectionLimiter}).
 */
final class HandshakePolicy {
  static final String API_KEY_HEADER = "x-api-key";

  static final String MALFORMED_BODY = "bad request: malformed HTTP request\n";
  static final String LINE_TOO_LONG_BODY = "request line too long\n";
  static final String HEADERS_TOO_LARGE_BODY = "request headers too large\n";
  static final String OBS_FOLD_BODY = "bad request: folded header lines are not allowed\n";
  static final String HOST_BODY = "bad request: exactly one Host header is required\n";
  static final String BODY_NOT_ALLOWED_BODY =
      "bad request: a WebSocket handshake has no body (no Content-Length or Transfer-Encoding)\n";
  static final String SECOND_REQUEST_BODY = "bad request: one handshake per connection\n";
  static final String FORWARDED_FOR_BODY = "bad request: malformed X-Forwarded-For\n";
  static final String NOT_FOUND_BODY = "not found: Roomlog's WebSocket endpoint is at /\n";
  static final String UPGRADE_HINT =
      "this port speaks WebSocket: connect with a WebSocket client to / with an x-api-key"
          + " header, e.g. wscat -c ws://HOST:PORT/ -H 'x-api-key: KEY'\n";
  static final String ADDRESS_REFUSED_BODY =
      "forbidden: connections from your address are not allowed\n";
  static final String ORIGIN_REFUSED_BODY = "forbidden: this Origin may not connect\n";
  static final String UNAUTHORIZED_BODY = "missing or wrong x-api-key header\n";
  static final String NODE_FULL_BODY = "this gateway is at its connection limit: retry later\n";
  static final String IP_FULL_BODY = "too many connections from your address: retry later\n";

  /** Why Netty's decoder could not read the request, if it could not. */
  enum DecodeFailure {
    NONE,
    LINE_TOO_LONG,
    HEADERS_TOO_LARGE,
    MALFORMED
  }

  /**
   * What the policy needs to know about a request.
   *
   * @param headers every header, names in lower case, values in the order received
   * @param peer the socket's remote IP address, or null if the transport is not IP (only in tests
   *     with a bare embedded channel); then X-Forwarded-For and IP rules do not apply
   * @param peerText the remote address as text, for logs and as the source IP of a non-IP peer
   */
  record Request(
      DecodeFailure decodeFailure,
      boolean obsFold,
      String method,
      String uri,
      Map<String, List<String>> headers,
      InetAddress peer,
      String peerText) {
    Request {
      Objects.requireNonNull(decodeFailure, "decodeFailure");
      headers = Map.copyOf(headers);
    }

    List<String> header(String name) {
      return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }
  }

  sealed interface Decision permits Admit, Refuse {}

  /**
   * Go ahead with the WebSocket handshake. The caller must release the permit when the channel
   * closes.
   */
  record Admit(String sourceIp, ApiKey apiKey, ConnectionLimiter.Permit permit)
      implements Decision {}

  /**
   * Answer with an HTTP error and close.
   *
   * @param body the text the client sees
   * @param reason a short reason for the log line (never a secret)
   * @param sourceIp the client's address as far as it is known, for the log line
   * @param retryAfterSeconds the Retry-After header's value, or 0 for none
   */
  record Refuse(int status, String body, String reason, String sourceIp, int retryAfterSeconds)
      implements Decision {}

  private final ApiKeys apiKeys;
  private final Supplier<IpRules> ipRules;
  private final ForwardedFor forwardedFor;
  private final OriginPolicy origins;
  private final ConnectionLimiter limiter;
  private final int retryAfterSeconds;

  HandshakePolicy(
      ApiKeys apiKeys,
      Supplier<IpRules> ipRules,
      ForwardedFor forwardedFor,
      OriginPolicy origins,
      ConnectionLimiter limiter,
      int retryAfterSeconds) {
    this.apiKeys = Objects.requireNonNull(apiKeys, "apiKeys");
    this.ipRules = Objects.requireNonNull(ipRules, "ipRules");
    this.forwardedFor = Objects.requireNonNull(forwardedFor, "forwardedFor");
    this.origins = Objects.requireNonNull(origins, "origins");
    this.limiter = Objects.requireNonNull(limiter, "limiter");
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The policy of a node with these settings, whose IP rules come from {@code ipRules}. */
  static HandshakePolicy create(GatewaySettings settings, Supplier<IpRules> ipRules) {
    return new HandshakePolicy(
        new ApiKeys(settings.apiKeys()),
        ipRules,
        ForwardedFor.of(settings.trustedProxies()),
        new OriginPolicy(settings.allowedOrigins()),
        new ConnectionLimiter(settings.maxConnections(), settings.maxConnectionsPerIp()),
        settings.retryAfterSeconds());
  }

  ConnectionLimiter limiter() {
    return limiter;
  }

  Decision decide(Request request) {
    String peerText = request.peerText();
    Refuse malformed = malformed(request);
    if (malformed != null) {
      return malformed;
    }
    if (!"/".equals(path(request.uri()))) {
      return new Refuse(404, NOT_FOUND_BODY, "path is not /", peerText, 0);
    }
    if (!"GET".equals(request.method()) || !asksForWebSocket(request.header("upgrade"))) {
      return new Refuse(426, UPGRADE_HINT, "not a WebSocket upgrade", peerText, 0);
    }

    String sourceIp = peerText;
    if (request.peer() != null) {
      ForwardedFor.Resolution resolution =
          forwardedFor.resolve(request.peer(), request.header("x-forwarded-for"));
      if (resolution instanceof ForwardedFor.Malformed bad) {
        return new Refuse(400, FORWARDED_FOR_BODY, bad.why(), peerText, 0);
      }
      InetAddress client = ((ForwardedFor.Client) resolution).address();
      sourceIp = client.getHostAddress();
      IpRules.Decision ip = ipRules.get().decide(client);
      if (ip != IpRules.Decision.ALLOWED) {
        String why =
            ip == IpRules.Decision.BLOCKED
                ? "address blocked by the IP rules"
                : "address in no allow rule of the IP rules";
        return new Refuse(403, ADDRESS_REFUSED_BODY, why, sourceIp, 0);
      }
    }

    if (!origins.allows(request.header("origin"))) {
      return new Refuse(403, ORIGIN_REFUSED_BODY, "Origin not allowed", sourceIp, 0);
    }

    List<String> keys = request.header(API_KEY_HEADER);
    Optional<ApiKey> key = keys.size() == 1 ? apiKeys.match(keys.get(0)) : Optional.empty();
    if (key.isEmpty()) {
      return new Refuse(401, UNAUTHORIZED_BODY, "missing or wrong x-api-key", sourceIp, 0);
    }

    // Last, so that a request refused for any other reason never takes a slot.
    ConnectionLimiter.Admission admission = limiter.tryAcquire(sourceIp);
    if (admission instanceof ConnectionLimiter.Refused refused) {
      boolean nodeFull = refused.reason() == ConnectionLimiter.Reason.NODE_FULL;
      return new Refuse(
          503,
          nodeFull ? NODE_FULL_BODY : IP_FULL_BODY,
          nodeFull ? "node at maxConnections" : "source IP at maxConnectionsPerIp",
          sourceIp,
          retryAfterSeconds);
    }
    return new Admit(sourceIp, key.get(), ((ConnectionLimiter.Admitted) admission).permit());
  }

  /** HTTP that is broken, or that a proxy in front could read differently from us (smuggling). */
  private static Refuse malformed(Request request) {
    String peer = request.peerText();
    switch (request.decodeFailure()) {
      case LINE_TOO_LONG -> {
        return new Refuse(414, LINE_TOO_LONG_BODY, "request line too long", peer, 0);
      }
      case HEADERS_TOO_LARGE -> {
        return new Refuse(431, HEADERS_TOO_LARGE_BODY, "headers too large", peer, 0);
      }
      case MALFORMED -> {
        return new Refuse(400, MALFORMED_BODY, "HTTP decoder failed", peer, 0);
      }
      case NONE -> {}
    }
    if (request.obsFold()) {
      return new Refuse(400, OBS_FOLD_BODY, "obs-fold header line", peer, 0);
    }
    if (request.header("host").size() != 1) {
      return new Refuse(400, HOST_BODY, request.header("host").size() + " Host headers", peer, 0);
    }
    // The body would be read by no one, and a proxy might count it differently: refuse it unread.
    List<String> lengths = request.header("content-length");
    boolean hasBody =
        !lengths.isEmpty() && !(lengths.size() == 1 && lengths.get(0).strip().equals("0"));
    if (hasBody || !request.header("transfer-encoding").isEmpty()) {
      return new Refuse(400, BODY_NOT_ALLOWED_BODY, "request has a body", peer, 0);
    }
    return null;
  }

  private static String path(String uri) {
    int query = uri.indexOf('?');
    return query < 0 ? uri : uri.substring(0, query);
  }

  private static boolean asksForWebSocket(List<String> upgradeHeaders) {
    for (String value : upgradeHeaders) {
      for (String token : value.split(",")) {
        if (token.strip().equalsIgnoreCase("websocket")) {
          return true;
        }
      }
    }
    return false;
  }
}
