package dev.roomlog.protocol.event;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * One entry of a room's history ({@code roomlog.room-events}, key = roomId). Every event of a room
 * has the next {@code seq} of that room, starting at 1, with no gap: replaying a room's events in
 * seq order rebuilds the room. {@code at} is the epoch millis at which the gateway received the
 * action that caused the event.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = RoomEvent.RoomCreated.class, name = "roomCreated"),
  @JsonSubTypes.Type(value = RoomEvent.MemberJoined.class, name = "memberJoined"),
  @JsonSubTypes.Type(value = RoomEvent.MemberLeft.class, name = "memberLeft"),
  @JsonSubTypes.Type(value = RoomEvent.MessagePosted.class, name = "messagePosted"),
  @JsonSubTypes.Type(value = RoomEvent.UserBanned.class, name = "userBanned"),
  @JsonSubTypes.Type(value = RoomEvent.UserInvited.class, name = "userInvited"),
})
public sealed interface RoomEvent {
  String roomId();

  long seq();

  long at();

  /**
   * {@code createdBy} is the creator's username. A private room ({@code "private": true}) also
   * names its {@code owner}, the creator's user (its token's subject, else its username), who may
   * invite; both are null for a room anyone may join (and in events written before private rooms).
   */
  record RoomCreated(
      String roomId,
      long seq,
      long at,
      String createdBy,
      @JsonProperty("private") Boolean privateRoom,
      String owner)
      implements RoomEvent {
    /** A room anyone may join. */
    public RoomCreated(String roomId, long seq, long at, String createdBy) {
      this(roomId, seq, at, createdBy, null, null);
    }

    public boolean isPrivate() {
      return Boolean.TRUE.equals(privateRoom);
    }
  }

  /**
   * {@code gatewayId} says which gateway node holds the member's connection, and {@code
   * gatewayInstance} which run of it (null in events written before it existed). {@code subject} is
   * the token's subject on a token connection, what a kick names; null otherwise (and in events
   * written before it existed), when the member's user is its username.
   */
  record MemberJoined(
      String roomId,
      long seq,
      long at,
      String connectionId,
      String username,
      String gatewayId,
      String gatewayInstance,
      String subject)
      implements RoomEvent {
    /** A member without a token subject: its user is its username. */
    public MemberJoined(
        String roomId,
        long seq,
        long at,
        String connectionId,
        String username,
        String gatewayId,
        String gatewayInstance) {
      this(roomId, seq, at, connectionId, username, gatewayId, gatewayInstance, null);
    }
  }

  /**
   * {@code reason} is {@link #LEFT} (the member asked), {@link #DISCONNECTED} (its connection
   * closed), {@link #GATEWAY_LOST} (its gateway stopped sending heartbeats, or restarted) or {@link
   * #KICKED} (removed through the management API; {@code note} is the moderator's reason, or null).
   * {@code memberCount} is the room's members after the leave, so a reader that did not see the
   * room from its creation (a webhook worker that started later) knows when it empties; null in
   * events written before it was stamped.
   */
  record MemberLeft(
      String roomId,
      long seq,
      long at,
      String connectionId,
      String username,
      String reason,
      String note,
      Integer memberCount)
      implements RoomEvent {
    public static final String LEFT = "left";
    public static final String DISCONNECTED = "disconnected";
    public static final String GATEWAY_LOST = "gatewayLost";
    public static final String KICKED = "kicked";

    /** A member leaving without a moderator's note. */
    public MemberLeft(
        String roomId, long seq, long at, String connectionId, String username, String reason) {
      this(roomId, seq, at, connectionId, username, reason, null, null);
    }

    /** Without the count: as events written before it was stamped read. */
    public MemberLeft(
        String roomId,
        long seq,
        long at,
        String connectionId,
        String username,
        String reason,
        String note) {
      this(roomId, seq, at, connectionId, username, reason, note, null);
    }

    /** The same leave, stamped with the room's member count after it. */
    public MemberLeft withMemberCount(int count) {
      return new MemberLeft(roomId, seq, at, connectionId, username, reason, note, count);
    }
  }

  /**
   * {@code user} (a token's subject or a username) may not join the room before {@code until}
   * (epoch millis): the end of a ban made through the management API. {@code reason} is the
   * moderator's, or null.
   */
  record UserBanned(String roomId, long seq, long at, String user, long until, String reason)
      implements RoomEvent {}

  /**
   * {@code user} (a token's subject or a username) may join the private room from now on; {@code
   * invitedBy} is the username of the member who invited it.
   */
  record UserInvited(String roomId, long seq, long at, String user, String invitedBy)
      implements RoomEvent {}

  record MessagePosted(
      String roomId,
      long seq,
      long at,
      String connectionId,
      String username,
      String text,
      String clientMsgId)
      implements RoomEvent {}
}
