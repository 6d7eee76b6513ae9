package dev.roomlog.protocol.event;

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
})
public sealed interface RoomEvent {
  String roomId();

  long seq();

  long at();

  record RoomCreated(String roomId, long seq, long at, String createdBy) implements RoomEvent {}

  /**
   * {@code gatewayId} says which gateway node holds the member's connection, and {@code
   * gatewayInstance} which run of it (null in events written before it existed).
   */
  record MemberJoined(
      String roomId,
      long seq,
      long at,
      String connectionId,
      String username,
      String gatewayId,
      String gatewayInstance)
      implements RoomEvent {}

  /**
   * {@code reason} is {@link #LEFT} (the member asked), {@link #DISCONNECTED} (its connection
   * closed) or {@link #GATEWAY_LOST} (its gateway stopped sending heartbeats, or restarted).
   */
  record MemberLeft(
      String roomId, long seq, long at, String connectionId, String username, String reason)
      implements RoomEvent {
    public static final String LEFT = "left";
    public static final String DISCONNECTED = "disconnected";
    public static final String GATEWAY_LOST = "gatewayLost";
  }

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
