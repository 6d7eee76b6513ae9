package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LogEntryTest {
  private static LogEntry entry(String key, byte[] value) {
    return LogEntry.of("roomlog.actions", 2, 41, 1764133380000L, key, value);
  }

  private static LogEntry entry(String key, String value) {
    return entry(key, value.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aJsonValueIsPrintedAsAnObjectInOneLine() throws Exception {
    LogEntry e =
        entry(
            "lobby", "{\"action\":\"sendMessage\",\"roomId\":\"lobby\",\"text\":\"two\\nlines\"}");
    String line = e.toJsonLine();

    assertFalse(line.contains("\n"), line);
    JsonNode parsed = Json.MAPPER.readTree(line);
    assertEquals("roomlog.actions", parsed.get("topic").asText());
    assertEquals(2, parsed.get("partition").asInt());
    assertEquals(41, parsed.get("offset").asLong());
    assertEquals(1764133380000L, parsed.get("timestamp").asLong());
    assertEquals("lobby", parsed.get("key").asText());
    assertEquals("two\nlines", parsed.at("/value/text").asText());
    assertFalse(parsed.has("unreadable"));
  }

  @Test
  void aValueThatIsNotAJsonObjectIsPrintedAsTextAndMarkedUnreadable() throws Exception {
    for (String bad :
        new String[] {
          "not json", "{\"a\":1", "{\"a\":1} trailing", "\"a string\"", "42", "[1,2]", ""
        }) {
      LogEntry e = entry("k", bad);
      assertFalse(e.readable(), bad);
      JsonNode parsed = Json.MAPPER.readTree(e.toJsonLine());
      assertEquals(bad, parsed.get("value").asText(), bad);
      assertTrue(parsed.get("unreadable").asBoolean(), bad);
    }
  }

  @Test
  void bytesThatAreNotUtf8AreUnreadableNotACrash() throws Exception {
    LogEntry e = entry("k", new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
    assertFalse(e.readable());
    assertTrue(Json.MAPPER.readTree(e.toJsonLine()).get("unreadable").asBoolean());
  }

  @Test
  void aNestingDeeperThanTheProtocolAllowsIsUnreadable() throws Exception {
    String deep =
        "{\"a\":".repeat(Json.MAX_NESTING_DEPTH + 1) + "1" + "}".repeat(Json.MAX_NESTING_DEPTH + 1);
    String atLimit =
        "{\"a\":".repeat(Json.MAX_NESTING_DEPTH) + "1" + "}".repeat(Json.MAX_NESTING_DEPTH);
    assertTrue(entry("k", atLimit).readable());
    assertFalse(entry("k", deep).readable());
  }

  @Test
  void aTombstoneAndANullKeyArePrintedAsNull() throws Exception {
    JsonNode parsed = Json.MAPPER.readTree(entry(null, (byte[]) null).toJsonLine());
    assertTrue(parsed.get("value").isNull());
    assertTrue(parsed.get("key").isNull());
    assertFalse(parsed.has("unreadable"));
  }
}
