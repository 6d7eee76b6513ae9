package dev.roomlog.protocol.action;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Objects;

/**
 * What a connection asked for, as it stands in the write-ahead log. The JSON field {@code action}
 * names the variant; the other fields are the client's own, after validation by {@link
 * ActionParser}. {@code $connect} and {@code $disconnect} are written by the gateway itself, never
 * by a client.
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
  @JsonSubTypes.Type(value = Action.Resume.class, name = ActionNames.RESUME),
  @JsonSubTypes.Type(value = Action.ListMembers.class, name = ActionNames.MEMBERS),
  @JsonSubTypes.Type(value = Action.Invite.class, name = ActionNames.INVITE),
  @JsonSubTypes.Type(value = Action.Connect.class, name = ActionNames.CONNECT),
  @JsonSubTypes.Type(value = Action.Disconnect.class, name = ActionNames.DISCONNECT),
  @JsonSubTypes.Type(value = Action.Heartbeat.class, name = ActionNames.HEARTBEAT),
  @JsonSubTypes.Type(value = Action.PostMessage.class, name = ActionNames.POST_MESSAGE),
  @JsonSubTypes.Type(value = Action.Moderate.class, name = ActionNames.MODERATE),
  @JsonSubTypes.Type(value = Action.Routed.class, name = ActionNames.ROUTED),
})
public sealed interface Action {

  /** The client's correlation id, or null when the client sent none. */
  default String requestId() {
    return null;
  }

  /**
   * An action addressed to one room. Its WAL record is keyed by {@link #roomId()}, so every action
   * on a room lands on one partition and the room's order is the log's order.
   */
  sealed interface RoomAction extends Action {
    String roomId();

    /**
     * The client's id for this action, for idempotent retries; null when it sent none. {@link
     * Resume} changes nothing and takes none.
     */
    default String clientMsgId() {
      return null;
    }
  }

  /**
   * Creates a room and makes the creator its first member. The client may leave out {@code roomId};
   * the gateway then fills one in before the action is written (see {@link RoomIds}), so that every
   * createRoom in the log names its room.
   *
   * @param privateRoom {@code "private": true} makes a room only its creator, the users it invites
   *     and tokens that grant it by name may join; null or false for a room anyone may join
   */
  record CreateRoom(
      String requestId,
      String username,
      String roomId,
      String clientMsgId,
      @JsonProperty("private") Boolean privateRoom)
      implements RoomAction {
    public CreateRoom {
      Fields.require("username", username);
    }

    /** A room anyone may join. */
    public CreateRoom(String requestId, String username, String roomId, String clientMsgId) {
      this(requestId, username, roomId, clientMsgId, null);
    }

    public CreateRoom withRoomId(String value) {
      return new CreateRoom(requestId, username, value, clientMsgId, privateRoom);
    }

    public boolean isPrivate() {
      return Boolean.TRUE.equals(privateRoom);
    }
  }

  /**
   * Joins a room. With {@code afterSeq}, the answer carries every event after that seq instead of
   * the recent messages: how a client that reconnects catches up without a gap.
   */
  record JoinRoom(
      String requestId, String roomId, String username, Long afterSeq, String clientMsgId)
      implements RoomAction {
    public JoinRoom {
      Fields.require("roomId", roomId);
      Fields.require("username", username);
      Fields.requireNotNegative("afterSeq", afterSeq);
    }
  }

  /** {@code clientMsgId} is optional: the client's own id for the message. */
  record SendMessage(String requestId, String roomId, String text, String clientMsgId)
      implements RoomAction {
    public SendMessage {
      Fields.require("roomId", roomId);
      Fields.require("text", text);
    }
  }

  record LeaveRoom(String requestId, String roomId, String clientMsgId) implements RoomAction {
    public LeaveRoom {
      Fields.require("roomId", roomId);
    }
  }

  /**
   * A message the server posts into a room ({@code POST /rooms/{roomId}/messages} on a gateway's
   * management port). Only a gateway writes it, never on a client's behalf: the poster needs no
   * membership, and the message's {@code connectionId} is {@link #SERVER_CONNECTION_ID}. {@code
   * username} is the name members see as its sender.
   */
  record PostMessage(
      String requestId, String roomId, String text, String username, String clientMsgId)
      implements RoomAction {
    /** The connectionId of every message the server posted: no client connection has it. */
    public static final String SERVER_CONNECTION_ID = "$server";

    public PostMessage {
      Fields.require("roomId", roomId);
      Fields.require("text", text);
      Fields.require("username", username);
    }
  }

  /**
   * Removes a user from a room, optionally banning them for a while ({@code POST
   * /rooms/{roomId}/kick} on a gateway's management port). Only a gateway writes it, never on a
   * client's behalf. {@code user} is matched against each member's user: its token's subject on a
   * token connection, else its username. The ban's end is the record's {@code requestTimeEpoch}
   * plus {@code banForMs}, so a replay bans until the same instant.
   *
   * @param reason the moderator's words, shown to the members; may be null
   * @param banForMs how long the user may not join again, in millis; null for no ban
   */
  record Moderate(String requestId, String roomId, String user, String reason, Long banForMs)
      implements RoomAction {
    /** The longest ban: a year. */
    public static final long MAX_BAN_MS = 365L * 24 * 60 * 60 * 1000;

    public Moderate {
      Fields.require("roomId", roomId);
      Fields.require("user", user);
      if (banForMs != null && (banForMs < 1 || banForMs > MAX_BAN_MS)) {
        throw new IllegalArgumentException(
            "banForMs must be from 1 to " + MAX_BAN_MS + " (365 days), was " + banForMs);
      }
    }
  }

  /**
   * Lets {@code user} (a token's subject, or a username for API-key clients) join a private room.
   * Only a member who may invite sends it: the room's creator, or a token that grants the room by
   * name (the application's backend said so).
   */
  record Invite(String requestId, String roomId, String user) implements RoomAction {
    public Invite {
      Fields.require("roomId", roomId);
      Fields.require("user", user);
    }
  }

  /** Asks a room for every event after {@code afterSeq}; the connection must be a member. */
  record Resume(String requestId, String roomId, long afterSeq) implements RoomAction {
    public Resume {
      Fields.require("roomId", roomId);
      Fields.requireNotNegative("afterSeq", afterSeq);
    }
  }

  /**
   * Asks for up to {@code limit} of a room's members whose join came after the member with join seq
   * {@code after} (null: from the first), in join order; the connection must be a member. Like
   * {@link Resume} it changes nothing and is no room event, but it goes through the log like every
   * action, so that it is answered in the room's order (a page reflects every event before it).
   */
  record ListMembers(String requestId, String roomId, Long after, int limit) implements RoomAction {
    public ListMembers {
      Fields.require("roomId", roomId);
      Fields.requireNotNegative("after", after);
      if (limit < 1 || limit > Limits.MAX_MEMBERS_PAGE) {
        throw new IllegalArgumentException(
            "limit must be from 1 to " + Limits.MAX_MEMBERS_PAGE + ", was " + limit);
      }
    }
  }

  /** Written by the gateway when a WebSocket handshake completes. */
  record Connect() implements Action {}

  /**
   * A client's action that is none of Roomlog's own but has a route to a backend (a custom route of
   * that name, or {@code $default}; see {@link dev.roomlog.protocol.integration.Routes}). The log
   * keeps it like every action, keyed by its connection; the room processor ignores it, and the
   * integrations worker POSTs it to the route's backend as an API Gateway event. Its {@code
   * requestContext.routeKey} is the route it matched.
   *
   * @param requestId the client's correlation id (its frame's {@code requestId}), for the answers
   *     the gateway itself may give (429, 503)
   * @param route the route it matched: the action's own name, or {@code $default}
   * @param body the frame exactly as the client sent it (the event's {@code body})
   */
  record Routed(String requestId, String route, String body) implements Action {
    public Routed {
      Fields.require("route", route);
      Objects.requireNonNull(body, "body");
    }
  }

  /**
   * Written by the gateway when a connection closes, for whatever reason: once to every partition
   * of the log, so that each partition's rooms hear of it.
   */
  record Disconnect() implements Action {}

  /**
   * Written by each gateway to every partition of the log every heartbeat interval: tells the
   * processor that the gateway (instance) is alive, and moves each partition's clock. A gateway
   * whose heartbeats stop loses its members.
   */
  record Heartbeat() implements Action {}
}
