package dev.roomlog.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Optional;

/**
 * Which events {@code roomlog replay} prints, fed the records of the room's partition of
 * roomlog.room-events in offset order (a room's seq order). Pure; one per run.
 *
 * <p>From a seq: the room's events with that seq or later. From a time: those whose {@code at} is
 * that time or later (the reader starts at the partition's first record stamped at or after it, and
 * every event stamped earlier was received earlier). Both stop after {@code toSeq} when one is
 * given.
 */
final class ReplaySelection {
  /** What to do with one record. */
  enum Step {
    /** Not this room's, or before the start. */
    SKIP,
    PRINT,
    /** Past {@code toSeq}: nothing further will be printed. */
    STOP
  }

  private final String roomId;
  private final Long fromSeq;
  private final Instant fromTime;
  private final Long toSeq;
  private long firstSeq = -1;
  private long lastSeq = -1;
  private long printed;
  private boolean stopped;

  private ReplaySelection(String roomId, Long fromSeq, Instant fromTime, Long toSeq) {
    this.roomId = roomId;
    this.fromSeq = fromSeq;
    this.fromTime = fromTime;
    this.toSeq = toSeq;
  }

  /**
   * Checks the flags of a replay: a room, exactly one of {@code fromSeq} and {@code fromTime} (an
   * ISO-8601 time), seqs 0 or more and {@code toSeq} not before {@code fromSeq}.
   */
  static ReplaySelection of(String roomId, Long fromSeq, String fromTime, Long toSeq) {
    if (roomId == null || roomId.isBlank()) {
      throw new IllegalArgumentException("--room must name a room");
    }
    if ((fromSeq == null) == (fromTime == null)) {
      throw new IllegalArgumentException("give exactly one of --from-seq and --from-time");
    }
    if (fromSeq != null && fromSeq < 0) {
      throw new IllegalArgumentException("--from-seq must be 0 or more, was " + fromSeq);
    }
    if (toSeq != null && toSeq < 0) {
      throw new IllegalArgumentException("--to-seq must be 0 or more, was " + toSeq);
    }
    if (toSeq != null && fromSeq != null && toSeq < fromSeq) {
      throw new IllegalArgumentException(
          "--to-seq (" + toSeq + ") must not be before --from-seq (" + fromSeq + ")");
    }
    Instant time = fromTime == null ? null : StartPosition.parseTime("--from-time", fromTime);
    return new ReplaySelection(roomId, fromSeq, time, toSeq);
  }

  String roomId() {
    return roomId;
  }

  /** The time to start reading the partition at; empty: from its beginning. */
  Optional<Instant> fromTime() {
    return Optional.ofNullable(fromTime);
  }

  /**
   * Decides on the next record of the partition; {@code event} is its decoded value, null if it was
   * unreadable.
   */
  Step next(String key, JsonNode event) {
    if (!roomId.equals(key) || event == null || !event.path("seq").canConvertToLong()) {
      return Step.SKIP;
    }
    long seq = event.get("seq").asLong();
    if (firstSeq < 0) {
      firstSeq = seq;
    }
    if (toSeq != null && seq > toSeq) {
      stopped = true;
      return Step.STOP;
    }
    lastSeq = seq;
    boolean wanted =
        fromSeq != null
            ? seq >= fromSeq
            : event.path("at").canConvertToLong()
                && event.get("at").asLong() >= fromTime.toEpochMilli();
    if (wanted) {
      printed++;
    }
    return wanted ? Step.PRINT : Step.SKIP;
  }

  /**
   * What to say on stderr before the events: that the log's history of the room starts later than
   * asked (retention deleted the older events). Known once the room's first event is seen.
   */
  Optional<String> gapNotice() {
    if (fromSeq == null || firstSeq < 0 || firstSeq <= Math.max(fromSeq, 1)) {
      return Optional.empty();
    }
    return Optional.of(
        "roomlog: room "
            + roomId
            + "'s history in the log starts at seq "
            + firstSeq
            + " (the events before it are no longer kept)");
  }

  /** After the last record: why nothing was printed, or empty if something was. */
  Optional<String> nothingPrinted() {
    if (printed > 0) {
      return Optional.empty();
    }
    if (firstSeq < 0) {
      return Optional.of(
          fromTime == null
              ? "no events for room " + roomId
              : "no events for room " + roomId + " at or after " + fromTime);
    }
    if (fromTime != null) {
      return Optional.of("no events for room " + roomId + " at or after " + fromTime);
    }
    return Optional.of(
        "no events for room "
            + roomId
            + " from seq "
            + fromSeq
            + (toSeq == null ? "" : " to seq " + toSeq)
            + " (its history in the log starts at seq "
            + firstSeq
            + (stopped ? "" : " and ends at seq " + lastSeq)
            + ")");
  }
}
