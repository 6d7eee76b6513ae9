package dev.roomlog.systemtest;

import dev.roomlog.kafka.EmbeddedKafkaBroker;
import dev.roomlog.protocol.Topic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * One real Kafka broker for the whole test JVM (starting one per test would cost seconds each, and
 * a broker fault halts the JVM anyway). Tests keep apart by using their own topics: {@link
 * #uniquePrefix()}.
 */
public final class SharedKafka {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static EmbeddedKafkaBroker broker;

  private SharedKafka() {}

  public static synchronized String bootstrapServers() {
    if (broker == null) {
      try {
        Path dir = Files.createTempDirectory("roomlog-it-kafka");
        broker = EmbeddedKafkaBroker.onFreePorts(dir);
        broker.start();
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "embedded-kafka-stop"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return broker.bootstrapServers();
  }

  /** A topic prefix no other test in this JVM uses. */
  public static String uniquePrefix() {
    return "t" + COUNTER.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Every committed record of the topic, in partition then offset order, read to its end. */
  public static <K, V> List<ConsumerRecord<K, V>> readAll(Topic<K, V> topic) {
    return readAll(bootstrapServers(), topic);
  }

  /** As {@link #readAll(Topic)}, from the Kafka at {@code bootstrap}. */
  public static <K, V> List<ConsumerRecord<K, V>> readAll(String bootstrap, Topic<K, V> topic) {
    return readAll(
        bootstrap,
        topic.name(),
        topic.keySerde().deserializer(),
        topic.valueSerde().deserializer());
  }

  static <K, V> List<ConsumerRecord<K, V>> readAll(
      String topic, Deserializer<K> keys, Deserializer<V> values) {
    return readAll(bootstrapServers(), topic, keys, values);
  }

  /** Every committed record of {@code topic} at {@code bootstrap}, read to its end. */
  public static <K, V> List<ConsumerRecord<K, V>> readAll(
      String bootstrap, String topic, Deserializer<K> keys, Deserializer<V> values) {
    List<ConsumerRecord<K, V>> records = new ArrayList<>();
    try (KafkaConsumer<K, V> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            keys,
            values)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read " + topic + " to its end within 30 s");
        }
        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
      }
    }
    return records;
  }
}
