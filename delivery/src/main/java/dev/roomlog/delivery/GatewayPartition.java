package dev.roomlog.delivery;

import org.apache.kafka.common.utils.Utils;

/**
 * The partition of the deliveries topic that holds one gateway's records. Pure.
 *
 * <p>The room processor writes deliveries with key = gatewayId and no explicit partition, so the
 * producer's built-in partitioner places them at {@code toPositive(murmur2(keyBytes)) %
 * partitionCount}. This class repeats that formula so that a gateway can {@code assign()} the one
 * partition it needs instead of reading the whole topic. It stays correct only while the topic's
 * partition count is unchanged: adding partitions moves keys, so gateways must be restarted after
 * the topic is widened.
 */
final class GatewayPartition {
  private GatewayPartition() {}

  /**
   * @param serializedKey the gatewayId as the producer's key serializer writes it
   * @param partitionCount the number of partitions of the deliveries topic, at least 1
   */
  static int of(byte[] serializedKey, int partitionCount) {
    if (serializedKey == null) {
      throw new IllegalArgumentException("a delivery key must not be null: expected a gatewayId");
    }
    if (partitionCount < 1) {
      throw new IllegalArgumentException(
          "partitionCount must be at least 1, was " + partitionCount);
    }
    return Utils.toPositive(Utils.murmur2(serializedKey)) % partitionCount;
  }
}
