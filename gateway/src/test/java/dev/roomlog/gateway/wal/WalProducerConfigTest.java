package dev.roomlog.gateway.wal;

import static dev.roomlog.gateway.wal.WalFixtures.TOPICS;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

/** The WAL producer's properties, and that Kafka's producer accepts them. */
class WalProducerConfigTest {

  @Test
  void producerTimeoutsAreDerivedFromTheLogWriteTimeout() {
    Map<String, Object> config =
        WalProducerConfig.of("localhost:9092", WriteBudget.of(Duration.ofSeconds(15)));

    assertEquals(7_500, config.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG));
    assertEquals(7_495, config.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG));
    assertEquals(3_750L, config.get(ProducerConfig.MAX_BLOCK_MS_CONFIG));
    assertEquals(WriteBudget.LINGER_MS, config.get(ProducerConfig.LINGER_MS_CONFIG));
  }

  @Test
  void everyAcknowledgedRecordIsOnEveryInSyncReplicaAndWrittenOnce() {
    Map<String, Object> config =
        WalProducerConfig.of("localhost:9092", WriteBudget.of(Duration.ofSeconds(15)));

    assertEquals("all", config.get(ProducerConfig.ACKS_CONFIG));
    assertEquals(true, config.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG));
    assertEquals("localhost:9092", config.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG));
  }

  @Test
  void heartbeatsHaveAProducerOfTheirOwnWithTheSameGuarantees() {
    WriteBudget budget = WriteBudget.of(Duration.ofSeconds(15));
    Map<String, Object> actions = WalProducerConfig.of("localhost:9092", budget);
    Map<String, Object> beats =
        WalProducerConfig.of("localhost:9092", budget, WalProducerConfig.HEARTBEATS_CLIENT_ID);

    assertEquals("roomlog-gateway-wal", actions.get(ProducerConfig.CLIENT_ID_CONFIG));
    assertEquals("roomlog-gateway-heartbeat", beats.get(ProducerConfig.CLIENT_ID_CONFIG));
    beats.remove(ProducerConfig.CLIENT_ID_CONFIG);
    actions.remove(ProducerConfig.CLIENT_ID_CONFIG);
    assertEquals(actions, beats, "acks, idempotence and the timeouts as the actions'");
  }

  @Test
  void kafkaAcceptsTheDerivedTimeoutsDownToTheSmallestLogWriteTimeout() {
    for (Duration timeout :
        List.of(Duration.ofSeconds(1), Duration.ofSeconds(15), Duration.ofHours(1))) {
      Map<String, Object> config = WalProducerConfig.of("localhost:9", WriteBudget.of(timeout));
      // The constructor checks delivery.timeout.ms >= linger.ms + request.timeout.ms; it does
      // not connect.
      new KafkaProducer<>(
              config,
              TOPICS.actions().keySerde().serializer(),
              TOPICS.actions().valueSerde().serializer())
          .close(Duration.ZERO);
    }
  }
}
