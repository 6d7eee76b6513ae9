package dev.roomlog.protocol.integration;

import dev.roomlog.protocol.event.RoomEvent;
import java.util.List;
import java.util.Objects;

/**
 * One room event for one webhook subscription that the integrations worker could not deliver within
 * its in-memory retries: written to {@code roomlog.webhook-retry} (key = roomId, so a room's parked
 * events keep their order on one partition) and retried from there; once its retry period is over,
 * written to {@code roomlog.webhook-dead-letter} with {@code reason} set.
 *
 * @param subscriptionId the subscription (the target) the event is for
 * @param event the room event, as it is in {@code roomlog.room-events}
 * @param names the webhook events it makes for the subscription, in order: its own kind ({@code
 *     message}, {@code memberLeft}, ...) and {@code roomEmptied} after the leave that emptied the
 *     room, as decided when it was first read (so a retry sends what the first call sent)
 * @param attempts calls made so far
 * @param firstAttemptAt epoch millis of the first call, or of its parking if it was parked before
 *     being tried (it waited behind another event of its room): its retry period starts there
 * @param lastAttemptAt epoch millis of the last call; 0 if none
 * @param lastStatus the last call's HTTP status; null if it got no answer
 * @param lastError what went wrong on the last call (status line, timeout, refused connection)
 * @param reason why it was given up (dead letters only); null while it is retried
 */
public record ParkedCall(
    String subscriptionId,
    RoomEvent event,
    List<String> names,
    int attempts,
    long firstAttemptAt,
    long lastAttemptAt,
    Integer lastStatus,
    String lastError,
    String reason) {
  public ParkedCall {
    Objects.requireNonNull(subscriptionId, "subscriptionId");
    Objects.requireNonNull(event, "event");
    names = List.copyOf(names);
    if (attempts < 0) {
      throw new IllegalArgumentException("attempts must be >= 0, was " + attempts);
    }
  }

  /** The call's idempotency key: the event's room and seq. */
  public String idempotencyKey() {
    return event.roomId() + ":" + event.seq();
  }

  /** The same call given up, with the reason. */
  public ParkedCall deadLettered(String why) {
    return new ParkedCall(
        subscriptionId,
        event,
        names,
        attempts,
        firstAttemptAt,
        lastAttemptAt,
        lastStatus,
        lastError,
        why);
  }
}
