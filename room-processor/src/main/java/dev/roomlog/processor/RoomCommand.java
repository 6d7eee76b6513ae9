package dev.roomlog.processor;

import dev.roomlog.protocol.JsonSerde;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.RequestContext;
import java.util.Objects;

/**
 * What stage 1 (by connection) hands to stage 2 (by room) through the {@code room-commands}
 * repartition topic: a room action with its resolved room id.
 *
 * @param roomId the room, resolved by stage 1 (createRoom without a roomId gets a derived one)
 * @param action createRoom, joinRoom, sendMessage or leaveRoom, as the client sent it
 * @param requestContext the gateway's context of the WAL record that caused the command
 * @param disconnectLeave true for the leave that stage 1 synthesises when a connection closes;
 *     it is silent (no reply, no error) because nobody is left to answer
 */
record RoomCommand(
    String roomId, Action action, RequestContext requestContext, boolean disconnectLeave) {

  static final JsonSerde<RoomCommand> SERDE = JsonSerde.of(RoomCommand.class);

  RoomCommand {
    Objects.requireNonNull(roomId, "roomId");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(requestContext, "requestContext");
    if (action instanceof Action.Connect || action instanceof Action.Disconnect) {
      throw new IllegalArgumentException(
          "connection lifecycle actions stay in stage 1, got " + action);
    }
    if (disconnectLeave && !(action instanceof Action.LeaveRoom)) {
      throw new IllegalArgumentException("a disconnect-leave must carry a leaveRoom, got " + action);
    }
  }

  static RoomCommand of(String roomId, Action action, RequestContext context) {
    return new RoomCommand(roomId, action, context, false);
  }

  static RoomCommand disconnectLeave(String roomId, RequestContext disconnectContext) {
    return new RoomCommand(roomId, new Action.LeaveRoom(null, roomId), disconnectContext, true);
  }
}
