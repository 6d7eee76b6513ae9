package dev.roomlog.integrations;

import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.integration.ParkedCall;
import dev.roomlog.protocol.integration.WebhookSubscription;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Webhooks: each room event of room-events that a subscription asks for is one item per
 * subscription (with the webhook events it makes, {@code roomEmptied} included). Plain state (the
 * rooms' occupancy), owned by the loop's thread.
 */
final class WebhookFeed implements Feed {
  private final String topic;
  private final Subscriptions subscriptions;
  private final Deserializer<RoomEvent> events;
  private final Runnable refresh;
  private final RoomOccupancy occupancy = new RoomOccupancy();

  /**
   * @param refresh brings {@code subscriptions} up to date with the subscriptions topic (the first
   *     time, to its end), before each poll
   */
  WebhookFeed(
      String topic, Subscriptions subscriptions, Deserializer<RoomEvent> events, Runnable refresh) {
    this.topic = topic;
    this.subscriptions = subscriptions;
    this.events = events;
    this.refresh = refresh;
  }

  @Override
  public void refresh() {
    refresh.run();
  }

  @Override
  public String topic() {
    return topic;
  }

  @Override
  public Targets targets() {
    return subscriptions;
  }

  @Override
  public List<Item> items(byte[] value, int partition, Source source, long offset) {
    RoomEvent event;
    try {
      event = events.deserialize(topic, value);
    } catch (RuntimeException e) {
      return null;
    }
    if (event == null) {
      return null;
    }
    boolean emptied = occupancy.apply(partition, event);
    List<Item> items = new ArrayList<>();
    for (WebhookSubscription sub : subscriptions.all()) {
      Instant since = subscriptions.since(sub.id());
      if (since != null && event.at() < since.toEpochMilli()) {
        continue; // a managed subscription takes the events from its creation on
      }
      List<String> names = WebhookCalls.names(sub, event, emptied);
      if (!names.isEmpty()) {
        items.add(Item.fresh(sub.id(), event, names, source, offset));
      }
    }
    return items;
  }

  @Override
  public boolean owns(ParkedCall call) {
    return !call.isRoute();
  }

  @Override
  public ProducerRecord<String, byte[]> afterDelivery(Item item, Answer answer) {
    return null;
  }

  @Override
  public void forget(int partition) {
    occupancy.forget(partition);
  }
}
