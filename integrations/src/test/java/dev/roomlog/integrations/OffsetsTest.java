package dev.roomlog.integrations;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OffsetsTest {
  private static final Source P0 = new Source("roomlog.room-events", 0);

  @Test
  void commitsUpToTheFirstRecordNotDone() {
    Offsets offsets = new Offsets();
    offsets.read(P0, 10, 1);
    offsets.read(P0, 11, 0);
    offsets.read(P0, 12, 2);

    assertEquals(10, offsets.committable(P0));
    offsets.release(P0, 10);
    assertEquals(12, offsets.committable(P0));
    offsets.release(P0, 12);
    assertEquals(12, offsets.committable(P0), "one of its two calls is still pending");
    offsets.release(P0, 12);
    assertEquals(13, offsets.committable(P0));
  }

  @Test
  void aLaterRecordDoneFirstDoesNotMoveTheCommitPastAnEarlierOne() {
    Offsets offsets = new Offsets();
    offsets.read(P0, 1, 1);
    offsets.read(P0, 2, 1);
    offsets.release(P0, 2);

    assertEquals(Map.of(P0, 1L), offsets.toCommit());
    assertEquals(Map.of(), offsets.toCommit(), "nothing moved since");
    offsets.release(P0, 1);
    assertEquals(Map.of(P0, 3L), offsets.toCommit());
  }

  @Test
  void aForgottenPartitionIgnoresLateReleases() {
    Offsets offsets = new Offsets();
    offsets.read(P0, 5, 1);
    offsets.forget(P0);
    offsets.release(P0, 5);

    assertEquals(-1, offsets.committable(P0));
  }
}
