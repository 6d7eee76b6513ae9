package dev.roomlog.integrations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.JsonSerde;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.integration.WebhookSubscription;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The managed subscriptions as the worker's table sees them: records of the compacted topic. */
class SubscriptionsTest {
  private static final String FILE =
      """
      [{"id":"file","url":"https://example.com/file","secrets":[{"id":"k1","secret":"0123456789abcdef"}],
        "events":["message"]}]
      """;

  private static JsonNode managed(String id, String url, long createdAt) {
    ObjectNode node =
        (ObjectNode)
            Json.MAPPER.valueToTree(
                java.util.Map.of(
                    "id",
                    id,
                    "url",
                    url,
                    "secrets",
                    List.of(java.util.Map.of("id", "k9", "secret", "0123456789abcdef-api")),
                    "events",
                    List.of("message")));
    node.put(Subscriptions.CREATED_AT, createdAt);
    return node;
  }

  @Test
  void aRecordAddsOrReplacesAManagedSubscriptionAndATombstoneDeletesIt() {
    Subscriptions subs = Subscriptions.parse(FILE);

    subs.apply("api", managed("api", "https://example.com/a", 1000));
    assertTrue(subs.has("api"));
    assertEquals("https://example.com/a", subs.get("api").url().toString());
    assertEquals(1000, subs.since("api").toEpochMilli());
    assertEquals(List.of("file", "api"), subs.all().stream().map(WebhookSubscription::id).toList());

    subs.apply("api", managed("api", "https://example.com/b", 2000));
    assertEquals("https://example.com/b", subs.get("api").url().toString());

    subs.apply("api", null);
    assertFalse(subs.has("api"));
    assertEquals(List.of("file"), subs.all().stream().map(WebhookSubscription::id).toList());
    assertEquals(1, subs.fromFile());
  }

  @Test
  void theFilesSubscriptionWinsOverAManagedOneOfItsId() {
    Subscriptions subs = Subscriptions.parse(FILE);

    subs.apply("file", managed("file", "https://example.com/api", 1000));
    assertEquals("https://example.com/file", subs.get("file").url().toString());
    assertNull(subs.since("file"));
    subs.apply("file", null);
    assertTrue(subs.has("file"), "a tombstone of the topic does not delete the file's");
  }

  @Test
  void anInvalidRecordOrOneWhoseKeyIsNotItsIdIsSkipped() {
    Subscriptions subs = Subscriptions.parse(FILE);

    subs.apply("bad", managed("bad", "ftp://example.com", 1));
    subs.apply("other", managed("api", "https://example.com/a", 1));
    assertFalse(subs.has("bad"));
    assertFalse(subs.has("other"));
    assertFalse(subs.has("api"));
  }

  @Test
  void aManagedSubscriptionTakesTheEventsFromItsCreationOnAfterEachRefresh() {
    Subscriptions subs = Subscriptions.parse("[]");
    AtomicInteger refreshes = new AtomicInteger();
    WebhookFeed feed =
        new WebhookFeed(
            "events",
            subs,
            JsonSerde.of(RoomEvent.class).deserializer(),
            () -> {
              if (refreshes.incrementAndGet() == 2) {
                subs.apply("api", managed("api", "https://example.com/a", 5000));
              }
            });
    Source source = new Source("events", 0);

    feed.refresh();
    assertEquals(List.of(), feed.items(message(6000), 0, source, 0));
    feed.refresh();
    assertEquals(List.of(), feed.items(message(4999), 0, source, 1), "before its creation");
    List<Item> items = feed.items(message(5000), 0, source, 2);
    assertEquals(1, items.size());
    assertEquals("api", items.get(0).targetId);
  }

  private static byte[] message(long at) {
    return JsonSerde.of(RoomEvent.class)
        .serializer()
        .serialize("events", new RoomEvent.MessagePosted("r", 1, at, "c1", "ann", "hi", null));
  }
}
