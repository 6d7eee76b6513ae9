package dev.roomlog.protocol.action;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What a connection asked for, as it stands in the write-ahead log. The JSON field
 * {@code action} names the variant; the other fields are the client's own, after validation by
 * {@link ActionParser}. {@code $connect} and {@code $disconnect} are written by the gateway
 * itself, never by a client.
 *
 * <p>{@code requestId} is the client's correlation id (optional, echoed in the one terminal
 * answer). It is not the gateway's request id, which lives in {@link RequestContext}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "action")
@JsonSubTypes({
  @JsonSubTypes.Type(value = Action.CreateRoom.class, name = ActionNames.CREATE_ROOM),
  @JsonSubTypes.Type(value = Action.JoinRoom.class, name = ActionNames.JOIN_ROOM),
  @JsonSubTypes.Type(value = Action.SendMessage.class, name = ActionNames.SEND_MESSAGE),
  @JsonSubTypes.Type(value = Action.LeaveRoom.class, name = ActionNames.LEAVE_ROOM),
  @JsonSubTypes.Type(value = Action.Connect.class, name = ActionNames.CONNECT),
  @JsonSubTypes.Type(value = Action.Disconnect.class, name = ActionNames.DISCONNECT),
})
public sealed interface Action {

  /** The client's correlation id, or null when the client sent none. */
  default String requestId() {
    return null;
  }

  /** Creates a room and makes the creator its first member. {@code roomId} is optional. */
  record CreateRoom(String requestId, String username, String roomId) implements Action {
    public CreateRoom {
      Fields.require("username", username);
    }
  }

  record JoinRoom(String requestId, String roomId, String username) implements Action {
    public JoinRoom {
      Fields.require("roomId", roomId);
      Fields.require("username", username);
    }
  }

  /** {@code clientMsgId} is optional: the client's own id for the message. */
  record SendMessage(String requestId, String roomId, String text, String clientMsgId)
      implements Action {
    public SendMessage {
      Fields.require("roomId", roomId);
      Fields.require("text", text);
    }
  }

  record LeaveRoom(String requestId, String roomId) implements Action {
    public LeaveRoom {
      Fields.require("roomId", roomId);
    }
  }

  /** Written by the gateway when a WebSocket handshake completes. */
  record Connect() implements Action {}

  /** Written by the gateway when a connection closes, for whatever reason. */
  record Disconnect() implements Action {}
}
