package dev.roomlog.processor.query;

/** One line of {@code GET /rooms}: a room's id, latest seq and how many members it has. */
public record RoomSummary(String roomId, long seq, int memberCount) {}
