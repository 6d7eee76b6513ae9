package dev.roomlog.integrations;

import dev.roomlog.protocol.integration.ParkedCall;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What one {@link IntegrationsLoop} reads and calls: webhooks from room-events ({@link
 * WebhookFeed}) or routes from the actions ({@link RouteFeed}). The loop owns the consumer, the
 * retry topic, the offsets and the {@link Dispatcher}; the feed turns a record of its topic into
 * items, says which parked calls are its own, and what a delivered call still needs written. Used
 * on the loop's thread only.
 */
interface Feed {
  /** The topic it reads its records from (room-events, or the actions). */
  String topic();

  /** Brings its targets up to date, before each poll (webhooks: the managed subscriptions). */
  default void refresh() {}

  /** The targets of its calls. */
  Targets targets();

  /** Items of a record of {@link #topic()} to call (none: nothing to do); null if unreadable. */
  List<Item> items(byte[] value, int partition, Source source, long offset);

  /** Whether a record of the shared retry topic is one of its calls (else skipped). */
  boolean owns(ParkedCall call);

  /** A record to write once {@code item} is delivered with {@code answer}, or null for none. */
  ProducerRecord<String, byte[]> afterDelivery(Item item, Answer answer);

  /** The partition {@code partition} of its topic is no longer this worker's. */
  void forget(int partition);
}
