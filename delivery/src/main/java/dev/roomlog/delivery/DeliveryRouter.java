package dev.roomlog.delivery;

import dev.roomlog.protocol.Delivery;
import dev.roomlog.protocol.control.GatewayControl;
import java.util.Arrays;
import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Decides what to do with one raw record of the deliveries topic. Pure apart from the value
 * deserializer; safe to use from one thread at a time.
 *
 * <p>Records are compared by their key bytes first, so the values of other gateways' deliveries
 * (which share this partition) are never parsed.
 */
final class DeliveryRouter {
  /** The outcome for one record. */
  sealed interface Route {
    /** Addressed to this gateway: hand it to the sink. */
    record Deliver(Delivery delivery) implements Route {}

    /** A control message (management API) addressed to this gateway. */
    record Control(GatewayControl message) implements Route {}

    /** Addressed to another gateway whose key maps to the same partition. */
    record OtherGateway() implements Route {}

    /** Addressed to this gateway but unreadable; it is logged and skipped. */
    record Unreadable(String reason) implements Route {}
  }

  private static final Route OTHER_GATEWAY = new Route.OtherGateway();

  private final String topicName;
  private final byte[] ownKey;
  private final Deserializer<Delivery> values;

  DeliveryRouter(String topicName, byte[] ownKey, Deserializer<Delivery> values) {
    this.topicName = Objects.requireNonNull(topicName, "topicName");
    this.ownKey = Objects.requireNonNull(ownKey, "ownKey").clone();
    this.values = Objects.requireNonNull(values, "values");
  }

  /** A router for {@code settings}, using the topic's own serdes. */
  static DeliveryRouter of(DeliverySettings settings) {
    String topic = settings.topic().name();
    byte[] key = settings.topic().keySerde().serializer().serialize(topic, settings.gatewayId());
    return new DeliveryRouter(topic, key, settings.topic().valueSerde().deserializer());
  }

  /** The gatewayId as the producer serializes it: what the partition choice hashes. */
  byte[] ownKey() {
    return ownKey.clone();
  }

  Route route(byte[] key, byte[] value) {
    return route(key, value, null);
  }

  /**
   * @param kind the record's {@link GatewayControl#KIND_HEADER} as text, null when it has none (a
   *     delivery)
   */
  Route route(byte[] key, byte[] value, String kind) {
    if (!Arrays.equals(key, ownKey)) {
      return OTHER_GATEWAY;
    }
    if (value == null) {
      return new Route.Unreadable("the record has no value (a tombstone)");
    }
    if (kind != null) {
      try {
        return new Route.Control(GatewayControl.read(kind, value));
      } catch (RuntimeException e) {
        return new Route.Unreadable(e.getClass().getSimpleName() + ": " + e.getMessage());
      }
    }
    try {
      Delivery delivery = values.deserialize(topicName, value);
      if (delivery == null) {
        return new Route.Unreadable("the value deserialized to null");
      }
      return new Route.Deliver(delivery);
    } catch (RuntimeException e) {
      // A malformed record must not stop the deliveries behind it.
      return new Route.Unreadable(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }
}
