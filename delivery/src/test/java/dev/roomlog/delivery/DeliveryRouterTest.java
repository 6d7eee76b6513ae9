package dev.roomlog.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.protocol.Delivery;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.protocol.frame.ServerFrame;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;

class DeliveryRouterTest {
  private static final TopicSet TOPICS = TopicSet.prefixed("router-test");
  private static final DeliverySettings SETTINGS =
      DeliverySettings.of("localhost:9092", "gw-1", TOPICS);

  private final DeliveryRouter router = DeliveryRouter.of(SETTINGS);

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] serialized(Delivery delivery) {
    Serializer<Delivery> serializer = TOPICS.deliveries().valueSerde().serializer();
    return serializer.serialize(TOPICS.deliveries().name(), delivery);
  }

  @Test
  void deliversARecordKeyedByThisGatewayWithItsFrameTextIntact() {
    Delivery sent = Delivery.of(List.of("c1", "c2"), new ServerFrame.Connected("c1"));

    DeliveryRouter.Route route = router.route(bytes("gw-1"), serialized(sent));

    DeliveryRouter.Route.Deliver deliver = assertInstanceOf(DeliveryRouter.Route.Deliver.class, route);
    assertEquals(List.of("c1", "c2"), deliver.delivery().connectionIds());
    assertEquals(new ServerFrame.Connected("c1").toJson(), deliver.delivery().frame());
  }

  @Test
  void skipsAnotherGatewaysRecordWithoutParsingItsValue() {
    Deserializer<Delivery> mustNotBeCalled =
        (topic, data) -> {
          throw new AssertionError("another gateway's value was parsed");
        };
    DeliveryRouter strict = new DeliveryRouter("t", bytes("gw-1"), mustNotBeCalled);

    assertInstanceOf(
        DeliveryRouter.Route.OtherGateway.class, strict.route(bytes("gw-2"), bytes("{garbage")));
    assertInstanceOf(
        DeliveryRouter.Route.OtherGateway.class, strict.route(bytes("gw-10"), bytes("{}")));
    assertInstanceOf(DeliveryRouter.Route.OtherGateway.class, strict.route(null, bytes("{}")));
  }

  @Test
  void reportsMalformedJsonAsUnreadableInsteadOfThrowing() {
    DeliveryRouter.Route route = router.route(bytes("gw-1"), bytes("{not json"));

    DeliveryRouter.Route.Unreadable bad = assertInstanceOf(DeliveryRouter.Route.Unreadable.class, route);
    assertTrue(bad.reason().contains("SerializationException"), bad.reason());
  }

  @Test
  void reportsADeliveryWithoutRecipientsAsUnreadable() {
    DeliveryRouter.Route route =
        router.route(bytes("gw-1"), bytes("{\"connectionIds\":[],\"frame\":{\"type\":\"x\"}}"));

    assertInstanceOf(DeliveryRouter.Route.Unreadable.class, route);
  }

  @Test
  void reportsATombstoneAsUnreadable() {
    assertInstanceOf(DeliveryRouter.Route.Unreadable.class, router.route(bytes("gw-1"), null));
  }
}
