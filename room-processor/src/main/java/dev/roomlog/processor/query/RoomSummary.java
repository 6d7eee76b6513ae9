package dev.roomlog.processor.query;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One line of {@code GET /rooms}: a room's id, latest seq and how many members it has; {@code
 * private} is true for a private room, absent for one anyone may join.
 */
public record RoomSummary(
    String roomId, long seq, int memberCount, @JsonProperty("private") Boolean privateRoom) {
  /** A room anyone may join. */
  public RoomSummary(String roomId, long seq, int memberCount) {
    this(roomId, seq, memberCount, null);
  }
}
