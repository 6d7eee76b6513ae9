package dev.roomlog.gateway.connection;

import dev.roomlog.gateway.auth.TokenRights;
import dev.roomlog.gateway.limits.AnswerBudget;
import dev.roomlog.gateway.limits.InFlightLimiter;
import dev.roomlog.gateway.limits.MessageRateLimiter;
import dev.roomlog.gateway.limits.UnansweredActions;
import dev.roomlog.gateway.metrics.GatewayMetrics;
import dev.roomlog.gateway.wal.WalAppender;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.ActionNames;
import dev.roomlog.protocol.action.ActionParser;
import dev.roomlog.protocol.action.Authorizer;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.action.RequestContext.EventType;
import dev.roomlog.protocol.action.RequestContext.Identity;
import dev.roomlog.protocol.action.RoomIds;
import dev.roomlog.protocol.control.ConnectionInfo;
import dev.roomlog.protocol.frame.ErrorCode;
import dev.roomlog.protocol.frame.ServerFrame;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open WebSocket connection as the log sees it. Plain Java, no Netty.
 *
 * <p>Each data message goes through, in order: the connection's own rate limit ({@link
 * MessageRateLimiter#onMessage}: 429, or a verdict to close the connection), parsing and validation
 * (400/413), on a token connection its token's rights ({@link TokenRights}: 403), for a request
 * that replays history its answers' budget ({@link AnswerBudget}: 429 while in debt), its API key's
 * shared rate limit ({@link MessageRateLimiter#onAction}: 429), whether the log's writer can take
 * it in time ({@link WalAppender#acceptingActions()}: 503 overloaded), the bound on its unanswered
 * actions ({@link UnansweredActions}: 503 overloaded), the in-flight bound ({@link
 * InFlightLimiter}: 503 overloaded), and then the log. An accepted action holds its in-flight
 * permit until Kafka acknowledges or fails it, and counts as unanswered until the processor's
 * answer is delivered ({@link #answered}) or the log fails it. A {@code refresh} leaves after
 * parsing, for {@code refreshes} ({@link TokenExpiryHandler}), which may {@link #reauthorize} the
 * connection.
 *
 * <p>What it costs the log: nothing while it only connects, reads, or sends frames that never reach
 * the log. Its {@code $connect} (with the time it connected) is appended just before its first
 * action that is, so it precedes that action in the writer's order. Its {@code $disconnect} is
 * appended only if it may be a member of some room, i.e. once the log has accepted one of its
 * {@code createRoom} or {@code joinRoom} actions: the processor has nothing to remove for any other
 * connection. With a {@code $disconnect} route configured it is appended at every close, for the
 * integrations worker to tell the route. A routed action ({@link Action.Routed}) takes an in-flight
 * permit like any action but is never counted as unanswered: the processor does not answer it. That
 * is decided when the appender accepts the action, not when Kafka acknowledges it, so an action
 * still in flight when the socket closes, or one failed with logUnavailable that may yet be in the
 * log, gets its {@code $disconnect} too, after it on its partition (the appender keeps the order in
 * which it accepted records).
 *
 * <p>Threading: {@link #onText}, {@link #onBinary} and {@link #close} are called from the
 * connection's event loop only. Failure answers are sent through {@code replies} from appender
 * threads.
 *
 * <p>Over 400 lines because it is one message's way from the socket to the log: each step above
 * refuses with its own answer and metric, in an order that decides whose budget a refusal spends,
 * and the {@code $connect}/{@code $disconnect} bracketing depends on what that way accepted. Split,
 * that order would no longer be read in one place (the lifecycle records are the seam to cut if it
 * grows).
 */
public final class Connection {
  private static final Logger log = LoggerFactory.getLogger(Connection.class);

  static final String OVERLOADED_MESSAGE =
      "the gateway is overloaded (too many actions of this connection or this gateway are"
          + " waiting for the log): the action was not recorded, retry after retryAfterMs";
  static final String UNANSWERED_MESSAGE =
      "the gateway is overloaded (too many actions of this connection are waiting for the room"
          + " processor's answer): the action was not recorded, retry after retryAfterMs";
  static final String WRITER_BEHIND_MESSAGE =
      "the gateway is overloaded (its writer to the log is too far behind to take the action in"
          + " time): the action was not recorded, retry after retryAfterMs";
  static final String CLOSED_MESSAGE =
      "the gateway is shutting down: the action was not recorded, retry on a new connection";
  static final String LOG_UNAVAILABLE_MESSAGE =
      "the log did not confirm the action in time (Kafka unavailable or slow): it MAY still"
          + " have been recorded; retry with the same clientMsgId so that it is not recorded"
          + " twice";
  static final String BINARY_MESSAGE =
      "binary frames are not supported: send each action as a JSON text frame";

  /** The retry hint of a 503: Kafka trouble is not over in milliseconds. */
  public static final long RETRY_AFTER_503_MS = 1_000;

  /** What the frame handler should do with the connection after a message. */
  enum Verdict {
    KEEP_OPEN,
    /** It kept sending past its rate limit: close it with 1008 (policy violation). */
    CLOSE_FOR_FLOODING
  }

  private final ActionIntake intake;
  private final String id;
  private final long connectedAt;
  private final Identity identity;

  /** Who it speaks for; replaced by a refreshed token that only widened its rights. */
  private Authorizer authorizer;

  private final InFlightLimiter.ConnectionPermits permits;
  private final UnansweredActions unanswered;
  private final MessageRateLimiter rateLimit;
  private final Consumer<ServerFrame> replies;
  private final Consumer<ActionParser.Result.Refresh> refreshes;
  private final AnswerBudget answers;
  private final String answersMessage;
  private boolean closed;

  /** Whether its {@code $connect} was appended (event loop only). */
  private boolean connectAppended;

  /**
   * Whether the log accepted one of its actions that can make it a member of a room, so that its
   * close must be told to every partition (event loop only).
   */
  private boolean mayBeMember;

  /** Epoch millis of the client's last message; read by the management API's GET. */
  private volatile long lastActiveAt;

  Connection(
      ActionIntake intake,
      String id,
      long connectedAt,
      Identity identity,
      Authorizer authorizer,
      InFlightLimiter.ConnectionPermits permits,
      UnansweredActions unanswered,
      MessageRateLimiter rateLimit,
      AnswerBudget answers,
      String answersMessage,
      Consumer<ServerFrame> replies,
      Consumer<ActionParser.Result.Refresh> refreshes) {
    this.intake = intake;
    this.id = id;
    this.connectedAt = connectedAt;
    this.identity = identity;
    this.authorizer = authorizer;
    this.permits = permits;
    this.unanswered = unanswered;
    this.rateLimit = rateLimit;
    this.replies = replies;
    this.refreshes = refreshes;
    this.answers = answers;
    this.answersMessage = answersMessage;
    this.lastActiveAt = connectedAt;
  }

  /**
   * What the management API's {@code GET /@connections/{id}} tells about this connection.
   * Thread-safe.
   */
  public ConnectionInfo info(String userAgent, String apiKeyName) {
    return new ConnectionInfo(
        id,
        connectedAt,
        lastActiveAt,
        new ConnectionInfo.Identity(identity.sourceIp(), userAgent, apiKeyName));
  }

  String id() {
    return id;
  }

  /** The first frame the client gets: the id the gateway gave it. */
  ServerFrame.Connected connectedFrame() {
    return new ServerFrame.Connected(id);
  }

  /** Actions of this connection waiting for Kafka. */
  int inFlight() {
    return permits.inFlight();
  }

  /**
   * Handles one text message: refused by a rate limit or the answers' budget (429), rejected by the
   * parser (its error frame), refused by the writer's backlog, the unanswered or the in-flight
   * bound (503 overloaded, not written), or appended to the log. An appended action gets no reply
   * here; if the log fails it, 503 logUnavailable.
   */
  Verdict onText(String text) {
    long receivedAt = intake.clock().millis();
    lastActiveAt = receivedAt;
    MessageRateLimiter.Decision own = rateLimit.onMessage();
    if (own instanceof MessageRateLimiter.Decision.Close) {
      counted(GatewayMetrics.UNKNOWN_TYPE, GatewayMetrics.FLOODING);
      return Verdict.CLOSE_FOR_FLOODING;
    }
    if (own instanceof MessageRateLimiter.Decision.Refuse refuse) {
      counted(GatewayMetrics.UNKNOWN_TYPE, ErrorCode.RATE_LIMITED.code());
      replies.accept(
          ErrorCode.RATE_LIMITED.frame(
              refuse.message(), ActionParser.peekRequestId(text), refuse.retryAfterMs()));
      return Verdict.KEEP_OPEN;
    }
    ActionParser.Result result =
        ActionParser.parse(
            text, authorizer.tokenBased() ? authorizer.name() : null, intake.routes());
    if (result instanceof ActionParser.Result.Rejected rejected) {
      // Refused before the key's bucket: a connection's invalid frames cost only its own budget.
      counted(GatewayMetrics.UNKNOWN_TYPE, rejected.error().code());
      replies.accept(rejected.error());
      return Verdict.KEEP_OPEN;
    }
    if (result instanceof ActionParser.Result.Refresh refresh) {
      refreshes.accept(refresh); // never for the log: TokenExpiryHandler checks and answers it
      return Verdict.KEEP_OPEN;
    }
    Action action = ((ActionParser.Result.Accepted) result).action();
    Optional<ServerFrame.ErrorFrame> notAllowed = TokenRights.refusal(authorizer, action);
    if (notAllowed.isPresent()) {
      // Refused before the key's bucket, like an invalid frame: nothing is written.
      counted(ActionNames.of(action), notAllowed.get().code());
      replies.accept(notAllowed.get());
      return Verdict.KEEP_OPEN;
    }
    long debtMs = replaysHistory(action) ? answers.millisUntilOutOfDebt() : 0;
    // Before the key's bucket: this connection's own debt spends nobody else's budget.
    MessageRateLimiter.Decision shared =
        debtMs > 0 ? rateLimit.refuse(answersMessage, debtMs) : rateLimit.onAction();
    String type = ActionNames.of(action);
    if (shared instanceof MessageRateLimiter.Decision.Close) {
      counted(type, GatewayMetrics.FLOODING);
      return Verdict.CLOSE_FOR_FLOODING;
    }
    if (shared instanceof MessageRateLimiter.Decision.Refuse refuse) {
      counted(type, ErrorCode.RATE_LIMITED.code());
      replies.accept(
          ErrorCode.RATE_LIMITED.frame(
              refuse.message(), action.requestId(), refuse.retryAfterMs()));
      return Verdict.KEEP_OPEN;
    }
    append(action, receivedAt);
    return Verdict.KEEP_OPEN;
  }

  /**
   * Whether the answer to {@code action} replays a room's kept events or lists its members, and may
   * so be far larger than the request: {@code resume}, every {@code joinRoom} (with {@code
   * afterSeq} its answer carries the events since then, without it the room's recent messages) and
   * {@code members} (a page of up to 1000 members).
   */
  static boolean replaysHistory(Action action) {
    return action instanceof Action.Resume
        || action instanceof Action.JoinRoom
        || action instanceof Action.ListMembers;
  }

  /** Checks and stamps its later actions with a refreshed token's rights. Event loop only. */
  void reauthorize(Authorizer renewed) {
    authorizer = renewed;
  }

  /**
   * The processor's answer to one of this connection's actions was delivered: that action no longer
   * counts as unanswered, and {@code bytes} (0 for an answer no larger than its request) are
   * charged to its answers' budget. Thread-safe: called on the delivery consumer's thread.
   */
  void answered(long bytes) {
    unanswered.answered();
    answers.charge(bytes);
  }

  /**
   * Binary frames carry no action; the client is told so and the connection stays open. They count
   * against the connection's own rate limit like any message, not against its key's.
   */
  Verdict onBinary() {
    lastActiveAt = intake.clock().millis();
    MessageRateLimiter.Decision decision = rateLimit.onMessage();
    if (decision instanceof MessageRateLimiter.Decision.Close) {
      counted(GatewayMetrics.UNKNOWN_TYPE, GatewayMetrics.FLOODING);
      return Verdict.CLOSE_FOR_FLOODING;
    }
    if (decision instanceof MessageRateLimiter.Decision.Refuse refuse) {
      counted(GatewayMetrics.UNKNOWN_TYPE, ErrorCode.RATE_LIMITED.code());
      replies.accept(ErrorCode.RATE_LIMITED.frame(refuse.message(), null, refuse.retryAfterMs()));
      return Verdict.KEEP_OPEN;
    }
    counted(GatewayMetrics.UNKNOWN_TYPE, ErrorCode.INVALID_FIELD.code());
    replies.accept(ErrorCode.INVALID_FIELD.frame(BINARY_MESSAGE, null));
    return Verdict.KEEP_OPEN;
  }

  private void append(Action action, long receivedAt) {
    String requestId = action.requestId();
    String type = ActionNames.of(action);
    // A routed action has no answer from the processor (a two-way route's is the worker's, and
    // may never come): it must not hold a place among the unanswered.
    boolean answerable = !(action instanceof Action.Routed);
    if (!intake.wal().acceptingActions()) {
      // First: it spends none of the connection's budgets, and the action (and a first
      // action's $connect) would only wait for the writer and then fail as logUnavailable.
      counted(type, ErrorCode.OVERLOADED.code());
      replies.accept(
          ErrorCode.OVERLOADED.frame(WRITER_BEHIND_MESSAGE, requestId, RETRY_AFTER_503_MS));
      return;
    }
    if (answerable && !unanswered.tryAdd()) {
      counted(type, ErrorCode.OVERLOADED.code());
      replies.accept(ErrorCode.OVERLOADED.frame(UNANSWERED_MESSAGE, requestId, RETRY_AFTER_503_MS));
      return;
    }
    InFlightLimiter.Permit permit = permits.tryAcquire();
    if (permit == null) {
      withdraw(answerable);
      counted(type, ErrorCode.OVERLOADED.code());
      replies.accept(ErrorCode.OVERLOADED.frame(OVERLOADED_MESSAGE, requestId, RETRY_AFTER_503_MS));
      return;
    }
    if (!appendConnect()) {
      permit.release();
      withdraw(answerable);
      counted(type, GatewayMetrics.SHUTTING_DOWN);
      replies.accept(ErrorCode.OVERLOADED.frame(CLOSED_MESSAGE, requestId, RETRY_AFTER_503_MS));
      return;
    }
    RequestContext context =
        context(
            action instanceof Action.Routed routed ? routed.route() : type,
            EventType.MESSAGE,
            receivedAt);
    if (action instanceof Action.CreateRoom create && create.roomId() == null) {
      // The log names every room: the processor reads it by room, so the id is decided here.
      action = create.withRoomId(RoomIds.forCreate(create, context.requestId()));
    }
    WalRecord record = new WalRecord(action, context);
    boolean accepted =
        intake
            .wal()
            .append(
                record,
                new WalAppender.Callback() {
                  @Override
                  public void onAcknowledged() {
                    permit.release();
                    counted(type, GatewayMetrics.APPENDED);
                  }

                  @Override
                  public void onFailure(Exception cause) {
                    permit.release();
                    // Told logUnavailable, the client retries: should the action have landed
                    // all the same, its answer ends a younger one (UnansweredActions' policy).
                    withdraw(answerable);
                    counted(type, ErrorCode.LOG_UNAVAILABLE.code());
                    log.warn(
                        "connection {}: an action was not acknowledged by the log: {}",
                        id,
                        cause.toString());
                    replies.accept(
                        ErrorCode.LOG_UNAVAILABLE.frame(
                            LOG_UNAVAILABLE_MESSAGE, requestId, RETRY_AFTER_503_MS));
                  }
                });
    if (!accepted) {
      permit.release();
      withdraw(answerable);
      counted(type, GatewayMetrics.SHUTTING_DOWN);
      replies.accept(ErrorCode.OVERLOADED.frame(CLOSED_MESSAGE, requestId, RETRY_AFTER_503_MS));
      return;
    }
    if (mayMakeMember(action)) {
      // Set once accepted, never cleared: even a failed (logUnavailable) join may be in the log.
      mayBeMember = true;
    }
  }

  private void withdraw(boolean answerable) {
    if (answerable) {
      unanswered.withdraw();
    }
  }

  /** The actions whose success makes the connection a member of a room. */
  private static boolean mayMakeMember(Action action) {
    return action instanceof Action.CreateRoom || action instanceof Action.JoinRoom;
  }

  /**
   * Appends this connection's {@code $connect} the first time one of its actions goes to the log,
   * stamped with the time it connected. Like {@code $disconnect} it takes no in-flight permit.
   * Returns false only if the appender is closed.
   */
  private boolean appendConnect() {
    if (connectAppended) {
      return true;
    }
    connectAppended =
        appendLifecycle(
            new Action.Connect(),
            context(ActionNames.CONNECT, EventType.CONNECT, connectedAt),
            "the $connect of connection {} could not be written to the log");
    return connectAppended;
  }

  /**
   * Appends a {@code $connect} or {@code $disconnect}: nobody waits for its answer, so a failure is
   * only logged ({@code failure} names the connection with its one placeholder).
   */
  private boolean appendLifecycle(Action action, RequestContext context, String failure) {
    return intake
        .wal()
        .append(
            new WalRecord(action, context),
            new WalAppender.Callback() {
              @Override
              public void onAcknowledged() {}

              @Override
              public void onFailure(Exception cause) {
                log.error(failure, id, cause);
              }
            });
  }

  private void counted(String type, String outcome) {
    intake.metrics().action(type, outcome);
  }

  /**
   * Appends this connection's one {@code $disconnect} if it may be a member of a room (see the
   * class comment); later calls do nothing. It takes no in-flight permit and the appender has room
   * for it whatever the load, so it is refused only if the appender is already closed (a shutdown
   * in the wrong order).
   */
  void close() {
    if (closed) {
      return;
    }
    closed = true;
    boolean routed = intake.routes().get(ActionNames.DISCONNECT).isPresent();
    if (!mayBeMember && !routed) {
      // In no room and no $disconnect route to tell: nobody reads it, and the log is kept forever.
      return;
    }
    boolean accepted =
        appendLifecycle(
            new Action.Disconnect(),
            context(ActionNames.DISCONNECT, EventType.DISCONNECT, intake.clock().millis()),
            "the $disconnect of connection {} could not be written to the log;"
                + " its rooms keep a ghost member");
    if (!accepted) {
      log.error(
          "the WAL appender is closed: the $disconnect of connection {} was NOT written;"
              + " its rooms keep a ghost member",
          id);
    }
  }

  RequestContext context(String routeKey, EventType eventType, long requestTime) {
    return new RequestContext(
        routeKey,
        eventType,
        id,
        connectedAt,
        requestTime,
        intake.newRequestId(),
        identity,
        intake.gatewayId(),
        intake.gatewayInstance(),
        authorizer);
  }
}
