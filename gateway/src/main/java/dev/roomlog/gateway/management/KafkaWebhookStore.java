package dev.roomlog.gateway.management;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.Topic;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The managed webhook subscriptions on Kafka: a thread of its own reads the compacted topic from
 * its beginning (every partition, no consumer group) into a table, and goes on reading it, so a
 * subscription written through another gateway shows here within a poll. A write is acknowledged by
 * all in-sync replicas (acks=all, idempotent) before it is answered, and is applied to the table at
 * once, so this gateway's next request sees it. A topic that does not exist yet is looked for again
 * each second; until it has been read to its end the store is not {@link #ready()}.
 */
public final class KafkaWebhookStore implements WebhookStore, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KafkaWebhookStore.class);
  private static final Duration POLL = Duration.ofMillis(200);

  private final Topic<String, JsonNode> topic;
  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaProducer<String, byte[]> producer;
  private final Map<String, JsonNode> table = new ConcurrentSkipListMap<>();

  /**
   * The offset of the record each id's entry comes from: a write applied at its acknowledgement is
   * not undone when the reader reaches an older record of its id (an id is always on one
   * partition).
   */
  private final Map<String, Long> offsets = new HashMap<>();

  private final Thread reader;
  private volatile boolean ready;
  private volatile boolean running = true;

  public KafkaWebhookStore(
      String bootstrapServers, Topic<String, JsonNode> topic, String gatewayId) {
    this.topic = topic;
    this.consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                // a topic made by a broker's auto-creation would not be compacted
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
                false,
                ConsumerConfig.CLIENT_ID_CONFIG,
                "roomlog-webhooks-read-" + gatewayId),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    this.producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                10_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                5_000,
                // send() runs on a Netty event loop: it must not wait long for metadata
                ProducerConfig.MAX_BLOCK_MS_CONFIG,
                2_000,
                ProducerConfig.CLIENT_ID_CONFIG,
                "roomlog-webhooks-write-" + gatewayId),
            new StringSerializer(),
            new ByteArraySerializer());
    this.reader = new Thread(this::read, "roomlog-webhooks-" + gatewayId);
    reader.setDaemon(true);
    reader.start();
  }

  @Override
  public boolean ready() {
    return ready;
  }

  @Override
  public Map<String, JsonNode> all() {
    return Collections.unmodifiableMap(table);
  }

  @Override
  public CompletableFuture<Void> write(String id, JsonNode value) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
    try {
      producer.send(
          new ProducerRecord<>(topic.name(), id, bytes),
          (metadata, failure) -> {
            if (failure != null) {
              done.completeExceptionally(failure);
              return;
            }
            apply(id, value, metadata.offset());
            done.complete(null);
          });
    } catch (RuntimeException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  private void read() {
    try {
      List<TopicPartition> partitions = List.of();
      while (running && partitions.isEmpty()) {
        partitions =
            consumer.partitionsFor(topic.name()).stream()
                .map(p -> new TopicPartition(topic.name(), p.partition()))
                .toList();
        if (partitions.isEmpty()) {
          log.warn("{} does not exist yet: /webhooks answers 503 until it does", topic.name());
          Thread.sleep(1_000);
        }
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      while (running) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
          try {
            JsonNode value =
                topic.valueSerde().deserializer().deserialize(topic.name(), record.value());
            apply(record.key(), value, record.offset());
          } catch (RuntimeException e) {
            log.warn("skipping {}@{}: not JSON", record.partition(), record.offset());
          }
        }
        if (!ready
            && ends.entrySet().stream()
                .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
          ready = true;
        }
      }
    } catch (WakeupException | InterruptedException e) {
      // closing
    } catch (RuntimeException e) {
      log.error("reading {} failed: /webhooks answers 503 from now on", topic.name(), e);
      ready = false;
    } finally {
      consumer.close();
    }
  }

  private synchronized void apply(String id, JsonNode value, long offset) {
    if (id == null || offset < offsets.getOrDefault(id, -1L)) {
      return;
    }
    offsets.put(id, offset);
    if (value == null) {
      table.remove(id);
    } else {
      table.put(id, value);
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      reader.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(5));
  }
}
