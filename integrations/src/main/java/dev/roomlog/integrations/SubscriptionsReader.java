package dev.roomlog.integrations;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.Topic;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the managed webhook subscriptions ({@code roomlog.webhook-subscriptions}, compacted, key =
 * subscription id, a tombstone deletes) into {@link Subscriptions}: from the beginning of every
 * partition, without a consumer group (every worker needs all of them), while the worker runs. Each
 * {@link #refresh()} reads to the end the topic has when it is called, and the loop calls it after
 * each poll of room events, before it looks at them: so a subscription created or deleted (and
 * acknowledged to the caller of {@code /webhooks}) before an event was written is applied to that
 * event, whichever poll brought it. Used on the webhooks loop's thread only.
 */
final class SubscriptionsReader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SubscriptionsReader.class);
  private static final Duration CATCH_UP_LIMIT = Duration.ofSeconds(60);
  private static final Duration POLL = Duration.ofMillis(100);

  private final Consumer<String, byte[]> consumer;
  private final String topic;
  private final Deserializer<JsonNode> values;
  private final Subscriptions subscriptions;
  private boolean assigned;

  SubscriptionsReader(
      Consumer<String, byte[]> consumer,
      Topic<String, JsonNode> topic,
      Subscriptions subscriptions) {
    this.consumer = consumer;
    this.topic = topic.name();
    this.values = topic.valueSerde().deserializer();
    this.subscriptions = subscriptions;
  }

  /** Applies what the topic has, up to its end now, that was not read yet. */
  void refresh() {
    boolean first = !assigned;
    if (first) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      if (partitions.isEmpty()) {
        throw new IllegalStateException(topic + " does not exist: create the topics first");
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      assigned = true;
    }
    // To the end offsets of now, not what a poll happens to have fetched: a tombstone written a
    // moment before the event being dispatched may not be fetched yet.
    long deadline = System.nanoTime() + CATCH_UP_LIMIT.toNanos();
    try {
      Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment(), CATCH_UP_LIMIT);
      while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
        if (System.nanoTime() - deadline > 0) {
          throw new TimeoutException("no end of " + topic + " within " + CATCH_UP_LIMIT);
        }
        consumer.poll(POLL).forEach(this::apply);
      }
    } catch (TimeoutException e) {
      if (first) {
        // No room event is read before the subscriptions that existed at start.
        throw new IllegalStateException("could not read " + topic + " within " + CATCH_UP_LIMIT, e);
      }
      // Kafka is slow or away: what was read stands; the next refresh reads on.
      LOG.warn("Could not read {} to its end: {}", topic, e.toString());
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
