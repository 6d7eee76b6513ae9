package dev.roomlog.delivery;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Puts a Kafka consumer at the end of this gateway's partition of the deliveries topic, once, at
 * start: it waits for the topic's partitions, picks the one the gatewayId key maps to ({@link
 * GatewayPartition}), {@code assign()}s it (no consumer group) and seeks to its end. Deliveries
 * written before the node started are for sockets that no longer exist.
 *
 * <p>Threading: called on the consumer's thread (a Kafka consumer is single-threaded).
 */
final class EndOfPartition {
  private static final Duration METADATA_RETRY = Duration.ofMillis(100);

  private final String topic;
  private final byte[] ownKey;
  private final Duration timeout;
  private final StopSignal stop;

  /**
   * @param ownKey the gatewayId as the producer serializes it ({@link DeliveryRouter#ownKey()})
   * @param timeout how long the whole positioning may take
   * @param stop ends the wait for the topic early (a {@link WakeupException}) when raised
   */
  EndOfPartition(String topic, byte[] ownKey, Duration timeout, StopSignal stop) {
    this.topic = Objects.requireNonNull(topic, "topic");
    this.ownKey = Objects.requireNonNull(ownKey, "ownKey").clone();
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.stop = Objects.requireNonNull(stop, "stop");
  }

  /**
   * Assigns {@code consumer} its partition and returns once the consumer is positioned at the end,
   * so that nothing written after this returns is missed.
   *
   * @throws KafkaException if the topic has no partitions within the timeout
   * @throws WakeupException if the stop signal is raised or the consumer is woken up meanwhile
   */
  TopicPartition assignAtEnd(Consumer<byte[], byte[]> consumer) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<PartitionInfo> partitions = List.of();
    while (partitions.isEmpty()) {
      if (stop.isRaised()) {
        throw new WakeupException();
      }
      Duration left = Duration.ofNanos(deadline - System.nanoTime());
      if (left.isNegative() || left.isZero()) {
        throw new KafkaException("topic " + topic + " has no partitions (does it exist?)");
      }
      List<PartitionInfo> found = consumer.partitionsFor(topic, left);
      partitions = found == null ? List.of() : found;
      if (partitions.isEmpty()) {
        // An unknown topic answers at once: do not hammer the broker while it is being created.
        stop.await(METADATA_RETRY);
      }
    }
    int index = GatewayPartition.of(ownKey, partitions.size());
    TopicPartition partition = new TopicPartition(topic, index);
    consumer.assign(List.of(partition));
    consumer.seekToEnd(List.of(partition));
    // seekToEnd is lazy; position() performs the lookup, so after it nothing new can be missed.
    consumer.position(partition, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
    return partition;
  }
}
