package dev.roomlog.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.integration.ParkedCall;
import java.util.List;
import java.util.Objects;

/**
 * The topics one Roomlog deployment uses. Production uses {@link #DEFAULT}; a test gives each case
 * its own set with {@link #prefixed(String)} so that cases sharing one broker never see each
 * other's records.
 */
public record TopicSet(
    Topic<String, WalRecord> actions,
    Topic<String, RoomEvent> roomEvents,
    Topic<String, Delivery> deliveries,
    Topic<String, byte[]> deadLetters,
    Topic<String, ParkedCall> webhookRetry,
    Topic<String, ParkedCall> webhookDeadLetter,
    Topic<String, JsonNode> webhookSubscriptions) {

  public static final TopicSet DEFAULT =
      new TopicSet(
          Topics.ACTIONS,
          Topics.ROOM_EVENTS,
          Topics.DELIVERIES,
          Topics.DEAD_LETTERS,
          Topics.WEBHOOK_RETRY,
          Topics.WEBHOOK_DEAD_LETTER,
          Topics.WEBHOOK_SUBSCRIPTIONS);

  public TopicSet {
    Objects.requireNonNull(actions, "actions");
    Objects.requireNonNull(roomEvents, "roomEvents");
    Objects.requireNonNull(deliveries, "deliveries");
    Objects.requireNonNull(deadLetters, "deadLetters");
    Objects.requireNonNull(webhookRetry, "webhookRetry");
    Objects.requireNonNull(webhookDeadLetter, "webhookDeadLetter");
    Objects.requireNonNull(webhookSubscriptions, "webhookSubscriptions");
  }

  /** The default topics with {@code prefix + "."} before each name. */
  public static TopicSet prefixed(String prefix) {
    return new TopicSet(
        Topics.ACTIONS.renamed(prefix + "." + Topics.ACTIONS_NAME),
        Topics.ROOM_EVENTS.renamed(prefix + "." + Topics.ROOM_EVENTS_NAME),
        Topics.DELIVERIES.renamed(prefix + "." + Topics.DELIVERIES_NAME),
        Topics.DEAD_LETTERS.renamed(prefix + "." + Topics.DEAD_LETTERS_NAME),
        Topics.WEBHOOK_RETRY.renamed(prefix + "." + Topics.WEBHOOK_RETRY_NAME),
        Topics.WEBHOOK_DEAD_LETTER.renamed(prefix + "." + Topics.WEBHOOK_DEAD_LETTER_NAME),
        Topics.WEBHOOK_SUBSCRIPTIONS.renamed(prefix + "." + Topics.WEBHOOK_SUBSCRIPTIONS_NAME));
  }

  public List<String> names() {
    return List.of(
        actions.name(),
        roomEvents.name(),
        deliveries.name(),
        deadLetters.name(),
        webhookRetry.name(),
        webhookDeadLetter.name(),
        webhookSubscriptions.name());
  }
}
