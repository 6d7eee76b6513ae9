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
 * time the writer has been on its current record, plus the records queued ahead of the action at
 * the writer's recent time per record, come to at most the limit; one record (or one nanosecond)
 * past it is refused.
 */
class WriterPaceTest {
  private static final long MS = 1_000_000;
  private static final Duration LIMIT = Duration.ofMillis(100);

  private final AtomicLong now = new AtomicLong(1_000 * MS);
  private final WriterPace pace = new WriterPace(LIMIT, now::get);

  /** The writer takes and writes {@code records} queued records, each {@code each} nanos. */
  private void writeBackToBack(int records, long each) {
    for (int i = 0; i < records; i++) {
      pace.taken(false);
      now.addAndGet(each);
      pace.written(true);
    }
  }

  /** The writer waited for a record, then wrote it in {@code took} nanos, then waits again. */
  private void writeAfterIdle(long took) {
    pace.idle();
    pace.taken(true);
    now.addAndGet(took);
    pace.written(true);
    pace.idle();
  }

  @Test
  void admitsAtTheLimitAndRefusesOneRecordPastIt() {
    writeBackToBack(WriterPace.SKIPPED + WriterPace.WINDOW, MS);
    pace.idle();
    assertEquals(MS, pace.nanosPerRecord());

    assertEquals(LIMIT.toNanos(), pace.expectedWaitNanos(100));
    assertTrue(pace.admits(100), "100 records of 1 ms ahead: exactly the limit");
    assertFalse(pace.admits(101), "101 records of 1 ms ahead: 1 ms past the limit");
  }

  @Test
  void theWritersFirstRecordsAreLeftOutAndTheMeanCountsFromTheNextOne() {
    // A young writer's first records are slow (class loading, the first batch): not its pace.
    writeAfterIdle(500 * MS);
    writeBackToBack(WriterPace.SKIPPED - 1, 50 * MS);
    pace.idle();
    assertEquals(0, pace.nanosPerRecord());
    assertTrue(pace.admits(1_000_000), "no pace is known yet: nothing to refuse on");

    // From the next record on, a burst is judged at once, on the records there are.
    writeBackToBack(2, 2 * MS);
    pace.idle();
    assertEquals(2 * MS, pace.nanosPerRecord());
    assertTrue(pace.admits(50));
    assertFalse(pace.admits(51));
  }

  @Test
  void theRecordBeingWrittenCountsWithItsAgeSoFar() {
    writeBackToBack(WriterPace.SKIPPED + WriterPace.WINDOW, MS);
    pace.idle();
    pace.taken(true);
    now.addAndGet(40 * MS);
    assertTrue(pace.admits(60), "40 ms into the current send, then 60 records of 1 ms");
    assertFalse(pace.admits(61));

    // A send stuck past the limit (a full producer buffer): refused with nothing queued.
    now.addAndGet(60 * MS);
    assertTrue(pace.admits(0), "stuck for exactly the limit");
    now.addAndGet(1);
    assertFalse(pace.admits(0), "stuck one nanosecond past the limit");

    pace.written(true);
    pace.idle();
    assertTrue(pace.admits(0), "once it is written and the writer waits, nothing is ahead");
  }

  @Test
  void aWriterKeptFromItsNextQueuedRecordIsStalledButAnIdleOneIsNot() {
    writeAfterIdle(MS);
    now.addAndGet(1_000 * MS);
    assertTrue(pace.admits(0), "idle for a second: waiting for records is not slowness");

    // It wrote a record and the next one is queued, but it does not get a core to take it.
    pace.taken(true);
    now.addAndGet(MS);
    pace.written(true);
    now.addAndGet(LIMIT.toNanos());
    assertTrue(pace.admits(0), "kept from its next record for exactly the limit");
    now.addAndGet(1);
    assertFalse(pace.admits(0), "and one nanosecond more");
  }

  @Test
  void theMeanIsOverTheLatestCyclesAndCountsTheTimeBetweenQueuedRecords() {
    writeBackToBack(WriterPace.SKIPPED + WriterPace.WINDOW, MS);
    // The next record was queued but the writer got to it 9 ms late (waiting for a core): its
    // cycle is 10 ms, and the mean of the window moves by 9 ms / WINDOW.
    now.addAndGet(9 * MS);
    writeBackToBack(1, MS);
    assertEquals(MS + 9 * MS / WriterPace.WINDOW, pace.nanosPerRecord());

    writeBackToBack(WriterPace.WINDOW, 10 * MS);
    pace.idle();
    assertEquals(10 * MS, pace.nanosPerRecord(), "a writer that slowed down, once the window is");
    assertFalse(pace.admits(11), "11 records of 10 ms exceed 100 ms");
  }

  @Test
  void aHugeQueueDoesNotOverflowIntoAdmission() {
    writeBackToBack(
        WriterPace.SKIPPED + WriterPace.WINDOW, Long.MAX_VALUE / (4L * WriterPace.WINDOW));
    pace.idle();
    assertFalse(pace.admits(Integer.MAX_VALUE));
    assertEquals(Long.MAX_VALUE, pace.expectedWaitNanos(Integer.MAX_VALUE));
  }

  @Test
  void theLimitMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> new WriterPace(Duration.ZERO, now::get));
  }
}
