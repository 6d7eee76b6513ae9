package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class StartPositionTest {

  @Test
  void parsesEveryFormOfFrom() {
    assertEquals(new StartPosition.Beginning(), StartPosition.parse("beginning"));
    assertEquals(new StartPosition.End(), StartPosition.parse("end"));
    assertEquals(new StartPosition.At(2, 1234), StartPosition.parse("2:1234"));
    assertEquals(new StartPosition.At(0, 0), StartPosition.parse("0:0"));
    assertEquals(
        new StartPosition.Since(Instant.parse("2025-11-26T10:00:00Z")),
        StartPosition.parse("2025-11-26T10:00:00Z"));
    assertEquals(
        new StartPosition.Since(Instant.parse("2025-11-26T09:00:00.250Z")),
        StartPosition.parse("2025-11-26T10:00:00.250+01:00"));
  }

  @Test
  void refusesAnythingElseSayingWhatItTakes() {
    for (String bad :
        new String[] {
          "",
          "start",
          "Beginning",
          "1:",
          ":5",
          "-1:5",
          "1:-5",
          "2025-11-26T10:00:00",
          "2025-11-26",
          "99999999999:1"
        }) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> StartPosition.parse(bad), bad);
      assertTrue(
          e.getMessage()
              .startsWith(
                  "--from must be beginning, end, <partition>:<offset> or an ISO-8601 time"),
          e.getMessage());
      assertTrue(e.getMessage().endsWith("was '" + bad + "'"), e.getMessage());
    }
  }

  @Test
  void aPartitionOffsetReadsOnlyItsPartition() {
    StartPosition at = StartPosition.parse("1:10");
    assertTrue(at.reads(1));
    assertFalse(at.reads(0));
    assertFalse(at.reads(2));
    assertTrue(StartPosition.parse("beginning").reads(5));
  }

  @Test
  void anOffsetOutsideThePartitionIsClampedToIt() {
    // The partition holds offsets 100 to 199 (its next offset is 200).
    assertEquals(
        100, new StartPosition.At(0, 99).offset(100, 200, null), "below the start: its start");
    assertEquals(100, new StartPosition.At(0, 100).offset(100, 200, null));
    assertEquals(200, new StartPosition.At(0, 200).offset(100, 200, null));
    assertEquals(200, new StartPosition.At(0, 201).offset(100, 200, null), "past the end: its end");
    assertEquals(100, new StartPosition.Beginning().offset(100, 200, null));
    assertEquals(200, new StartPosition.End().offset(100, 200, null));
  }

  @Test
  void aTimeStartsAtTheBrokersOffsetForItOrAtTheEndWhenNothingIsThatLate() {
    StartPosition since = StartPosition.parse("2025-11-26T10:00:00Z");
    assertEquals(150, since.offset(100, 200, 150L));
    assertEquals(200, since.offset(100, 200, null));
  }

  @Test
  void aTimeMustCarryItsOffset() {
    assertEquals(
        Instant.parse("2025-11-26T10:00:00Z"),
        StartPosition.parseTime("--from-time", "2025-11-26T10:00:00Z"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> StartPosition.parseTime("--from-time", "yesterday"));
    assertEquals(
        "--from-time must be an ISO-8601 time with its offset, such as 2025-11-26T10:00:00Z, was 'yesterday'",
        e.getMessage());
  }
}
