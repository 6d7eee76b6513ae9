package dev.roomlog.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadTestConfigTest {
  private static LoadTestConfig config(
      Scenario s, int connections, int roomSize, int messagesPerRoom, Duration duration) {
    return sharded(s, connections, roomSize, messagesPerRoom, duration, 0, 1, null);
  }

  private static LoadTestConfig sharded(
      Scenario s,
      int connections,
      int roomSize,
      int messagesPerRoom,
      Duration duration,
      int shard,
      int shards,
      Path shardDir) {
    return new LoadTestConfig(
        s,
        "127.0.0.1",
        8080,
        "roomlog",
        "k",
        duration,
        Duration.ZERO,
        100,
        connections,
        roomSize,
        8,
        1000,
        1000,
        Duration.ofSeconds(5),
        Duration.ofSeconds(5),
        64,
        messagesPerRoom,
        List.of(),
        2,
        List.of(),
        null,
        shard,
        shards,
        shardDir);
  }

  @Test
  void eachScenarioHasItsDefaults() {
    assertEquals(1000, LoadTestConfig.connectionsOrDefault(Scenario.FANOUT, null));
    assertEquals(
        1000,
        LoadTestConfig.roomSizeOrDefault(Scenario.FANOUT, null, 1000),
        "fanout: one room of all");
    assertEquals(40, LoadTestConfig.roomSizeOrDefault(Scenario.FANOUT, null, 40));
    assertEquals(10, LoadTestConfig.roomSizeOrDefault(Scenario.CHAT, null, 100));
    assertEquals(
        5,
        LoadTestConfig.roomSizeOrDefault(Scenario.CHAT, null, 5),
        "never larger than the connections");
    assertEquals(1, LoadTestConfig.roomSizeOrDefault(Scenario.INGEST, null, 50));
    assertEquals(77.0, LoadTestConfig.rateOrDefault(Scenario.CHAT, 77.0));
    assertEquals(200.0, LoadTestConfig.rateOrDefault(Scenario.CHAT, null));
  }

  @Test
  void aBadValueFailsWithTheFlagsName() {
    assertEquals(
        "--connections (15) must be a multiple of --room-size (10)",
        assertThrows(
                IllegalArgumentException.class,
                () -> config(Scenario.CHAT, 15, 10, 10, Duration.ofSeconds(1)))
            .getMessage());
    assertEquals(
        "--messages-per-room must be 1..50 (a rejoin gets back at most the last 50), got 51",
        assertThrows(
                IllegalArgumentException.class,
                () -> config(Scenario.RECONNECT, 10, 10, 51, Duration.ofSeconds(1)))
            .getMessage());
    assertEquals(
        "--duration must be more than 0, got 0s",
        assertThrows(
                IllegalArgumentException.class,
                () -> config(Scenario.CHAT, 10, 10, 10, Duration.ZERO))
            .getMessage());
  }

  @Test
  void aShardedRunIsOneFanoutRoomWithADirectory() {
    Path dir = Path.of("shards");
    Duration second = Duration.ofSeconds(1);
    assertEquals(2, sharded(Scenario.FANOUT, 10, 10, 10, second, 2, 3, dir).shard());
    assertEquals(
        "--shard must be I/N with N at least 1 and I in 0..N-1, got 3/3",
        assertThrows(
                IllegalArgumentException.class,
                () -> sharded(Scenario.FANOUT, 10, 10, 10, second, 3, 3, dir))
            .getMessage());
    assertEquals(
        "--shard 1/3 needs --shard-dir, the directory the shards share",
        assertThrows(
                IllegalArgumentException.class,
                () -> sharded(Scenario.FANOUT, 10, 10, 10, second, 1, 3, null))
            .getMessage());
    for (LoadTestConfigFactory notOneRoom :
        List.<LoadTestConfigFactory>of(
            () -> sharded(Scenario.CHAT, 10, 10, 10, second, 0, 2, dir),
            () -> sharded(Scenario.FANOUT, 10, 5, 10, second, 0, 2, dir))) {
      assertTrue(
          assertThrows(IllegalArgumentException.class, notOneRoom::make)
              .getMessage()
              .startsWith("--shard plays one room over several processes"));
    }
  }

  private interface LoadTestConfigFactory {
    LoadTestConfig make();
  }

  @Test
  void namesScenariosAsTheFlagDoes() {
    assertEquals(Scenario.FANOUT, Scenario.of("FanOut"));
    assertEquals("fanout", Scenario.FANOUT.flag());
    assertThrows(IllegalArgumentException.class, () -> Scenario.of("soak"));
  }
}
