package dev.roomlog.integrations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.Delivery;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.ActionNames;
import dev.roomlog.protocol.action.Authorizer;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.action.RequestContext.EventType;
import dev.roomlog.protocol.integration.RouteEvent;
import dev.roomlog.protocol.integration.Routes;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/** Which log records become route calls, the calls themselves, and a two-way answer's delivery. */
class RouteFeedTest {
  private static final TopicSet TOPICS = TopicSet.DEFAULT;
  private static final int PARTITIONS = 6;
  private static final Routes ROUTES =
      Routes.parse(
          "[{\"routeKey\":\"placeOrder\",\"url\":\"http://127.0.0.1:1/orders\",\"twoWay\":true},"
              + "{\"routeKey\":\"$default\",\"url\":\"http://127.0.0.1:1/any\"},"
              + "{\"routeKey\":\"$disconnect\",\"url\":\"http://127.0.0.1:1/bye\"}]");
  private static final RouteCalls CALLS =
      new RouteCalls(ROUTES, new RouteEvent.Place("localhost:8081", RouteEvent.STAGE));
  private static final String CONNECTION = "gw-1.c7";

  private final RouteFeed feed =
      new RouteFeed(
          TOPICS.actions().name(),
          TOPICS.deliveries().name(),
          CALLS,
          TOPICS.actions().valueSerde().deserializer(),
          TOPICS.deliveries().valueSerde().serializer(),
          () -> PARTITIONS);

  private static WalRecord record(Action action, String routeKey, EventType type) {
    return new WalRecord(
        action,
        new RequestContext(
            routeKey,
            type,
            CONNECTION,
            1_000L,
            2_000L,
            "req-" + routeKey,
            new RequestContext.Identity("203.0.113.7", "ua/1"),
            "gw-1",
            "gw-1-run",
            Authorizer.apiKey("web")));
  }

  private List<Item> items(WalRecord record, int partition) {
    byte[] bytes = TOPICS.actions().valueSerde().serializer().serialize("t", record);
    return feed.items(bytes, partition, new Source("actions", partition), 5);
  }

  private static int ownPartition() {
    return Utils.toPositive(Utils.murmur2(CONNECTION.getBytes(StandardCharsets.UTF_8)))
        % PARTITIONS;
  }

  @Test
  void aRoutedActionIsOneCallOfItsRouteInItsConnectionsLane() throws Exception {
    String frame = "{\"action\":\"placeOrder\",\"sku\":\"x\"}";
    WalRecord record =
        record(new Action.Routed(null, "placeOrder", frame), "placeOrder", EventType.MESSAGE);

    List<Item> items = items(record, ownPartition());

    assertEquals(1, items.size());
    Item item = items.get(0);
    assertEquals("placeOrder", item.targetId);
    assertEquals(CONNECTION, item.laneKey());
    Call call = CALLS.call(item.targetId, items, Instant.EPOCH);
    assertEquals("http://127.0.0.1:1/orders", call.url().toString());
    assertEquals(CONNECTION, call.orderingKey());
    assertEquals("req-placeOrder", call.idempotencyKey(), "the record's requestId");
    assertTrue(call.readsAnswer(), "a two-way route keeps the answer");
    JsonNode event = Json.MAPPER.readTree(call.body());
    assertEquals(frame, event.get("body").textValue());
    assertEquals("placeOrder", event.at("/requestContext/routeKey").textValue());
    assertEquals("web", event.at("/requestContext/authorizer/principalId").textValue());
  }

  @Test
  void onlyTheDisconnectOnItsConnectionsPartitionIsCalledAndRoomActionsAreNot() {
    WalRecord bye = record(new Action.Disconnect(), ActionNames.DISCONNECT, EventType.DISCONNECT);
    int own = ownPartition();
    for (int p = 0; p < PARTITIONS; p++) {
      assertEquals(p == own ? 1 : 0, items(bye, p).size(), "partition " + p);
    }
    assertEquals("$disconnect", items(bye, own).get(0).targetId);
    WalRecord send =
        record(
            new Action.SendMessage("s", "lobby", "hi", null),
            ActionNames.SEND_MESSAGE,
            EventType.MESSAGE);
    assertEquals(List.of(), items(send, 0));
    WalRecord connect = record(new Action.Connect(), ActionNames.CONNECT, EventType.CONNECT);
    assertEquals(List.of(), items(connect, own), "$connect is the gateway's to call");
    assertEquals(
        List.of(),
        feed.items(new byte[] {1, 2}, 0, new Source("actions", 0), 1),
        "an unreadable record is the processor's to set aside, not the worker's");
  }

  @Test
  void aTwoWayAnswerIsDeliveredToItsConnectionThroughItsGateway() {
    WalRecord record =
        record(new Action.Routed(null, "placeOrder", "{}"), "placeOrder", EventType.MESSAGE);
    Item item = items(record, ownPartition()).get(0);

    ProducerRecord<String, byte[]> out =
        feed.afterDelivery(
            item,
            Answer.of(
                200, null, "{\"type\":\"orderPlaced\",\"id\":9}".getBytes(StandardCharsets.UTF_8)));

    assertEquals(TOPICS.deliveries().name(), out.topic());
    assertEquals("gw-1", out.key());
    Delivery delivery =
        TOPICS.deliveries().valueSerde().deserializer().deserialize("t", out.value());
    assertEquals(List.of(CONNECTION), delivery.connectionIds());
    assertEquals("{\"type\":\"orderPlaced\",\"id\":9}", delivery.frame());
    assertEquals("\"plain text\"", RouteFeed.frame("plain text".getBytes(StandardCharsets.UTF_8)));
    assertNull(feed.afterDelivery(item, Answer.of(204, null, new byte[0])), "no body, no frame");
    WalRecord oneWay =
        record(new Action.Routed(null, "$default", "{}"), "$default", EventType.MESSAGE);
    assertNull(
        feed.afterDelivery(
            items(oneWay, ownPartition()).get(0), Answer.of(200, null, "{}".getBytes())),
        "a one-way route's answer is dropped");
  }
}
