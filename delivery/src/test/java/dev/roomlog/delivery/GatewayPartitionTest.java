package dev.roomlog.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class GatewayPartitionTest {

  private static byte[] key(String gatewayId) {
    return gatewayId.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void choosesTheSamePartitionAsTheProducersBuiltInPartitioner() {
    for (int partitions : new int[] {1, 2, 3, 6, 12, 50}) {
      for (int i = 0; i < 500; i++) {
        byte[] key = key("gateway-" + i);
        assertEquals(
            BuiltInPartitioner.partitionForKey(key, partitions),
            GatewayPartition.of(key, partitions),
            "gateway-" + i + " over " + partitions + " partitions");
      }
    }
  }

  @Test
  void staysWithinThePartitionRangeAndSpreadsGateways() {
    Set<Integer> used = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      int p = GatewayPartition.of(key("gw-" + i), 6);
      assertTrue(p >= 0 && p < 6, "partition " + p);
      used.add(p);
    }
    assertEquals(6, used.size(), "100 gateways should use all 6 partitions");
  }

  @Test
  void rejectsAZeroPartitionCountNamingIt() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> GatewayPartition.of(key("gw"), 0));
    assertTrue(e.getMessage().contains("partitionCount"), e.getMessage());
  }
}
