package dev.roomlog.processor;

import dev.roomlog.protocol.event.RoomEvent;
import java.util.List;

/**
 * What one command does to a room: the events to append to its history (and to apply to its state),
 * and the frames to send. Like the group coordinator's CoordinatorResult: records to write plus the
 * responses.
 */
record Decision(List<RoomEvent> events, List<Reply> replies) {
  static final Decision NOTHING = new Decision(List.of(), List.of());

  Decision {
    events = List.copyOf(events);
    replies = List.copyOf(replies);
  }

  static Decision reply(Reply reply) {
    return new Decision(List.of(), List.of(reply));
  }
}
