package dev.roomlog.delivery;

import dev.roomlog.protocol.Delivery;
import dev.roomlog.protocol.Topic;
import dev.roomlog.protocol.TopicSet;
import java.util.Objects;

/**
 * What one delivery consumer needs, validated at construction.
 *
 * @param bootstrapServers Kafka bootstrap servers, e.g. {@code localhost:9092}
 * @param gatewayId the id of this gateway node; only deliveries keyed by it are handed on
 * @param topic the deliveries topic, normally {@link TopicSet#deliveries()}
 */
public record DeliverySettings(
    String bootstrapServers, String gatewayId, Topic<String, Delivery> topic) {

  public DeliverySettings {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(gatewayId, "gatewayId");
    Objects.requireNonNull(topic, "topic");
    if (bootstrapServers.isBlank()) {
      throw new IllegalArgumentException(
          "bootstrapServers must not be blank: expected host:port[,host:port...]");
    }
    if (gatewayId.isBlank()) {
      throw new IllegalArgumentException(
          "gatewayId must not be blank: expected the id this gateway stamps on its WAL records");
    }
  }

  /** Settings for the deliveries topic of {@code topics}. */
  public static DeliverySettings of(String bootstrapServers, String gatewayId, TopicSet topics) {
    return new DeliverySettings(bootstrapServers, gatewayId, topics.deliveries());
  }
}
