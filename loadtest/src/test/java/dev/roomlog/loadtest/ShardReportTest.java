package dev.roomlog.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShardReportTest {
  private static ShardReport report(Map<Long, Long> completions) {
    return new ShardReport(
        120,
        100,
        2,
        new MessageLedger.Outstanding(1, 7),
        Set.of(9L),
        Map.of("setup 503 overloaded", 14L, "close 1006", 1L),
        completions);
  }

  @Test
  void readsBackWhatItWrote() {
    ShardReport r = report(Map.of(0L, 5_000_000L, 8L, 12_345_678L));
    assertEquals(r, ShardReport.decode(r.encode()));
  }

  @Test
  void aLineItDoesNotWriteIsAnError() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> ShardReport.decode("delivered ten\n"))
            .getMessage()
            .contains("delivered ten"));
    assertThrows(IllegalArgumentException.class, () -> ShardReport.decode("lost 3\n"));
  }

  @Test
  void theRoomsLastMemberIsTheSlowestShardsAndOnlyWhenEveryShardHasIt() {
    Map<Long, Long> own = Map.of(1L, 10L, 2L, 50L, 3L, 30L);
    List<ShardReport> others =
        List.of(report(Map.of(1L, 40L, 2L, 20L, 3L, 35L)), report(Map.of(1L, 15L, 2L, 60L)));
    // Message 3 is complete here and in the first shard, not yet in the second: no sample.
    assertEquals(Map.of(1L, 40L, 2L, 60L), ShardedFanout.roomCompletions(own, others));
    assertEquals(own, ShardedFanout.roomCompletions(own, List.of()));
  }
}
