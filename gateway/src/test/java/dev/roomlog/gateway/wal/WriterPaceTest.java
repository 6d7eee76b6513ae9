package dev.roomlog.gateway.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The admission rule of the WAL writer, with time moved by hand: an action is admitted while the
 * records queued ahead of it, at the writer's recent time per record, plus the age of the record
 * being written, come to at most the limit; one record (or one nanosecond) past it is refused.
 */
class WriterPaceTest {
  private static final long MS = 1_000_000;
  private static final Duration LIMIT = Duration.ofMillis(100);

  private final AtomicLong now = new AtomicLong(1_000 * MS);
  private final WriterPace pace = new WriterPace(LIMIT, now::get);

  /** The writer takes and writes {@code records}, each {@code each} nanos, back to back. */
  private void writeBackToBack(int records, long each) {
    for (int i = 0; i < records; i++) {
      pace.taken(false);
      now.addAndGet(each);
      pace.written();
    }
  }

  /** The writer waited for one record, then wrote it in {@code took} nanos. */
  private void writeAfterIdle(long took) {
    pace.taken(true);
    now.addAndGet(took);
    pace.written();
  }

  @Test
  void beforeAnyRecordIsWrittenEveryActionIsAdmitted() {
    assertTrue(pace.admits(1_000_000), "no pace is known yet: nothing to refuse on");
    assertEquals(0, pace.expectedWaitNanos(1_000_000));
  }

  @Test
  void admitsAtTheLimitAndRefusesOneRecordPastIt() {
    writeAfterIdle(MS);
    writeBackToBack(20, MS);
    assertEquals(MS, pace.nanosPerRecord());

    assertEquals(LIMIT.toNanos(), pace.expectedWaitNanos(100));
    assertTrue(pace.admits(100), "100 records of 1 ms ahead: exactly the limit");
    assertFalse(pace.admits(101), "101 records of 1 ms ahead: 1 ms past the limit");
  }

  @Test
  void theRecordBeingWrittenCountsWithItsAgeSoFar() {
    writeAfterIdle(MS);
    pace.taken(true);
    now.addAndGet(40 * MS);
    assertTrue(pace.admits(60), "40 ms into the current send, then 60 records of 1 ms");
    assertFalse(pace.admits(61));

    // A send stuck past the limit (a full producer buffer): refused with nothing queued.
    now.addAndGet(60 * MS);
    assertTrue(pace.admits(0), "stuck for exactly the limit");
    now.addAndGet(1);
    assertFalse(pace.admits(0), "stuck one nanosecond past the limit");

    pace.written();
    assertTrue(pace.admits(0), "once it is written, an empty queue waits for nothing");
  }

  @Test
  void timeBetweenRecordsCountsWhenTheNextWasWaitingButNotWhenTheWriterWasIdle() {
    writeAfterIdle(MS);
    // Idle for a second: no record was queued, so that is not the writer's slowness.
    now.addAndGet(1_000 * MS);
    writeAfterIdle(MS);
    assertEquals(MS, pace.nanosPerRecord());

    // The next record was queued but the writer got to it 9 ms late (waiting for a core): its
    // cycle is 10 ms, and the average moves an eighth of the way (1 + 9/8 ms).
    now.addAndGet(9 * MS);
    pace.taken(false);
    now.addAndGet(MS);
    pace.written();
    assertEquals(MS + 9 * MS / 8, pace.nanosPerRecord());
  }

  @Test
  void theAverageFollowsAWriterThatSlowsDown() {
    writeAfterIdle(MS);
    writeBackToBack(50, 10 * MS);
    assertTrue(
        pace.nanosPerRecord() > 9 * MS, "after 50 records of 10 ms: " + pace.nanosPerRecord());
    assertFalse(pace.admits(11), "11 records of about 10 ms exceed 100 ms");
  }

  @Test
  void aHugeQueueDoesNotOverflowIntoAdmission() {
    writeAfterIdle(Long.MAX_VALUE / 4);
    assertFalse(pace.admits(Integer.MAX_VALUE));
    assertEquals(Long.MAX_VALUE, pace.expectedWaitNanos(Integer.MAX_VALUE));
  }

  @Test
  void theLimitMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> new WriterPace(Duration.ZERO, now::get));
  }
}
