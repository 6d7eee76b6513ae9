package dev.roomlog.protocol.integration;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.event.RoomEvent;
import java.util.List;
import java.util.Objects;

/**
 * One call the integrations worker could not make within its in-memory retries: a room event for a
 * webhook subscription ({@code event}), or a client's action for a route integration ({@code
 * action}). Written to {@code roomlog.webhook-retry} (key = roomId for an event, connectionId for
 * an action, so each lane's parked calls keep their order on one partition) and retried from there;
 * once its retry period is over, written to {@code roomlog.webhook-dead-letter} with {@code reason}
 * set. Webhooks and routes share the two topics; each reader skips the other's records.
 *
 * @param subscriptionId the target: the webhook subscription's id, or the route's key
 * @param event the room event, as it is in {@code roomlog.room-events}; null for a route call
 * @param action the log record, as it is in {@code roomlog.actions}; null for a webhook call
 * @param names the webhook events it makes for the subscription, in order: its own kind ({@code
 *     message}, {@code memberLeft}, ...) and {@code roomEmptied} after the leave that emptied the
 *     room, as decided when it was first read (so a retry sends what the first call sent); empty
 *     for a route call
 * @param attempts calls made so far
 * @param firstAttemptAt epoch millis of the first call, or of its parking if it was parked before
 *     being tried (it waited behind another call of its lane): its retry period starts there
 * @param lastAttemptAt epoch millis of the last call; 0 if none
 * @param lastStatus the last call's HTTP status; null if it got no answer
 * @param lastError what went wrong on the last call (status line, timeout, refused connection)
 * @param reason why it was given up (dead letters only); null while it is retried
 */
public record ParkedCall(
    String subscriptionId,
    RoomEvent event,
    @JsonInclude(JsonInclude.Include.NON_NULL) WalRecord action,
    List<String> names,
    int attempts,
    long firstAttemptAt,
    long lastAttemptAt,
    Integer lastStatus,
    String lastError,
    String reason) {
  public ParkedCall {
    Objects.requireNonNull(subscriptionId, "subscriptionId");
    if ((event == null) == (action == null)) {
      throw new IllegalArgumentException("a parked call has an event or an action, not both");
    }
    names = names == null ? List.of() : List.copyOf(names);
    if (attempts < 0) {
      throw new IllegalArgumentException("attempts must be >= 0, was " + attempts);
    }
  }

  /** Whether it is a route integration's call (else a webhook's). */
  public boolean isRoute() {
    return action != null;
  }

  /**
   * The call's idempotency key: the event's room and seq, or the action's requestId (the gateway's
   * id of the record).
   */
  public String idempotencyKey() {
    return isRoute() ? action.requestContext().requestId() : event.roomId() + ":" + event.seq();
  }

  /** The same call given up, with the reason. */
  public ParkedCall deadLettered(String why) {
    return new ParkedCall(
        subscriptionId,
        event,
        action,
        names,
        attempts,
        firstAttemptAt,
        lastAttemptAt,
        lastStatus,
        lastError,
        why);
  }
}
