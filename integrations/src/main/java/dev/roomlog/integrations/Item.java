package dev.roomlog.integrations;

import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.integration.ParkedCall;
import java.time.Instant;
import java.util.List;

/**
 * One room event to deliver to one target, with the record it came from ({@code source}, {@code
 * offset}: room-events, or the retry topic when {@code parked}) and its attempts so far. Mutable
 * attempt counts, owned by the worker's thread.
 */
final class Item {
  final String targetId;
  final RoomEvent event;
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
      List<String> names,
      Source source,
      long offset,
      boolean parked) {
    this.targetId = targetId;
    this.event = event;
    this.names = List.copyOf(names);
    this.source = source;
    this.offset = offset;
    this.parked = parked;
  }

  /** An event just read from room-events. */
  static Item fresh(
      String targetId, RoomEvent event, List<String> names, Source source, long offset) {
    return new Item(targetId, event, names, source, offset, false);
  }

  /** A call read back from the retry topic, with the attempts it carries. */
  static Item parked(ParkedCall call, Source source, long offset) {
    Item item = new Item(call.subscriptionId(), call.event(), call.names(), source, offset, true);
    item.attempts = call.attempts();
    item.firstAttemptAt = Instant.ofEpochMilli(call.firstAttemptAt());
    item.lastAttemptAt =
        call.lastAttemptAt() == 0 ? null : Instant.ofEpochMilli(call.lastAttemptAt());
    item.lastStatus = call.lastStatus();
    item.lastError = call.lastError();
    return item;
  }

  String roomId() {
    return event.roomId();
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
        names,
        attempts,
        (firstAttemptAt == null ? now : firstAttemptAt).toEpochMilli(),
        lastAttemptAt == null ? 0 : lastAttemptAt.toEpochMilli(),
        lastStatus,
        lastError,
        null);
  }
}
