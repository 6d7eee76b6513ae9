package dev.roomlog.integrations;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.TopicSet;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The reader against Kafka's MockConsumer: each refresh reads to the end offsets the topic has when
 * it is called, not only what a poll has fetched, so a subscription deleted before an event was
 * written is gone when the loop looks at that event (ManagedWebhooksIT, on a real broker, once saw
 * a deleted subscription called for the next message).
 */
class SubscriptionsReaderTest {
  private static final String TOPIC = TopicSet.DEFAULT.webhookSubscriptions().name();
  private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

  private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
  private final Subscriptions subscriptions = Subscriptions.parse("[]");
  private final SubscriptionsReader reader =
      new SubscriptionsReader(consumer, TopicSet.DEFAULT.webhookSubscriptions(), subscriptions);

  private static byte[] subscription(String id) {
    return Json.write(
            Map.of(
                "id",
                id,
                "url",
                "https://example.com/" + id,
                "secrets",
                List.of(Map.of("id", "k1", "secret", "0123456789abcdef-" + id)),
                "events",
                List.of("message"),
                Subscriptions.CREATED_AT,
                1_000))
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The record at {@code offset}, written to the topic now: fetched by the next poll. */
  private void written(long offset, String id, byte[] value) {
    consumer.updateEndOffsets(Map.of(PARTITION, offset + 1));
    consumer.schedulePollTask(
        () -> consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, offset, id, value)));
  }

  @Test
  void eachRefreshReadsToTheEndTheTopicHasWhenItIsCalled() {
    consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, null, null, null)));
    consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
    written(0, "gone", subscription("gone"));
    reader.refresh();
    assertTrue(subscriptions.has("gone"), "read at start");

    // The tombstone is in the log before the refresh, and not fetched by the next poll (a fetch
    // still on its way): one poll with what happens to be fetched would miss it.
    consumer.schedulePollTask(() -> {});
    written(1, "gone", null);
    reader.refresh();
    assertFalse(subscriptions.has("gone"), "deleted before the events the loop looks at next");
  }
}
