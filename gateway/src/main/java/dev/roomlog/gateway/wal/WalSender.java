package dev.roomlog.gateway.wal;

import dev.roomlog.protocol.WalRecord;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

/**
 * Hands one record to the producer and settles it from Kafka's answer: keyed by {@link
 * WalRecord#key()}, or one copy to each partition when {@link WalRecord#toEveryPartition()}. Called
 * on the writer thread only; {@code send} may block (metadata, a full producer buffer), which is
 * why that thread is not a Netty event loop.
 */
final class WalSender {
  private final Producer<String, WalRecord> producer;
  private final String topicName;

  WalSender(Producer<String, WalRecord> producer, String topicName) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.topicName = Objects.requireNonNull(topicName, "topicName");
  }

  void send(PendingRecord pending) {
    WalRecord record = pending.record;
    try {
      if (record.toEveryPartition()) {
        sendToEveryPartition(pending);
        return;
      }
      producer.send(
          new ProducerRecord<>(topicName, record.key(), record),
          (metadata, exception) -> {
            if (exception == null) {
              pending.acknowledged();
            } else {
              pending.failed(exception);
            }
          });
    } catch (RuntimeException e) {
      // Thrown before the record was queued in the producer: a serialization error, an
      // interrupted wait, or a closed producer. (Timeouts on metadata or buffer space come to
      // the callback instead.)
      pending.failed(e);
    }
  }

  /**
   * Sends one copy of the record to each partition, in partition order, and settles it once:
   * acknowledged when every copy is, failed at the first copy that fails. Copies already sent may
   * land either way; a repeated {@code $disconnect} or heartbeat is harmless.
   */
  private void sendToEveryPartition(PendingRecord pending) {
    WalRecord record = pending.record;
    int partitions = producer.partitionsFor(topicName).size();
    if (partitions == 0) {
      pending.failed(new KafkaException("topic " + topicName + " has no partitions"));
      return;
    }
    AtomicInteger unacknowledged = new AtomicInteger(partitions);
    for (int partition = 0; partition < partitions; partition++) {
      producer.send(
          new ProducerRecord<>(topicName, partition, record.key(), record),
          (metadata, exception) -> {
            if (exception != null) {
              pending.failed(exception);
            } else if (unacknowledged.decrementAndGet() == 0) {
              pending.acknowledged();
            }
          });
    }
  }
}
