package dev.roomlog.gateway.wal;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The WAL producer's properties, a function of the bootstrap servers and the {@link WriteBudget}:
 * acks=all and idempotence on, so that a record Kafka acknowledged survives the loss of a broker
 * and a retried send is not written twice; linger {@link WriteBudget#LINGER_MS} ms; max.block,
 * delivery and request timeouts from the budget, so that the producer's own timeouts fit inside
 * {@code logWriteTimeout}.
 */
final class WalProducerConfig {

  private WalProducerConfig() {}

  /** The client id of the producer of the clients' actions. */
  static final String ACTIONS_CLIENT_ID = "roomlog-gateway-wal";

  /** The client id of the producer of the heartbeats alone. */
  static final String HEARTBEATS_CLIENT_ID = "roomlog-gateway-heartbeat";

  static Map<String, Object> of(String bootstrapServers, WriteBudget budget) {
    return of(bootstrapServers, budget, ACTIONS_CLIENT_ID);
  }

  static Map<String, Object> of(String bootstrapServers, WriteBudget budget, String clientId) {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.LINGER_MS_CONFIG, WriteBudget.LINGER_MS);
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, budget.maxBlock().toMillis());
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, intMillis(budget.delivery()));
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, intMillis(budget.request()));
    return config;
  }

  /** For the producer's int-typed settings; capping (at 24 days) only shortens a bound. */
  private static int intMillis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
  }
}
