package dev.roomlog.gateway;

import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.ActionNames;
import dev.roomlog.protocol.action.ActionParser;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.action.RequestContext.EventType;
import dev.roomlog.protocol.action.RequestContext.Identity;
import dev.roomlog.protocol.frame.ErrorCode;
import dev.roomlog.protocol.frame.ServerFrame;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open WebSocket connection as the log sees it. Plain Java, no Netty.
 *
 * <p>Threading: {@link #onText}, {@link #onBinary} and {@link #close} are called from the
 * connection's event loop only. Failure answers are sent through {@code replies} from appender
 * threads.
 */
final class Connection {
  private static final Logger log = LoggerFactory.getLogger(Connection.class);

  static final String OVERLOADED_MESSAGE =
      "the gateway is overloaded: the action was not recorded, retry later";
  static final String LOG_UNAVAILABLE_MESSAGE =
      "the log is unavailable: the action was not recorded, retry later";
  static final String BINARY_MESSAGE =
      "binary frames are not supported: send each action as a JSON text frame";

  private final ActionIntake intake;
  private final String id;
  private final long connectedAt;
  private final Identity identity;
  private final Consumer<ServerFrame> replies;
  private boolean closed;

  Connection(
      ActionIntake intake,
      String id,
      long connectedAt,
      Identity identity,
      Consumer<ServerFrame> replies) {
    this.intake = intake;
    this.id = id;
    this.connectedAt = connectedAt;
    this.identity = identity;
    this.replies = replies;
  }

  String id() {
    return id;
  }

  /** The first frame the client gets: the id the gateway gave it. */
  ServerFrame.Connected connectedFrame() {
    return new ServerFrame.Connected(id);
  }

  /**
   * Parses one text message. A rejected one is answered with its error frame; an accepted one
   * is appended to the log, or answered 503 overloaded when the log's queue is full.
   */
  void onText(String text) {
    long receivedAt = intake.clock().millis();
    ActionParser.Result result = ActionParser.parse(text);
    if (result instanceof ActionParser.Result.Rejected rejected) {
      replies.accept(rejected.error());
      return;
    }
    Action action = ((ActionParser.Result.Accepted) result).action();
    String requestId = action.requestId();
    WalRecord record =
        new WalRecord(
            action, context(ActionIntake.routeKey(action), EventType.MESSAGE, receivedAt));
    boolean accepted =
        intake
            .wal()
            .append(
                record,
                cause -> {
                  log.warn(
                      "connection {}: an action could not be written to the log: {}",
                      id,
                      cause.toString());
                  replies.accept(ErrorCode.LOG_UNAVAILABLE.frame(LOG_UNAVAILABLE_MESSAGE, requestId));
                });
    if (!accepted) {
      replies.accept(ErrorCode.OVERLOADED.frame(OVERLOADED_MESSAGE, requestId));
    }
  }

  /** Binary frames carry no action; the client is told so and the connection stays open. */
  void onBinary() {
    replies.accept(ErrorCode.INVALID_FIELD.frame(BINARY_MESSAGE, null));
  }

  /** Appends this connection's one {@code $disconnect}; later calls do nothing. */
  void close() {
    if (closed) {
      return;
    }
    closed = true;
    RequestContext context =
        context(
            ActionNames.DISCONNECT, EventType.DISCONNECT, intake.clock().millis());
    boolean accepted =
        intake
            .wal()
            .append(
                new WalRecord(new Action.Disconnect(), context),
                cause ->
                    log.error(
                        "the $disconnect of connection {} could not be written to the log;"
                            + " its rooms keep a ghost member",
                        id,
                        cause));
    if (!accepted) {
      log.error(
          "the WAL queue is full or closed: the $disconnect of connection {} was NOT written;"
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
        intake.gatewayId());
  }
}
