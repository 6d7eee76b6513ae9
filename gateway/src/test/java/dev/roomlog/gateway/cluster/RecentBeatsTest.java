package dev.roomlog.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.cluster.RecentBeats.Verdict;
import org.junit.jupiter.api.Test;

class RecentBeatsTest {
  private static final long END_AT_START = 100;

  @Test
  void anIdNoRunBeatUnderLatelyIsFree() {
    RecentBeats beats = new RecentBeats(END_AT_START);
    assertEquals(Verdict.FREE, beats.verdict());
    assertNull(beats.aliveRun());
  }

  @Test
  void aBeatBeforeTheEndSeenAtStartMeansWatchOnNotTaken() {
    RecentBeats beats = new RecentBeats(END_AT_START);
    beats.heartbeat(END_AT_START - 1, "run-old");
    assertEquals(Verdict.WATCH, beats.verdict(), "it may be a run that just crashed");
  }

  @Test
  void aBeatAtOrPastTheEndSeenAtStartWasWrittenDuringTheCheckSoTheIdIsTaken() {
    RecentBeats beats = new RecentBeats(END_AT_START);
    beats.heartbeat(END_AT_START - 1, "run-alive");
    beats.heartbeat(END_AT_START, "run-alive");
    assertEquals(Verdict.TAKEN, beats.verdict());
    assertEquals("run-alive", beats.aliveRun());
  }

  @Test
  void readingIsCaughtUpAtTheEndSeenAtStartNotBefore() {
    RecentBeats beats = new RecentBeats(END_AT_START);
    assertFalse(beats.caughtUp(END_AT_START - 1));
    assertTrue(beats.caughtUp(END_AT_START));
  }
}
