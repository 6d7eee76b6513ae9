package dev.roomlog.systemtest;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker that fault tests use behaves like a broker under real faults: it serves, freezes
 * (clients time out), thaws (clients carry on), crashes, and comes back with its records.
 */
class KafkaBrokerProcessIT {
  private static final String TOPIC = "broker-process-it";
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void sendsTimeOutWhilePausedSucceedAfterResumeAndRecordsSurviveAKill() throws Exception {
    try (KafkaBrokerProcess broker = KafkaBrokerProcess.onFreePorts(dir)) {
      broker.start();
      Map<String, Object> adminConfig =
          Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
      try (Admin admin = Admin.create(adminConfig)) {
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, SECONDS);
      }

      try (KafkaProducer<String, String> producer = impatientProducer(broker)) {
        producer.send(record("first")).get(30, SECONDS);
        assertEquals(List.of("first"), readValues(broker));

        broker.pause();
        ExecutionException frozen =
            assertThrows(
                ExecutionException.class,
                () -> producer.send(record("while paused")).get(30, SECONDS));
        assertInstanceOf(TimeoutException.class, frozen.getCause(), frozen.toString());

        broker.resume();
        // The client may still be reconnecting after its timeouts: retry until a send lands.
        await("a send after resume")
            .atMost(WAIT)
            .pollInSameThread()
            .ignoreExceptions()
            .untilAsserted(() -> producer.send(record("after resume")).get(30, SECONDS));
      }

      broker.kill();
      assertFalse(broker.isRunning());
      broker.start();

      // "while paused" may be there too: the request reached the frozen broker's socket
      // before the client gave up on it, and a timeout says "unknown", not "not written".
      List<String> values = readValues(broker);
      assertEquals("first", values.get(0), values.toString());
      assertTrue(values.contains("after resume"), values.toString());
    }
  }

  /** A producer that gives up on a send after 2 s, so that a frozen broker shows quickly. */
  private static KafkaProducer<String, String> impatientProducer(KafkaBrokerProcess broker) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
            ProducerConfig.LINGER_MS_CONFIG, 0,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_000,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 2_000,
            ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000),
        new StringSerializer(),
        new StringSerializer());
  }

  private static ProducerRecord<String, String> record(String value) {
    return new ProducerRecord<>(TOPIC, "k", value);
  }

  /** The topic's values, read from its start to its current end. */
  private static List<String> readValues(KafkaBrokerProcess broker) {
    List<String> values = new ArrayList<>();
    TopicPartition partition = new TopicPartition(TOPIC, 0);
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(
            Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
            new StringDeserializer(),
            new StringDeserializer())) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition), WAIT).get(partition);
      await("reading " + TOPIC + " to offset " + end)
          .atMost(WAIT)
          .pollInSameThread()
          .pollInterval(Duration.ZERO)
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                return consumer.position(partition) >= end;
              });
    }
    return values;
  }
}
