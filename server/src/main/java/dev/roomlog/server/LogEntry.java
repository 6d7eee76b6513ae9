package dev.roomlog.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.roomlog.protocol.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * One record of a Roomlog topic as the log tools show it. Pure.
 *
 * <p>A value that is a JSON object (every value Roomlog writes) is kept decoded; anything else (not
 * UTF-8, not JSON, a bare string or number) is kept as text and marked unreadable, so one bad
 * record never stops a tail. A null value (a tombstone) stays null.
 *
 * @param value the decoded object, the raw text of an unreadable value, or a null node
 */
record LogEntry(
    String topic,
    int partition,
    long offset,
    long timestamp,
    String key,
    JsonNode value,
    boolean readable) {
  private static final ObjectReader STRICT =
      Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  static LogEntry of(
      String topic, int partition, long offset, long timestamp, String key, byte[] value) {
    if (value == null) {
      return new LogEntry(topic, partition, offset, timestamp, key, NullNode.getInstance(), true);
    }
    JsonNode decoded = decode(value);
    return decoded != null
        ? new LogEntry(topic, partition, offset, timestamp, key, decoded, true)
        : new LogEntry(
            topic,
            partition,
            offset,
            timestamp,
            key,
            TextNode.valueOf(new String(value, StandardCharsets.UTF_8)),
            false);
  }

  /** The value as a JSON object, or null if it is not one. */
  static JsonNode decode(byte[] value) {
    try {
      JsonNode node = STRICT.readTree(value);
      return node != null && node.isObject() ? node : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** The line {@code roomlog tail} prints: one JSON object, on one line. */
  String toJsonLine() {
    ObjectNode line = Json.MAPPER.createObjectNode();
    line.put("topic", topic);
    line.put("partition", partition);
    line.put("offset", offset);
    line.put("timestamp", timestamp);
    line.put("key", key);
    line.set("value", value);
    if (!readable) {
      line.put("unreadable", true);
    }
    try {
      return Json.MAPPER.writeValueAsString(line);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }
}
