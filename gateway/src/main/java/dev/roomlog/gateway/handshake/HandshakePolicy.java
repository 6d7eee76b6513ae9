package dev.roomlog.gateway.handshake;

import dev.roomlog.gateway.auth.HandshakeAuth;
import dev.roomlog.gateway.auth.TokenVerifier;
import dev.roomlog.gateway.ipfilter.IpRules;
import dev.roomlog.gateway.limits.ConnectionLimiter;
import dev.roomlog.gateway.limits.HandshakeRateLimiter;
import dev.roomlog.gateway.settings.ApiKey;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.gateway.wal.WalAppender;
import dev.roomlog.protocol.action.Authorizer;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Decides whether an HTTP request may become a WebSocket connection, and if not, what the client is
 * told. Plain Java; {@link HandshakeHandler} turns Netty's request into a {@link Request} and the
 * {@link Decision} into a response. The order of the checks is documented on {@link
 * HandshakeHandler}; those of the request's HTTP shape are {@link UpgradeChecks}. It also decides
 * whether a new socket may start a handshake at all ({@link #startHandshake}), before any of its
 * bytes are read.
 *
 * <p>Thread-safe; one instance serves every connection of a node (it holds the node's {@link
 * ConnectionLimiter}s: open connections, and sockets still in their handshake).
 */
public final class HandshakePolicy {
  static final String API_KEY_HEADER = HandshakeAuth.API_KEY_HEADER;

  static final String SECOND_REQUEST_BODY = "bad request: one handshake per connection\n";
  static final String FORWARDED_FOR_BODY = "bad request: malformed X-Forwarded-For\n";
  static final String HEALTH_PATH = "/healthz";
  static final String READY_PATH = "/readyz";
  static final String METRICS_PATH = "/metrics";
  static final String NOT_FOUND_BODY = "not found: Roomlog's WebSocket endpoint is at /\n";
  static final String UPGRADE_HINT =
      "this port speaks WebSocket: connect with a WebSocket client to / with an x-api-key"
          + " header, e.g. wscat -c ws://HOST:PORT/ -H 'x-api-key: KEY'\n";
  static final String ADDRESS_REFUSED_BODY =
      "forbidden: connections from your address are not allowed\n";
  static final String ORIGIN_REFUSED_BODY = "forbidden: this Origin may not connect\n";
  static final String VERSION_BODY =
      "this server speaks WebSocket version 13 (RFC 6455) only: send Sec-WebSocket-Version: 13"
          + " and a Sec-WebSocket-Key of 16 random bytes in base64\n";
  static final String LOG_BEHIND_BODY =
      "this gateway cannot write to its log fast enough to take new connections: retry later\n";
  public static final String NODE_FULL_BODY =
      "this gateway is at its connection limit: retry later\n";
  static final String IP_FULL_BODY = "too many connections from your address: retry later\n";
  static final String HTTP_VERSION_BODY =
      "a WebSocket upgrade is an HTTP/1.1 request (RFC 6455 4.1): send GET / HTTP/1.1\n";
  static final String HANDSHAKE_RATE_BODY =
      "too many new connections from your address: retry after the seconds in Retry-After\n";

  /**
   * Source addresses whose handshake rate is tracked at once; past it the least recently seen is
   * forgotten ({@link HandshakeRateLimiter}). About 200 bytes each: 2 MB at most.
   */
  static final int MAX_RATE_TRACKED_ADDRESSES = 10_000;

  /**
   * What the policy needs to know about a request.
   *
   * @param headers every header, names in lower case, values in the order received
   * @param peer the socket's remote IP address, or null if the transport is not IP (only in tests
   *     with a bare embedded channel); then X-Forwarded-For and IP rules do not apply
   * @param peerText the remote address as text, for logs and as the source IP of a non-IP peer
   * @param httpVersion the request line's version as read, e.g. {@code HTTP/1.1}
   * @param requestBehind whether a second request came behind this one before it was answered
   *     ({@link RequestHeadHandler})
   */
  record Request(
      DecodeFailure decodeFailure,
      boolean obsFold,
      String method,
      String uri,
      Map<String, List<String>> headers,
      InetAddress peer,
      String peerText,
      String httpVersion,
      boolean requestBehind) {
    Request {
      Objects.requireNonNull(decodeFailure, "decodeFailure");
      headers = Map.copyOf(headers);
    }

    List<String> header(String name) {
      return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }
  }

  sealed interface Decision permits Admit, Refuse, HealthCheck, Scrape {}

  /**
   * {@code GET /metrics}, without a key: the node's meters in Prometheus' text format, if the node
   * was given a scrape (otherwise 404, as before there were metrics). Then closed.
   */
  record Scrape() implements Decision {}

  /**
   * {@code GET /healthz} (alive: the node answers) or {@code GET /readyz} (ready: it can write to
   * the log and has room for one more connection, the same tests that refuse a handshake with 503,
   * so a balancer sends new clients elsewhere), answered without a key, then closed.
   *
   * @param body what a 503 says (why it is not ready); null when healthy
   */
  record HealthCheck(boolean healthy, int retryAfterSeconds, String body) implements Decision {
    static final String HEALTHY_BODY = "ok\n";

    static HealthCheck ready() {
      return new HealthCheck(true, 0, null);
    }
  }

  /**
   * Go ahead with the WebSocket handshake. The caller must release the permit when the channel
   * closes.
   */
  record Admit(
      String sourceIp, ApiKey apiKey, Authorizer authorizer, ConnectionLimiter.Permit permit)
      implements Decision {}

  /**
   * Answer with an HTTP error and close.
   *
   * @param code a fixed word for the reason, the label of the refusal count (bounded: never a
   *     client's text)
   * @param body the text the client sees
   * @param reason a short reason for the log line (never a secret)
   * @param sourceIp the client's address as far as it is known, for the log line
   * @param retryAfterSeconds the Retry-After header's value, or 0 for none
   */
  record Refuse(
      int status, String code, String body, String reason, String sourceIp, int retryAfterSeconds)
      implements Decision {}

  private final HandshakeAuth auth;
  private final Supplier<IpRules> ipRules;
  private final ForwardedFor forwardedFor;
  private final OriginPolicy origins;
  private final ConnectionLimiter limiter;
  private final ConnectionLimiter pendingHandshakes;
  private final HandshakeRateLimiter handshakeRate;
  private final BooleanSupplier logAcceptsConnections;
  private final int retryAfterSeconds;

  /**
   * @param pendingHandshakes counts sockets from accept until admission or close
   * @param handshakeRate how many handshakes each source address may start
   * @param logAcceptsConnections whether the write-ahead log can take the {@code $connect} of one
   *     more connection in time ({@link WalAppender#acceptingConnections()})
   */
  HandshakePolicy(
      HandshakeAuth auth,
      Supplier<IpRules> ipRules,
      ForwardedFor forwardedFor,
      OriginPolicy origins,
      ConnectionLimiter limiter,
      ConnectionLimiter pendingHandshakes,
      HandshakeRateLimiter handshakeRate,
      BooleanSupplier logAcceptsConnections,
      int retryAfterSeconds) {
    this.auth = Objects.requireNonNull(auth, "auth");
    this.ipRules = Objects.requireNonNull(ipRules, "ipRules");
    this.forwardedFor = Objects.requireNonNull(forwardedFor, "forwardedFor");
    this.origins = Objects.requireNonNull(origins, "origins");
    this.limiter = Objects.requireNonNull(limiter, "limiter");
    this.pendingHandshakes = Objects.requireNonNull(pendingHandshakes, "pendingHandshakes");
    this.handshakeRate = Objects.requireNonNull(handshakeRate, "handshakeRate");
    this.logAcceptsConnections =
        Objects.requireNonNull(logAcceptsConnections, "logAcceptsConnections");
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /**
   * The policy of a node with these settings, whose IP rules come from {@code ipRules} and whose
   * log says through {@code logAcceptsConnections} whether it can take more connections; {@code
   * clock} times the handshake rate. {@code tokens} checks the user tokens handshakes carry (the
   * node's one verifier, which also checks its connections' refreshes).
   */
  public static HandshakePolicy create(
      GatewaySettings settings,
      TokenVerifier tokens,
      Supplier<IpRules> ipRules,
      BooleanSupplier logAcceptsConnections,
      Clock clock) {
    return new HandshakePolicy(
        new HandshakeAuth(
            HandshakeAuth.Mode.of(settings.auth()), new ApiKeys(settings.apiKeys())::match, tokens),
        ipRules,
        ForwardedFor.of(settings.trustedProxies()),
        new OriginPolicy(settings.allowedOrigins()),
        new ConnectionLimiter(settings.maxConnections(), settings.maxConnectionsPerIp()),
        new ConnectionLimiter(
            settings.maxPendingHandshakes(), settings.maxPendingHandshakesPerIp()),
        new HandshakeRateLimiter(
            settings.handshakesPerSecondPerIp(),
            settings.handshakeBurstPerIp(),
            MAX_RATE_TRACKED_ADDRESSES,
            () -> epochNanos(clock.instant())),
        logAcceptsConnections,
        settings.retryAfterSeconds());
  }

  public ConnectionLimiter limiter() {
    return limiter;
  }

  public ConnectionLimiter pendingHandshakes() {
    return pendingHandshakes;
  }

  HandshakeRateLimiter handshakeRate() {
    return handshakeRate;
  }

  private static long epochNanos(Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }

  /**
   * May a socket just accepted from {@code peer} start a handshake? Counted by the socket's peer
   * (its request, and so X-Forwarded-For, has not been read yet), except that a trusted proxy,
   * which carries many clients' handshakes, counts only towards the node's total. The caller must
   * release the permit on admission or close, whichever comes first.
   *
   * @param peer the socket's remote IP address, or null if the transport is not IP
   * @param peerText the remote address as text
   */
  ConnectionLimiter.Admission startHandshake(InetAddress peer, String peerText) {
    if (peer != null && forwardedFor.isTrustedProxy(peer)) {
      return pendingHandshakes.tryAcquireForNodeOnly();
    }
    return pendingHandshakes.tryAcquire(peerText);
  }

  /**
   * Whether the IP rules in force now refuse {@code sourceIp} (the text a {@link Admit} carried).
   * For a connection admitted under older rules: a reload may have come between its admission and
   * its registration.
   */
  public boolean refusesNow(String sourceIp) {
    return ipRules.get().refuses(sourceIp);
  }

  /**
   * The client's address as text (X-Forwarded-For from a trusted proxy resolved), or, when {@code
   * refused} is set, the answer to a malformed X-Forwarded-For or an address the IP rules refuse.
   */
  private record ClientAddress(String sourceIp, Refuse refused) {}

  private ClientAddress clientAddress(Request request, String peerText) {
    if (request.peer() == null) {
      return new ClientAddress(peerText, null);
    }
    ForwardedFor.Resolution resolution =
        forwardedFor.resolve(request.peer(), request.header("x-forwarded-for"));
    if (resolution instanceof ForwardedFor.Malformed bad) {
      return new ClientAddress(
          peerText, new Refuse(400, "forwardedFor", FORWARDED_FOR_BODY, bad.why(), peerText, 0));
    }
    InetAddress client = ((ForwardedFor.Client) resolution).address();
    String sourceIp = client.getHostAddress();
    IpRules.Decision ip = ipRules.get().decide(client);
    if (ip != IpRules.Decision.ALLOWED) {
      String why =
          ip == IpRules.Decision.BLOCKED
              ? "address blocked by the IP rules"
              : "address in no allow rule of the IP rules";
      return new ClientAddress(
          sourceIp, new Refuse(403, "ipRules", ADDRESS_REFUSED_BODY, why, sourceIp, 0));
    }
    return new ClientAddress(sourceIp, null);
  }

  Decision decide(Request request) {
    String peerText = request.peerText();
    Refuse malformed = UpgradeChecks.malformed(request);
    if (malformed != null) {
      return malformed;
    }
    boolean plainGet =
        "GET".equals(request.method())
            && !UpgradeChecks.asksForWebSocket(request.header("upgrade"));
    if (plainGet && HEALTH_PATH.equals(UpgradeChecks.path(request.uri()))) {
      return HealthCheck.ready();
    }
    if (plainGet && READY_PATH.equals(UpgradeChecks.path(request.uri()))) {
      if (!logAcceptsConnections.getAsBoolean()) {
        return new HealthCheck(false, retryAfterSeconds, LOG_BEHIND_BODY);
      }
      if (limiter.isFull()) {
        return new HealthCheck(false, retryAfterSeconds, NODE_FULL_BODY);
      }
      return HealthCheck.ready();
    }
    if (plainGet && METRICS_PATH.equals(UpgradeChecks.path(request.uri()))) {
      // The meters say much about the node: the IP rules apply (the health checks are exempt,
      // since a balancer's checks must always get through).
      ClientAddress where = clientAddress(request, peerText);
      return where.refused() != null ? where.refused() : new Scrape();
    }
    if (!"/".equals(UpgradeChecks.path(request.uri()))) {
      return new Refuse(404, "notFound", NOT_FOUND_BODY, "path is not /", peerText, 0);
    }
    if (!"GET".equals(request.method())
        || !UpgradeChecks.asksForWebSocket(request.header("upgrade"))) {
      return new Refuse(426, "notUpgrade", UPGRADE_HINT, "not a WebSocket upgrade", peerText, 0);
    }
    // RFC 6455 4.1: HTTP/1.1 or later, sent as HTTP/1.1 (HTTP/1.0 ignores Upgrade, RFC 9110 7.8;
    // HTTP/2 and 3 upgrade with other means). A later 1.x is read as 1.1 (RFC 9110 2.5).
    if (!UpgradeChecks.isHttp11(request.httpVersion())) {
      return new Refuse(
          505,
          "httpVersion",
          HTTP_VERSION_BODY,
          "upgrade over " + request.httpVersion(),
          peerText,
          0);
    }
    // Without version 13 Netty would pick an older handshake: Hixie-76 (no version header)
    // takes unmasked 0x00..0xFF frames, which none of our frame checks apply to.
    String versionProblem = UpgradeChecks.versionProblem(request);
    if (versionProblem != null) {
      return new Refuse(426, "version", VERSION_BODY, versionProblem, peerText, 0);
    }

    ClientAddress where = clientAddress(request, peerText);
    if (where.refused() != null) {
      return where.refused();
    }
    String sourceIp = where.sourceIp();

    // Every refusal below this still cost the client a handshake: counted before them, so that
    // guessing keys is as slow as reconnecting.
    long wait = handshakeRate.tryStart(sourceIp);
    if (wait > 0) {
      return new Refuse(
          429,
          "handshakeRate",
          HANDSHAKE_RATE_BODY,
          "source IP past handshakesPerSecondPerIp",
          sourceIp,
          (int) Math.min(Integer.MAX_VALUE, (wait + 999_999_999L) / 1_000_000_000L));
    }

    if (!origins.allows(request.header("origin"))) {
      return new Refuse(403, "origin", ORIGIN_REFUSED_BODY, "Origin not allowed", sourceIp, 0);
    }

    HandshakeAuth.Outcome who = auth.decide(request.uri(), request::header);
    if (who instanceof HandshakeAuth.Refused no) {
      return new Refuse(no.status(), no.code(), no.body(), no.reason(), sourceIp, 0);
    }

    // Its $connect could not be written within logWriteTimeout: better a 503 now than a
    // connection the log has no record of.
    if (!logAcceptsConnections.getAsBoolean()) {
      return new Refuse(
          503,
          "logBehind",
          LOG_BEHIND_BODY,
          "the log is behind on $connect/$disconnect",
          sourceIp,
          retryAfterSeconds);
    }

    // Last, so that a request refused for any other reason never takes a slot.
    ConnectionLimiter.Admission admission = limiter.tryAcquire(sourceIp);
    if (admission instanceof ConnectionLimiter.Refused refused) {
      boolean nodeFull = refused.reason() == ConnectionLimiter.Reason.NODE_FULL;
      return new Refuse(
          503,
          nodeFull ? "nodeFull" : "ipFull",
          nodeFull ? NODE_FULL_BODY : IP_FULL_BODY,
          nodeFull ? "node at maxConnections" : "source IP at maxConnectionsPerIp",
          sourceIp,
          retryAfterSeconds);
    }
    HandshakeAuth.Admitted yes = (HandshakeAuth.Admitted) who;
    ConnectionLimiter.Permit permit = ((ConnectionLimiter.Admitted) admission).permit();
    return new Admit(sourceIp, yes.apiKey(), yes.authorizer(), permit);
  }
}
