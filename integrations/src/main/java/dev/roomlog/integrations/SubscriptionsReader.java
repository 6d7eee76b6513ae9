package dev.roomlog.integrations;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.Topic;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the managed webhook subscriptions ({@code roomlog.webhook-subscriptions}, compacted, key =
 * subscription id, a tombstone deletes) into {@link Subscriptions}: from the beginning of every
 * partition, without a consumer group (every worker needs all of them), while the worker runs. The
 * first {@link #refresh()} reads to the end the topic had then, so no room event is read before the
 * subscriptions that existed at start. Used on the webhooks loop's thread only.
 */
final class SubscriptionsReader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SubscriptionsReader.class);
  private static final Duration CATCH_UP_LIMIT = Duration.ofSeconds(60);
  private static final Duration POLL = Duration.ofMillis(100);

  private final Consumer<String, byte[]> consumer;
  private final String topic;
  private final Deserializer<JsonNode> values;
  private final Subscriptions subscriptions;
  private boolean caughtUp;

  SubscriptionsReader(
      Consumer<String, byte[]> consumer,
      Topic<String, JsonNode> topic,
      Subscriptions subscriptions) {
    this.consumer = consumer;
    this.topic = topic.name();
    this.values = topic.valueSerde().deserializer();
    this.subscriptions = subscriptions;
  }

  /** Applies what the topic has that was not read yet. */
  void refresh() {
    if (!caughtUp) {
      catchUp();
      caughtUp = true;
      return;
    }
    consumer.poll(Duration.ZERO).forEach(this::apply);
  }

  private void catchUp() {
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic).stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .toList();
    if (partitions.isEmpty()) {
      throw new IllegalStateException(topic + " does not exist: create the topics first");
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
    long deadline = System.nanoTime() + CATCH_UP_LIMIT.toNanos();
    while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("could not read " + topic + " within " + CATCH_UP_LIMIT);
      }
      consumer.poll(POLL).forEach(this::apply);
    }
  }

  private void apply(ConsumerRecord<String, byte[]> record) {
    JsonNode value;
    try {
      value = values.deserialize(topic, record.value());
    } catch (RuntimeException e) {
      LOG.warn("Skipping {}-{}@{}: not JSON", topic, record.partition(), record.offset());
      return;
    }
    if (record.key() != null) {
      subscriptions.apply(record.key(), value);
    }
  }

  @Override
  public void close() {
    consumer.close();
  }
}
