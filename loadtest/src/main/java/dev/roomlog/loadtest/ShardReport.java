package dev.roomlog.loadtest;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a member shard of a sharded room tells the publishing shard at the end of a run: its counts,
 * its errors by kind, and for every measured message that reached all of its members, how long
 * after the message's due send time the last of them got it. The publishing shard takes the largest
 * of these per message as the room's "last member" latency.
 *
 * <p>Written as lines of text ({@link #encode}, {@link #decode}) so that a failed run leaves a file
 * a person can read. Pure: no I/O.
 *
 * @param delivered copies received, whichever message
 * @param windowDelivered copies received within the measured window
 * @param duplicates second copies of a message for the same member
 * @param outstanding what never arrived at this shard's members
 * @param missing the ids of the messages some member here never got
 * @param errors error counts by kind, e.g. {@code setup 503 overloaded}
 * @param completions message id to the latency of this shard's last member, in nanoseconds
 */
record ShardReport(
    long delivered,
    long windowDelivered,
    long duplicates,
    MessageLedger.Outstanding outstanding,
    Set<Long> missing,
    Map<String, Long> errors,
    Map<Long, Long> completions) {

  ShardReport {
    missing = Set.copyOf(missing);
    errors = Map.copyOf(errors);
    completions = Map.copyOf(completions);
  }

  String encode() {
    StringBuilder b = new StringBuilder();
    b.append("delivered ").append(delivered).append('\n');
    b.append("windowDelivered ").append(windowDelivered).append('\n');
    b.append("duplicates ").append(duplicates).append('\n');
    b.append("outstandingMessages ").append(outstanding.messages()).append('\n');
    b.append("outstandingDeliveries ").append(outstanding.deliveries()).append('\n');
    new TreeSet<>(missing).forEach(id -> b.append("missing ").append(id).append('\n'));
    new TreeMap<>(completions)
        .forEach(
            (id, nanos) ->
                b.append("completed ").append(id).append(' ').append(nanos).append('\n'));
    // Last: an error's kind may contain spaces ("setup 503 overloaded"); the count comes first.
    new TreeMap<>(errors)
        .forEach((kind, n) -> b.append("error ").append(n).append(' ').append(kind).append('\n'));
    return b.toString();
  }

  /**
   * @throws IllegalArgumentException naming the line that is not one {@link #encode} writes
   */
  static ShardReport decode(String text) {
    long delivered = 0;
    long windowDelivered = 0;
    long duplicates = 0;
    long outstandingMessages = 0;
    long outstandingDeliveries = 0;
    Set<Long> missing = new TreeSet<>();
    Map<String, Long> errors = new TreeMap<>();
    Map<Long, Long> completions = new TreeMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split(" ", 3);
      try {
        switch (f[0]) {
          case "delivered" -> delivered = Long.parseLong(f[1]);
          case "windowDelivered" -> windowDelivered = Long.parseLong(f[1]);
          case "duplicates" -> duplicates = Long.parseLong(f[1]);
          case "outstandingMessages" -> outstandingMessages = Long.parseLong(f[1]);
          case "outstandingDeliveries" -> outstandingDeliveries = Long.parseLong(f[1]);
          case "missing" -> missing.add(Long.parseLong(f[1]));
          case "completed" -> completions.put(Long.parseLong(f[1]), Long.parseLong(f[2]));
          case "error" -> errors.merge(f[2], Long.parseLong(f[1]), Long::sum);
          default -> throw new IllegalArgumentException("a shard report line: " + line);
        }
      } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
        throw new IllegalArgumentException("a shard report line: " + line, e);
      }
    }
    return new ShardReport(
        delivered,
        windowDelivered,
        duplicates,
        new MessageLedger.Outstanding(outstandingMessages, outstandingDeliveries),
        missing,
        errors,
        completions);
  }
}
