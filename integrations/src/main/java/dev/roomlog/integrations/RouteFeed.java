package dev.roomlog.integrations;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.Delivery;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.integration.ParkedCall;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Route integrations: each record of the actions a route takes (a routed action, a {@code
 * $disconnect}) is one item, in its connection's lane. The log is keyed by connection for these, so
 * a connection's records are on one partition in the order the gateway accepted them. A {@code
 * $disconnect} is written to every partition (the processor needs it on each); only the copy on its
 * connection's own partition is called, behind that connection's actions.
 *
 * <p>A two-way route's 2xx answer with a body becomes a delivery to the connection's gateway (the
 * way the processor answers a client): the body as the frame if it is JSON, else as a JSON string.
 */
final class RouteFeed implements Feed {
  private final String topic;
  private final String deliveriesTopic;
  private final RouteCalls routes;
  private final Deserializer<WalRecord> records;
  private final Serializer<Delivery> deliveries;
  private final IntSupplier partitions;

  /**
   * @param partitions the partitions of the actions (asked once, on the first {@code $disconnect})
   */
  RouteFeed(
      String topic,
      String deliveriesTopic,
      RouteCalls routes,
      Deserializer<WalRecord> records,
      Serializer<Delivery> deliveries,
      IntSupplier partitions) {
    this.topic = topic;
    this.deliveriesTopic = deliveriesTopic;
    this.routes = routes;
    this.records = records;
    this.deliveries = deliveries;
    this.partitions = partitions;
  }

  private int partitionCount;

  @Override
  public String topic() {
    return topic;
  }

  @Override
  public Targets targets() {
    return routes;
  }

  @Override
  public List<Item> items(byte[] value, int partition, Source source, long offset) {
    WalRecord record;
    try {
      record = records.deserialize(topic, value);
    } catch (RuntimeException e) {
      // Not ours to judge: the processor sets unreadable records aside in its dead-letter topic.
      return List.of();
    }
    if (record == null) {
      return List.of();
    }
    String route = routes.routeOf(record);
    if (route == null) {
      return List.of();
    }
    if (record.action() instanceof Action.Disconnect && partition != ownPartition(record)) {
      return List.of();
    }
    return List.of(Item.route(route, record, source, offset));
  }

  /** The partition the record's key (its connection) is on: where its actions are. */
  private int ownPartition(WalRecord record) {
    if (partitionCount == 0) {
      partitionCount = partitions.getAsInt();
    }
    byte[] key = record.connectionId().getBytes(StandardCharsets.UTF_8);
    // The producer's default partitioner, as the gateway's writes use it.
    return Utils.toPositive(Utils.murmur2(key)) % partitionCount;
  }

  @Override
  public boolean owns(ParkedCall call) {
    return call.isRoute();
  }

  @Override
  public ProducerRecord<String, byte[]> afterDelivery(Item item, Answer answer) {
    if (!routes.twoWay(item.targetId) || answer.body() == null || answer.body().length == 0) {
      return null;
    }
    WalRecord record = item.action;
    Delivery delivery = new Delivery(List.of(record.connectionId()), frame(answer.body()));
    String gatewayId = record.requestContext().gatewayId();
    return new ProducerRecord<>(
        deliveriesTopic, gatewayId, deliveries.serialize(deliveriesTopic, delivery));
  }

  /** The frame of a two-way answer: its JSON as sent, or its text as a JSON string. */
  static String frame(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    try {
      JsonNode node =
          Json.MAPPER
              .readerFor(JsonNode.class)
              .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
              .readTree(text);
      if (node != null && !node.isMissingNode()) {
        return text.strip();
      }
    } catch (IOException e) {
      // not JSON: sent as a string below
    }
    return Json.write(text);
  }

  @Override
  public void forget(int partition) {}
}
