package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.Json;
import dev.roomlog.server.ReplaySelection.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReplaySelectionTest {
  private static final long T0 = 1_764_133_380_000L;

  private static JsonNode event(String room, long seq) {
    return Json.MAPPER
        .createObjectNode()
        .put("type", "messagePosted")
        .put("roomId", room)
        .put("seq", seq)
        .put("at", T0 + seq * 1000);
  }

  /**
   * Feeds the room's seqs {@code from..to}, interleaved with another room's, and returns the
   * printed seqs.
   */
  private static List<Long> run(ReplaySelection selection, long from, long to) {
    List<Long> printed = new ArrayList<>();
    for (long seq = from; seq <= to; seq++) {
      assertEquals(Step.SKIP, selection.next("hall", event("hall", seq)), "another room's event");
      Step step = selection.next("lobby", event("lobby", seq));
      if (step == Step.STOP) {
        break;
      }
      if (step == Step.PRINT) {
        printed.add(seq);
      }
    }
    return printed;
  }

  @Test
  void fromASeqPrintsThatSeqAndLaterOnly() {
    ReplaySelection selection = ReplaySelection.of("lobby", 3L, null, null);
    assertEquals(List.of(3L, 4L, 5L), run(selection, 1, 5));
    assertEquals(Optional.empty(), selection.gapNotice());
    assertEquals(Optional.empty(), selection.nothingPrinted());
  }

  @Test
  void fromSeqZeroOrOnePrintsEverythingWithoutANotice() {
    for (long from : new long[] {0, 1}) {
      ReplaySelection selection = ReplaySelection.of("lobby", from, null, null);
      assertEquals(List.of(1L, 2L, 3L), run(selection, 1, 3));
      assertEquals(Optional.empty(), selection.gapNotice());
    }
  }

  @Test
  void toSeqIsTheLastPrintedAndStopsTheRead() {
    ReplaySelection selection = ReplaySelection.of("lobby", 2L, null, 4L);
    assertEquals(List.of(2L, 3L, 4L), run(selection, 1, 9));
    assertEquals(
        List.of(5L), run(ReplaySelection.of("lobby", 5L, null, 5L), 1, 9), "from = to: one event");
  }

  @Test
  void aHistoryThatStartsLaterThanAskedIsSaidOnce() {
    ReplaySelection selection = ReplaySelection.of("lobby", 3L, null, null);
    selection.next("lobby", event("lobby", 7));
    assertEquals(
        Optional.of(
            "roomlog: room lobby's history in the log starts at seq 7 (the events before it are no longer kept)"),
        selection.gapNotice());

    ReplaySelection atIt = ReplaySelection.of("lobby", 7L, null, null);
    atIt.next("lobby", event("lobby", 7));
    assertEquals(Optional.empty(), atIt.gapNotice(), "starting exactly where asked is no gap");
  }

  @Test
  void fromATimePrintsTheEventsAtOrAfterIt() {
    String third = java.time.Instant.ofEpochMilli(T0 + 3000).toString();
    assertEquals(List.of(3L, 4L), run(ReplaySelection.of("lobby", null, third, null), 1, 4));
    String justAfterThird = java.time.Instant.ofEpochMilli(T0 + 3001).toString();
    assertEquals(List.of(4L), run(ReplaySelection.of("lobby", null, justAfterThird, null), 1, 4));
  }

  @Test
  void nothingPrintedSaysWhy() {
    ReplaySelection unknown = ReplaySelection.of("nope", 1L, null, null);
    run(unknown, 1, 3);
    assertEquals(Optional.of("no events for room nope"), unknown.nothingPrinted());

    ReplaySelection pastTheEnd = ReplaySelection.of("lobby", 4L, null, null);
    run(pastTheEnd, 1, 3);
    assertEquals(
        Optional.of(
            "no events for room lobby from seq 4 (its history in the log starts at seq 1 and ends at seq 3)"),
        pastTheEnd.nothingPrinted());

    String late = java.time.Instant.ofEpochMilli(T0 + 10_000).toString();
    ReplaySelection tooLate = ReplaySelection.of("lobby", null, late, null);
    run(tooLate, 1, 3);
    assertEquals(
        Optional.of("no events for room lobby at or after " + late), tooLate.nothingPrinted());
  }

  @Test
  void anUnreadableEventIsSkipped() {
    ReplaySelection selection = ReplaySelection.of("lobby", 1L, null, null);
    assertEquals(Step.SKIP, selection.next("lobby", null));
    assertEquals(
        Step.SKIP, selection.next("lobby", Json.MAPPER.createObjectNode().put("seq", "x")));
    assertEquals(Step.PRINT, selection.next("lobby", event("lobby", 1)));
  }

  @Test
  void badFlagsAreRefusedWithTheReason() {
    assertRefused("give exactly one of --from-seq and --from-time", "lobby", null, null, null);
    assertRefused(
        "give exactly one of --from-seq and --from-time",
        "lobby",
        1L,
        "2025-11-26T10:00:00Z",
        null);
    assertRefused("--from-seq must be 0 or more, was -1", "lobby", -1L, null, null);
    assertRefused("--to-seq must be 0 or more, was -1", "lobby", null, "2025-11-26T10:00:00Z", -1L);
    assertRefused("--to-seq (2) must not be before --from-seq (3)", "lobby", 3L, null, 2L);
    assertRefused(
        "--from-time must be an ISO-8601 time with its offset, such as 2025-11-26T10:00:00Z, was 'noon'",
        "lobby",
        null,
        "noon",
        null);
    assertRefused("--room must name a room", " ", 1L, null, null);
    ReplaySelection.of("lobby", 0L, null, 0L); // the limits themselves are accepted
  }

  private static void assertRefused(
      String message, String room, Long fromSeq, String fromTime, Long toSeq) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ReplaySelection.of(room, fromSeq, fromTime, toSeq));
    assertEquals(message, e.getMessage());
  }
}
