package dev.roomlog.server;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where {@code roomlog tail --from} starts reading: {@code beginning}, {@code end}, {@code
 * <partition>:<offset>} (that partition only) or an ISO-8601 time. Pure: the consumer loop asks the
 * broker for the offsets and this decides between them.
 */
sealed interface StartPosition {
  record Beginning() implements StartPosition {}

  record End() implements StartPosition {}

  /** One partition from one offset; the other partitions are not read. */
  record At(int partition, long offset) implements StartPosition {
    public At {
      if (partition < 0 || offset < 0) {
        throw new IllegalArgumentException(
            "a position is <partition>:<offset>, both 0 or more, was " + partition + ":" + offset);
      }
    }
  }

  /** The first record of each partition whose timestamp is this time or later. */
  record Since(Instant time) implements StartPosition {}

  Pattern PARTITION_OFFSET = Pattern.compile("(\\d{1,9}):(\\d{1,18})");

  static StartPosition parse(String text) {
    String value = text.strip();
    if (value.equals("beginning")) {
      return new Beginning();
    }
    if (value.equals("end")) {
      return new End();
    }
    Matcher at = PARTITION_OFFSET.matcher(value);
    if (at.matches()) {
      return new At(Integer.parseInt(at.group(1)), Long.parseLong(at.group(2)));
    }
    try {
      return new Since(parseTime("--from", value));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--from must be beginning, end, <partition>:<offset> or an ISO-8601 time such as"
              + " 2025-11-26T10:00:00Z, was '"
              + text
              + "'");
    }
  }

  /** An ISO-8601 instant with its offset ({@code 2025-11-26T10:00:00Z}, {@code ...+01:00}). */
  static Instant parseTime(String flag, String text) {
    try {
      return OffsetDateTime.parse(text.strip()).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          flag
              + " must be an ISO-8601 time with its offset, such as 2025-11-26T10:00:00Z, was '"
              + text
              + "'");
    }
  }

  /** Whether this position reads {@code partition}. */
  default boolean reads(int partition) {
    return !(this instanceof At at) || at.partition() == partition;
  }

  /**
   * The offset to start a partition at, given what the broker says of it: its first and next
   * offsets, and for a time the first offset at or after it (null when there is none). An offset
   * outside the partition is clamped to it, so a stale offset reads what is left.
   */
  default long offset(long beginning, long end, Long offsetForTime) {
    if (this instanceof Beginning) {
      return beginning;
    }
    if (this instanceof At at) {
      return Math.max(beginning, Math.min(end, at.offset()));
    }
    if (this instanceof Since) {
      return offsetForTime == null ? end : offsetForTime;
    }
    return end;
  }
}
