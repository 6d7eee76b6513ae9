package dev.roomlog.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shards' exchange over real files, each side on its own thread as in its own process. */
class RoomShardsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  @Test
  void eachSideReadsWhatTheOtherAnnounced() throws Exception {
    RoomShards publisher = new RoomShards(dir, 0, 2);
    RoomShards member = new RoomShards(dir, 1, 2);
    CompletableFuture<String> room =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                member.announceConnected(7);
                String run = member.awaitRoom(WAIT);
                member.announceJoined(new RoomShards.JoinSpan(100, 250, 7));
                return run + "@" + member.awaitStart(WAIT);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    assertEquals(List.of(7), publisher.awaitOthersConnected(WAIT));
    publisher.announceRoom("lt-abc");
    assertEquals(List.of(new RoomShards.JoinSpan(100, 250, 7)), publisher.awaitOthersJoined(WAIT));
    publisher.announceStart(123456789L);
    assertEquals("lt-abc@123456789", room.get(20, TimeUnit.SECONDS));

    publisher.announcePublished(List.of(4L, 11L));
    assertEquals(List.of(4L, 11L), member.awaitPublished(WAIT));
    ShardReport report =
        new ShardReport(
            14, 10, 0, new MessageLedger.Outstanding(0, 0), Set.of(), Map.of(), Map.of(0L, 9L));
    member.announceReport(report);
    assertEquals(List.of(report), publisher.awaitOthersReports(WAIT));
  }

  @Test
  void aShardThatFailedEndsTheOthersWait() {
    new RoomShards(dir, 0, 2).announceFailure("connecting: 3 of 10 connections failed");
    RunFailed failed =
        assertThrows(RunFailed.class, () -> new RoomShards(dir, 1, 2).awaitRoom(WAIT));
    assertTrue(
        failed.getMessage().contains("shard 0 failed: connecting: 3 of 10"), failed.getMessage());
  }

  @Test
  void aWaitEndsAtItsTimeoutSayingWhatItWaitedFor() {
    RunFailed failed =
        assertThrows(
            RunFailed.class,
            () -> new RoomShards(dir, 0, 3).awaitOthersJoined(Duration.ofMillis(50)));
    assertTrue(failed.getMessage().contains("for shard 1 to join"), failed.getMessage());
  }

  @Test
  void aDirectoryWithAnEarlierRunsFilesIsRefused() {
    new RoomShards(dir, 0, 2).announceRoom("lt-old");
    assertThrows(RunFailed.class, () -> new RoomShards(dir, 0, 2).requireFresh());
    // The member's own files are not there yet: it may start.
    new RoomShards(dir, 1, 2).requireFresh();
  }
}
