package dev.roomlog.integrations;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which offsets of each partition are done, and so how far the consumer group may commit: up to
 * (not including) the lowest offset still pending, or past the last offset read when none is. A
 * record is pending while any call made from it is neither delivered nor handed to Kafka (parked or
 * dead-lettered, acknowledged by the broker): a record read for three subscriptions is released
 * three times. Plain state, owned by the worker's thread.
 */
final class Offsets {
  private final Map<Source, Partition> partitions = new HashMap<>();

  private static final class Partition {
    final TreeMap<Long, Integer> pending = new TreeMap<>();
    long next = -1;
    long committed = -1;
  }

  /** Record {@code offset} read, with {@code refs} calls to finish before it is done (0: done). */
  void read(Source source, long offset, int refs) {
    Partition p = partitions.computeIfAbsent(source, s -> new Partition());
    if (refs > 0) {
      p.pending.merge(offset, refs, Integer::sum);
    }
    p.next = Math.max(p.next, offset + 1);
  }

  /** One call made from the record at {@code offset} is finished. */
  void release(Source source, long offset) {
    Partition p = partitions.get(source);
    if (p == null) {
      return; // the partition was revoked meanwhile: its new owner reads the record again
    }
    p.pending.computeIfPresent(offset, (o, refs) -> refs > 1 ? refs - 1 : null);
  }

  /** The offset the group may commit for {@code source}: -1 when nothing was read. */
  long committable(Source source) {
    Partition p = partitions.get(source);
    if (p == null || p.next < 0) {
      return -1;
    }
    return p.pending.isEmpty() ? p.next : p.pending.firstKey();
  }

  /** The offsets to commit that moved since the last call, by partition; marks them committed. */
  Map<Source, Long> toCommit() {
    Map<Source, Long> out = new HashMap<>();
    partitions.forEach(
        (source, p) -> {
          long at = committable(source);
          if (at > p.committed) {
            out.put(source, at);
            p.committed = at;
          }
        });
    return out;
  }

  /** Records of {@code source} read and not done. */
  int pending(Source source) {
    Partition p = partitions.get(source);
    return p == null ? 0 : p.pending.size();
  }

  /** The partition is no longer ours: forget it (late releases are ignored). */
  void forget(Source source) {
    partitions.remove(source);
  }
}
