package dev.roomlog.gateway.connection;

import dev.roomlog.gateway.limits.AnswerBudget;
import dev.roomlog.gateway.limits.InFlightLimiter;
import dev.roomlog.gateway.limits.KeyedTokenBuckets;
import dev.roomlog.gateway.limits.MessageRateLimiter;
import dev.roomlog.gateway.limits.TokenBucket;
import dev.roomlog.gateway.limits.UnansweredActions;
import dev.roomlog.gateway.metrics.GatewayMetrics;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.gateway.wal.WalAppender;
import dev.roomlog.protocol.ConnectionIds;
import dev.roomlog.protocol.GatewayRuns;
import dev.roomlog.protocol.action.ActionParser;
import dev.roomlog.protocol.action.Authorizer;
import dev.roomlog.protocol.action.RequestContext.Identity;
import dev.roomlog.protocol.frame.ServerFrame;
import dev.roomlog.protocol.integration.Routes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what happens on a connection into write-ahead-log records: {@code $connect}, each accepted
 * action, {@code $disconnect} (the first and last only for a connection that writes to the log; see
 * {@link Connection}). Plain Java, no Netty: the frame handler calls it.
 *
 * <p>It also holds what the connections of this node share: the in-flight bound ({@link
 * InFlightLimiter}), one rate-limit bucket per API key name (keys are the configured ones, so that
 * map stays small), and one per user token subject ({@link KeyedTokenBuckets}, bounded).
 *
 * <p>The identity of every record (connectionId, gatewayId, sourceIp, times, request id) comes from
 * the gateway, never from the client. Thread-safe; one instance serves every connection.
 */
public final class ActionIntake implements GatewayMetrics.IntakeCounts {
  private static final Logger log = LoggerFactory.getLogger(ActionIntake.class);

  /** The wire name of each action, read from the protocol's own type mapping. */
  private final GatewaySettings settings;

  private final WalAppender wal;
  private final Clock clock;
  private final Supplier<String> ids;
  private final InFlightLimiter inFlight;

  private final Map<String, TokenBucket> keyBuckets = new ConcurrentHashMap<>();

  /**
   * One bucket per token subject, so that one noisy user cannot throttle the others. Bounded at
   * {@code maxConnections} subjects: a subject acts only through an open connection, so more than
   * that are tracked only when users come and go faster than their buckets refill. Past it the
   * least recently active subject is forgotten; it starts again with a full bucket, so the bound
   * can only loosen that one user's limit, never tighten anyone else's. A subject whose bucket has
   * refilled is forgotten too (the same as never seen).
   */
  private final KeyedTokenBuckets userBuckets;

  private final LongSupplier nanoTime;
  private final String gatewayInstance;
  private final GatewayMetrics metrics;
  private final Routes routes;

  /** With meters nobody reads. */
  public ActionIntake(
      GatewaySettings settings, WalAppender wal, Clock clock, Supplier<String> ids) {
    this(settings, wal, clock, ids, new GatewayMetrics(new SimpleMeterRegistry()));
  }

  /**
   * @param clock the time of records, and of the rate limits (tests move it by hand)
   * @param metrics where the node's actions, error frames and handshake refusals are counted
   */
  public ActionIntake(
      GatewaySettings settings,
      WalAppender wal,
      Clock clock,
      Supplier<String> ids,
      GatewayMetrics metrics) {
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.wal = Objects.requireNonNull(wal, "wal");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.routes = settings.routes();
    this.ids = Objects.requireNonNull(ids, "ids");
    this.inFlight =
        new InFlightLimiter(
            settings.maxInFlightActions(), settings.maxInFlightActionsPerConnection());
    this.nanoTime = () -> epochNanos(clock.instant());
    this.userBuckets =
        new KeyedTokenBuckets(
            settings.userRatePerSecond(),
            settings.userBurst(),
            settings.maxConnections(),
            nanoTime);
    // Start time first: the processor orders a gateway's runs by it (see GatewayLiveness).
    this.gatewayInstance = GatewayRuns.id(clock.millis(), ids.get());
  }

  /**
   * Opens a connection. Nothing is written yet: its {@code $connect} waits for its first action
   * that goes to the log. Returns empty when the log is closed (the node is shutting down): the
   * caller should then refuse the connection, which could write nothing.
   *
   * @param presetId the id the handshake gave it (a {@code $connect} route was told it); null for a
   *     new one
   * @param userAgent the handshake's {@code User-Agent}, for the route integrations' events; may be
   *     null
   * @param apiKeyName the name of the key the client presented (for the per-key rate limit); null
   *     for a token connection
   * @param authorizer who the connection speaks for, stamped on its records; a token's subject has
   *     its own rate limit
   * @param toClient where frames for this client go (async answers arrive on appender threads, so
   *     it must be thread-safe)
   * @param refreshes where its {@code refresh} requests go, on its event loop: they are answered
   *     there ({@link TokenExpiryHandler}), never written to the log
   */
  Optional<Connection> open(
      String presetId,
      String sourceIp,
      String userAgent,
      String apiKeyName,
      Authorizer authorizer,
      Consumer<ServerFrame> toClient,
      Consumer<ActionParser.Result.Refresh> refreshes) {
    // The id names this gateway, so any gateway's management API knows whom to ask about it.
    String connectionId =
        presetId != null ? presetId : ConnectionIds.of(settings.gatewayId(), ids.get());
    if (wal.isClosed()) {
      log.error("the WAL appender is closed: refusing connection {}", connectionId);
      return Optional.empty();
    }
    // Every error frame the gateway itself sends goes through here, whichever check sent it.
    Consumer<ServerFrame> replies =
        frame -> {
          if (frame instanceof ServerFrame.ErrorFrame error) {
            metrics.errorFrame(error);
          }
          toClient.accept(frame);
        };
    return Optional.of(
        new Connection(
            this,
            connectionId,
            clock.millis(),
            new Identity(sourceIp, userAgent),
            authorizer,
            inFlight.newConnection(),
            new UnansweredActions(
                settings.maxUnansweredActionsPerConnection(),
                settings.unansweredActionTimeout(),
                clock),
            rateLimit(apiKeyName, authorizer),
            new AnswerBudget(
                settings.answerBytesPerSecond(), settings.answerBurstBytes(), nanoTime),
            answersMessage(),
            replies,
            refreshes));
  }

  private String answersMessage() {
    return "rate limited: the answers to this connection's requests may total "
        + settings.answerBytesPerSecond()
        + " bytes per second (bursts of "
        + settings.answerBurstBytes()
        + "), and joins and resumes replay history; wait retryAfterMs before asking for more";
  }

  private MessageRateLimiter rateLimit(String apiKeyName, Authorizer authorizer) {
    int rate = settings.connectionRatePerSecond();
    int burst = settings.connectionBurst();
    MessageRateLimiter.SharedBucket shared;
    String sharedMessage;
    if (authorizer.tokenBased()) {
      // A refresh keeps the subject, so the connection's bucket stays its user's.
      String subject = authorizer.principalId();
      shared = () -> userBuckets.tryTake(subject);
      sharedMessage =
          "rate limited: one user may send "
              + settings.userRatePerSecond()
              + " messages per second to this gateway across their connections (bursts of "
              + settings.userBurst()
              + "); wait retryAfterMs before sending again";
    } else {
      int keyRate = settings.apiKeyRatePerSecond();
      shared =
          MessageRateLimiter.SharedBucket.of(
              keyBuckets.computeIfAbsent(
                  apiKeyName, name -> new TokenBucket(keyRate, settings.apiKeyBurst(), nanoTime)));
      sharedMessage =
          "rate limited: the API key '"
              + apiKeyName
              + "' may send "
              + keyRate
              + " messages per second to this gateway across its connections; wait retryAfterMs"
              + " before sending again";
    }
    return new MessageRateLimiter(
        new TokenBucket(rate, burst, nanoTime),
        shared,
        new TokenBucket(rate, settings.floodTolerance(), nanoTime),
        "rate limited: a connection may send "
            + rate
            + " messages per second (bursts of "
            + burst
            + "); wait retryAfterMs before sending again",
        sharedMessage);
  }

  /** Actions in flight on this node (accepted, not yet acknowledged or failed by Kafka). */
  public int inFlight() {
    return inFlight.inFlight();
  }

  public String gatewayId() {
    return settings.gatewayId();
  }

  /**
   * This run of the gateway: new at every start, stamped on every record, so the processor can tell
   * the members of a crashed run from those of the restarted one under the same gatewayId.
   */
  public String gatewayInstance() {
    return gatewayInstance;
  }

  public GatewayMetrics metrics() {
    return metrics;
  }

  /** The route integrations: which other action names are accepted, and where they go. */
  public Routes routes() {
    return routes;
  }

  public WalAppender wal() {
    return wal;
  }

  public Clock clock() {
    return clock;
  }

  public String newRequestId() {
    return ids.get();
  }

  /** Nanoseconds since the epoch; good until the year 2262. */
  private static long epochNanos(Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }
}
