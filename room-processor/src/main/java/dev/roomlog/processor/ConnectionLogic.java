package dev.roomlog.processor;

import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.Limits;
import dev.roomlog.protocol.action.RequestContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Stage 1, keyed by connection: keeps track of which rooms a connection asked to be in, turns
 * {@code $disconnect} into one leave per room, and resolves the room id of every command.
 * Pure: no Kafka types, no clock.
 */
final class ConnectionLogic {
  static final String DERIVED_ROOM_PREFIX = "r-";
  private static final Pattern ROOM_ID = Pattern.compile(Limits.ROOM_ID_PATTERN);

  private ConnectionLogic() {}

  /**
   * The outcome of one WAL record.
   *
   * @param state the connection's new state; null means "forget the connection"
   * @param commands what to send to the rooms, in order
   */
  record Step(ConnectionState state, List<RoomCommand> commands) {
    Step {
      commands = List.copyOf(commands);
    }
  }

  static Step handle(ConnectionState stateOrNull, WalRecord record) {
    Action action = record.action();
    RequestContext context = record.requestContext();
    // Tolerate a missing $connect (e.g. the state was lost): every record names its gateway.
    ConnectionState state =
        stateOrNull != null ? stateOrNull : new ConnectionState(context.gatewayId(), List.of());

    if (action instanceof Action.Connect) {
      return new Step(new ConnectionState(context.gatewayId(), state.rooms()), List.of());
    }
    if (action instanceof Action.Disconnect) {
      List<RoomCommand> leaves =
          state.rooms().stream().map(room -> RoomCommand.disconnectLeave(room, context)).toList();
      return new Step(null, leaves);
    }
    if (action instanceof Action.CreateRoom create) {
      String roomId = create.roomId() != null ? create.roomId() : derivedRoomId(context);
      return new Step(state.withRoom(roomId), List.of(RoomCommand.of(roomId, action, context)));
    }
    if (action instanceof Action.JoinRoom join) {
      return new Step(
          state.withRoom(join.roomId()), List.of(RoomCommand.of(join.roomId(), action, context)));
    }
    if (action instanceof Action.LeaveRoom leave) {
      return new Step(
          state.withoutRoom(leave.roomId()),
          List.of(RoomCommand.of(leave.roomId(), action, context)));
    }
    if (action instanceof Action.SendMessage send) {
      return new Step(state, List.of(RoomCommand.of(send.roomId(), action, context)));
    }
    throw new IllegalArgumentException("unhandled action type " + action.getClass().getName());
  }

  /**
   * The id of a room created without one. It must depend only on the WAL record, so that an
   * exactly-once replay after a crash creates the same room. It must also be an id a client can
   * send back (the gateway's roomId rules), so a request id that breaks those rules is hashed.
   */
  static String derivedRoomId(RequestContext context) {
    String candidate = DERIVED_ROOM_PREFIX + context.requestId();
    if (candidate.length() <= Limits.MAX_ROOM_ID_LENGTH && ROOM_ID.matcher(candidate).matches()) {
      return candidate;
    }
    return DERIVED_ROOM_PREFIX + HexFormat.of().formatHex(sha256(context.requestId()), 0, 16);
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }
}
