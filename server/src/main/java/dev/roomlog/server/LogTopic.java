package dev.roomlog.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.TopicSet;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The topics {@code roomlog tail} reads, as its {@code --topic} names them, and where each keeps
 * the connection a record is about. Pure.
 */
enum LogTopic {
  /** The write-ahead log: the connection is the gateway's {@code requestContext.connectionId}. */
  ACTIONS("actions", "/requestContext/connectionId"),
  /** The rooms' histories: a member's event names its {@code connectionId}. */
  ROOM_EVENTS("room-events", "/connectionId");

  private final String flag;
  private final String connectionPointer;

  LogTopic(String flag, String connectionPointer) {
    this.flag = flag;
    this.connectionPointer = connectionPointer;
  }

  static LogTopic parse(String text) {
    return Arrays.stream(values())
        .filter(t -> t.flag.equals(text))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "--topic must be one of "
                        + Arrays.stream(values()).map(t -> t.flag).collect(Collectors.joining(", "))
                        + ", was '"
                        + text
                        + "'"));
  }

  String name(TopicSet topics) {
    return this == ACTIONS ? topics.actions().name() : topics.roomEvents().name();
  }

  /** The connection a decoded value is about, or null if it names none. */
  String connectionId(JsonNode value) {
    JsonNode id = value.at(connectionPointer);
    return id.isTextual() ? id.asText() : null;
  }
}
