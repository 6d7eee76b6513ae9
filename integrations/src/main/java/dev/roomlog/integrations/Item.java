package dev.roomlog.integrations;

import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.integration.ParkedCall;
import java.time.Instant;
import java.util.List;

/**
 * One thing to deliver to one target: a room event for a webhook subscription ({@code event}), or a
 * log record for a route ({@code action}), with the record it came from ({@code source}, {@code
 * offset}: room-events or the actions, or the retry topic when {@code parked}) and its attempts so
 * far. Mutable attempt counts, owned by the worker's thread.
 */
final class Item {
  final String targetId;
  final RoomEvent event;
  final WalRecord action;
  final List<String> names;
  final Source source;
  final long offset;
  final boolean parked;
  int attempts;
  Instant firstAttemptAt;
  Instant lastAttemptAt;
  Integer lastStatus;
  String lastError;

  private Item(
      String targetId,
      RoomEvent event,
      WalRecord action,
      List<String> names,
      Source source,
      long offset,
      boolean parked) {
    this.targetId = targetId;
    this.event = event;
    this.action = action;
    this.names = List.copyOf(names);
    this.source = source;
    this.offset = offset;
    this.parked = parked;
  }

  /** An event just read from room-events. */
  static Item fresh(
      String targetId, RoomEvent event, List<String> names, Source source, long offset) {
    return new Item(targetId, event, null, names, source, offset, false);
  }

  /** A record just read from the actions, for the route {@code routeKey}. */
  static Item route(String routeKey, WalRecord action, Source source, long offset) {
    return new Item(routeKey, null, action, List.of(), source, offset, false);
  }

  /** A call read back from the retry topic, with the attempts it carries. */
  static Item parked(ParkedCall call, Source source, long offset) {
    Item item =
        new Item(
            call.subscriptionId(), call.event(), call.action(), call.names(), source, offset, true);
    item.attempts = call.attempts();
    item.firstAttemptAt = Instant.ofEpochMilli(call.firstAttemptAt());
    item.lastAttemptAt =
        call.lastAttemptAt() == 0 ? null : Instant.ofEpochMilli(call.lastAttemptAt());
    item.lastStatus = call.lastStatus();
    item.lastError = call.lastError();
    return item;
  }

  /**
   * What orders its calls within its target: its room (webhooks: seq order per room), or its
   * connection (routes: a connection's actions in the order it sent them). Also its key in the
   * retry topic.
   */
  String laneKey() {
    return event != null ? event.roomId() : action.connectionId();
  }

  /** Count an attempt made at {@code now} that got {@code answer}. */
  void attempted(Instant now, Answer answer) {
    attempts++;
    if (firstAttemptAt == null) {
      firstAttemptAt = now;
    }
    lastAttemptAt = now;
    lastStatus = answer.status() == 0 ? null : answer.status();
    lastError = answer.error();
  }

  /**
   * As the retry and dead-letter topics keep it; an untried item's period starts at {@code now}.
   */
  ParkedCall toParked(Instant now) {
    return new ParkedCall(
        targetId,
        event,
        action,
        names,
        attempts,
        (firstAttemptAt == null ? now : firstAttemptAt).toEpochMilli(),
        lastAttemptAt == null ? 0 : lastAttemptAt.toEpochMilli(),
        lastStatus,
        lastError,
        null);
  }
}
