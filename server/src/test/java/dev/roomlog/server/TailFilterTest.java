package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.protocol.TopicSet;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TailFilterTest {
  private static final String CREATE =
      "{\"action\":\"createRoom\",\"username\":\"a\",\"roomId\":\"lobby\",\"requestContext\":{\"connectionId\":\"c1\"}}";
  private static final String CONNECT =
      "{\"action\":\"$connect\",\"requestContext\":{\"connectionId\":\"c1\"}}";
  private static final String HEARTBEAT =
      "{\"action\":\"$heartbeat\",\"requestContext\":{\"gatewayId\":\"gw-1\"}}";
  private static final String MESSAGE =
      "{\"type\":\"messagePosted\",\"roomId\":\"lobby\",\"seq\":4,\"at\":1,\"connectionId\":\"c2\",\"text\":\"hi\"}";
  private static final String CREATED =
      "{\"type\":\"roomCreated\",\"roomId\":\"lobby\",\"seq\":1,\"at\":1,\"createdBy\":\"a\"}";

  private static LogEntry entry(String key, String value) {
    return LogEntry.of("t", 0, 0, 0, key, value.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void noFilterAcceptsEverything() {
    TailFilter all = new TailFilter(LogTopic.ACTIONS, null, null);
    assertTrue(all.accepts(entry("gw-1", HEARTBEAT)));
    assertTrue(all.accepts(entry("x", "garbage")));
  }

  @Test
  void aRoomFilterTakesTheKeyOrTheRoomIdOfTheValue() {
    TailFilter lobby = new TailFilter(LogTopic.ACTIONS, "lobby", null);
    assertTrue(lobby.accepts(entry("lobby", CREATE)));
    assertTrue(lobby.accepts(entry("other-key", CREATE)), "the value's roomId");
    assertFalse(lobby.accepts(entry("c1", CONNECT)));
    assertFalse(lobby.accepts(entry("gw-1", HEARTBEAT)));
    assertFalse(
        new TailFilter(LogTopic.ACTIONS, "lobb", null).accepts(entry("lobby", CREATE)),
        "no prefix match");
  }

  @Test
  void aConnectionFilterTakesTheRequestContextOfAnActionAndTheConnectionOfAnEvent() {
    TailFilter c1 = new TailFilter(LogTopic.ACTIONS, null, "c1");
    assertTrue(c1.accepts(entry("lobby", CREATE)));
    assertTrue(c1.accepts(entry("c1", CONNECT)));
    assertFalse(c1.accepts(entry("gw-1", HEARTBEAT)));

    TailFilter c2 = new TailFilter(LogTopic.ROOM_EVENTS, null, "c2");
    assertTrue(c2.accepts(entry("lobby", MESSAGE)));
    assertFalse(c2.accepts(entry("lobby", CREATED)), "an event about no connection");
    assertFalse(new TailFilter(LogTopic.ROOM_EVENTS, null, "c1").accepts(entry("lobby", MESSAGE)));
  }

  @Test
  void bothFiltersMustHold() {
    assertTrue(new TailFilter(LogTopic.ACTIONS, "lobby", "c1").accepts(entry("lobby", CREATE)));
    assertFalse(new TailFilter(LogTopic.ACTIONS, "lobby", "c9").accepts(entry("lobby", CREATE)));
    assertFalse(new TailFilter(LogTopic.ACTIONS, "hall", "c1").accepts(entry("lobby", CREATE)));
  }

  @Test
  void anUnreadableRecordIsJudgedByItsKey() {
    assertTrue(new TailFilter(LogTopic.ACTIONS, "lobby", null).accepts(entry("lobby", "garbage")));
    assertFalse(new TailFilter(LogTopic.ACTIONS, "lobby", null).accepts(entry("hall", "garbage")));
    assertTrue(new TailFilter(LogTopic.ACTIONS, null, "c1").accepts(entry("c1", "garbage")));
    assertFalse(new TailFilter(LogTopic.ACTIONS, null, "c1").accepts(entry("lobby", "garbage")));
  }

  @Test
  void theTopicFlagNamesOneOfTheTwoTopics() {
    TopicSet topics = TopicSet.prefixed("p");
    assertEquals("p.roomlog.actions", LogTopic.parse("actions").name(topics));
    assertEquals("p.roomlog.room-events", LogTopic.parse("room-events").name(topics));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> LogTopic.parse("deliveries"));
    assertEquals("--topic must be one of actions, room-events, was 'deliveries'", e.getMessage());
  }
}
