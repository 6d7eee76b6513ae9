package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class RoomPartitionTest {

  @Test
  void choosesThePartitionTheProducerPutsTheRoomIn() {
    for (String room :
        new String[] {"lobby", "r-b3Bd0Zq9x1T2mKp8", "a", "ümlaut-room", "x".repeat(64)}) {
      for (int partitions : new int[] {1, 3, 6, 12}) {
        assertEquals(
            BuiltInPartitioner.partitionForKey(room.getBytes(StandardCharsets.UTF_8), partitions),
            RoomPartition.of(room, partitions),
            room + " over " + partitions);
      }
    }
  }

  @Test
  void needsAtLeastOnePartition() {
    assertEquals(0, RoomPartition.of("lobby", 1));
    assertThrows(IllegalArgumentException.class, () -> RoomPartition.of("lobby", 0));
  }
}
