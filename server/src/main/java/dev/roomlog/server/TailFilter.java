package dev.roomlog.server;

/**
 * Which records {@code roomlog tail} prints: those of one room ({@code --room}: the record's key,
 * or the value's {@code roomId}) and/or of one connection ({@code --connection}: where {@link
 * LogTopic} says each topic names it). Null filters accept everything. An unreadable record is
 * judged by its key alone. Pure.
 */
record TailFilter(LogTopic topic, String room, String connection) {

  boolean accepts(LogEntry entry) {
    return (room == null || isOfRoom(entry)) && (connection == null || isOfConnection(entry));
  }

  private boolean isOfRoom(LogEntry entry) {
    return room.equals(entry.key())
        || (entry.readable()
            && entry.value().path("roomId").isTextual()
            && room.equals(entry.value().path("roomId").asText()));
  }

  private boolean isOfConnection(LogEntry entry) {
    if (!entry.readable() || !entry.value().isObject()) {
      // $connect and $disconnect are keyed by their connection.
      return connection.equals(entry.key());
    }
    return connection.equals(topic.connectionId(entry.value()));
  }
}
