package dev.roomlog.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.protocol.Delivery;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.protocol.control.CommandAnswer;
import dev.roomlog.protocol.control.ConnectionCommand;
import dev.roomlog.protocol.control.GatewayControl;
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

    DeliveryRouter.Route.Deliver deliver =
        assertInstanceOf(DeliveryRouter.Route.Deliver.class, route);
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

    DeliveryRouter.Route.Unreadable bad =
        assertInstanceOf(DeliveryRouter.Route.Unreadable.class, route);
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

  @Test
  void routesAConnectionCommandForThisGatewayToControlParsed() {
    ConnectionCommand command =
        new ConnectionCommand("req-1", "gw-2", ConnectionCommand.Op.SEND, "gw-1.u1", "hi", 1_000L);

    DeliveryRouter.Route route =
        router.route(bytes("gw-1"), command.toBytes(), GatewayControl.COMMAND);

    assertEquals(command, assertInstanceOf(DeliveryRouter.Route.Control.class, route).message());
  }

  @Test
  void routesACommandAnswerForThisGatewayToControlParsed() {
    CommandAnswer answer = new CommandAnswer("req-1", CommandAnswer.Outcome.GONE, null);

    DeliveryRouter.Route route =
        router.route(bytes("gw-1"), answer.toBytes(), GatewayControl.ANSWER);

    assertEquals(answer, assertInstanceOf(DeliveryRouter.Route.Control.class, route).message());
  }

  @Test
  void skipsAnotherGatewaysControlMessageWithoutParsingIt() {
    // Unreadable as a control message: parsed, it would be Unreadable, not OtherGateway.
    assertInstanceOf(
        DeliveryRouter.Route.OtherGateway.class,
        router.route(bytes("gw-2"), bytes("{garbage"), GatewayControl.COMMAND));
    assertInstanceOf(
        DeliveryRouter.Route.OtherGateway.class,
        router.route(bytes("gw-10"), bytes("{garbage"), "someFutureKind"));
  }

  @Test
  void reportsAnUnknownKindAsUnreadableNamingIt() {
    byte[] value = new CommandAnswer("req-1", CommandAnswer.Outcome.DONE, null).toBytes();

    DeliveryRouter.Route route = router.route(bytes("gw-1"), value, "someFutureKind");

    DeliveryRouter.Route.Unreadable bad =
        assertInstanceOf(DeliveryRouter.Route.Unreadable.class, route);
    assertTrue(bad.reason().contains("someFutureKind"), bad.reason());
  }

  @Test
  void reportsAGarbledControlMessageAsUnreadable() {
    for (String kind : List.of(GatewayControl.COMMAND, GatewayControl.ANSWER)) {
      assertInstanceOf(
          DeliveryRouter.Route.Unreadable.class,
          router.route(bytes("gw-1"), bytes("{garbage"), kind),
          kind);
      assertInstanceOf(
          DeliveryRouter.Route.Unreadable.class,
          router.route(bytes("gw-1"), bytes("{}"), kind),
          kind);
      assertInstanceOf(
          DeliveryRouter.Route.Unreadable.class, router.route(bytes("gw-1"), null, kind), kind);
    }
  }

  @Test
  void aDeliveryWithAKindHeaderIsNotDelivered() {
    byte[] delivery = serialized(Delivery.of(List.of("c1"), new ServerFrame.Connected("c1")));

    assertInstanceOf(
        DeliveryRouter.Route.Unreadable.class,
        router.route(bytes("gw-1"), delivery, GatewayControl.COMMAND));
  }
}
