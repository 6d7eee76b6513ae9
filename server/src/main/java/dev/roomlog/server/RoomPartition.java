package dev.roomlog.server;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * The partition of a topic keyed by roomId that holds a room: where the producer's built-in
 * partitioner puts a record with that key ({@code toPositive(murmur2(key)) % partitions}), the key
 * written by the string serializer. True while the topic's partition count is unchanged, which
 * Roomlog's start-up check guarantees. Pure.
 */
final class RoomPartition {
  private RoomPartition() {}

  static int of(String roomId, int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("a topic has at least 1 partition, was " + partitions);
    }
    return Utils.toPositive(Utils.murmur2(roomId.getBytes(StandardCharsets.UTF_8))) % partitions;
  }
}
