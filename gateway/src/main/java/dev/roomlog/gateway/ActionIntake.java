package dev.roomlog.gateway;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.ActionNames;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.action.RequestContext.EventType;
import dev.roomlog.protocol.action.RequestContext.Identity;
import dev.roomlog.protocol.frame.ServerFrame;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what happens on a connection into write-ahead-log records: {@code $connect}, each
 * accepted action, {@code $disconnect}. Plain Java, no Netty: the frame handler calls it.
 *
 * <p>The identity of every record (connectionId, gatewayId, sourceIp, times, request id) comes
 * from the gateway, never from the client. Thread-safe; one instance serves every connection.
 */
final class ActionIntake {
  private static final Logger log = LoggerFactory.getLogger(ActionIntake.class);

  /** The wire name of each action, read from the protocol's own type mapping. */
  private static final Map<Class<?>, String> ROUTE_KEYS = routeKeys();

  private final String gatewayId;
  private final WalAppender wal;
  private final Clock clock;
  private final Supplier<String> ids;

  ActionIntake(String gatewayId, WalAppender wal, Clock clock, Supplier<String> ids) {
    this.gatewayId = Objects.requireNonNull(gatewayId, "gatewayId");
    this.wal = Objects.requireNonNull(wal, "wal");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.ids = Objects.requireNonNull(ids, "ids");
  }

  /**
   * Opens a connection and appends its {@code $connect}. Returns empty, having written nothing,
   * when the log cannot take the record (the pending queue is full): the caller should then
   * refuse the connection.
   *
   * @param replies where frames for this client go (async failure answers arrive on appender
   *     threads, so it must be thread-safe)
   */
  Optional<Connection> open(String sourceIp, Consumer<ServerFrame> replies) {
    String connectionId = ids.get();
    long now = clock.millis();
    Connection connection =
        new Connection(this, connectionId, now, new Identity(sourceIp), replies);
    RequestContext context =
        connection.context(ActionNames.CONNECT, EventType.CONNECT, now);
    boolean accepted =
        wal.append(
            new WalRecord(new Action.Connect(), context),
            cause ->
                log.error(
                    "the $connect of connection {} could not be written to the log",
                    connectionId,
                    cause));
    if (!accepted) {
      log.error(
          "the WAL queue is full: refusing connection {}; its $connect was not written",
          connectionId);
      return Optional.empty();
    }
    return Optional.of(connection);
  }

  String gatewayId() {
    return gatewayId;
  }

  WalAppender wal() {
    return wal;
  }

  Clock clock() {
    return clock;
  }

  String newRequestId() {
    return ids.get();
  }

  static String routeKey(Action action) {
    String name = ROUTE_KEYS.get(action.getClass());
    if (name == null) {
      throw new IllegalArgumentException("no wire name for " + action.getClass().getName());
    }
    return name;
  }

  private static Map<Class<?>, String> routeKeys() {
    Map<Class<?>, String> names = new HashMap<>();
    for (JsonSubTypes.Type type : Action.class.getAnnotation(JsonSubTypes.class).value()) {
      names.put(type.value(), type.name());
    }
    return Map.copyOf(names);
  }
}
