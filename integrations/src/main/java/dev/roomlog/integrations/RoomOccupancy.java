package dev.roomlog.integrations;

import dev.roomlog.protocol.event.RoomEvent;
import java.util.HashMap;
import java.util.Map;

/**
 * How many members each room has, to tell when a leave empties a room ({@code roomEmptied}:
 * room-events has no such event). A {@code memberLeft} carries the room's count after it (the
 * processor stamps it), which decides alone. Events written before that stamp are counted from the
 * room's {@code roomCreated} on: such a room first seen later (the worker started, or took the
 * partition over, mid-history) has an unknown count until its next stamped leave. Plain state,
 * owned by the worker's thread; an int per room seen, by partition so that a partition taken away
 * is forgotten.
 */
final class RoomOccupancy {
  private final Map<Integer, Map<String, Integer>> members = new HashMap<>();

  /** Applies {@code event} (read from {@code partition}); true if its leave emptied the room. */
  boolean apply(int partition, RoomEvent event) {
    Map<String, Integer> rooms = members.computeIfAbsent(partition, p -> new HashMap<>());
    String room = event.roomId();
    if (event instanceof RoomEvent.RoomCreated) {
      rooms.put(room, 0);
      return false;
    }
    if (event instanceof RoomEvent.MemberLeft left && left.memberCount() != null) {
      // Stamped by the processor: right even for a room whose creation this worker never read.
      rooms.put(room, left.memberCount());
      return left.memberCount() == 0;
    }
    Integer count = rooms.get(room);
    if (count == null) {
      return false;
    }
    if (event instanceof RoomEvent.MemberJoined) {
      rooms.put(room, count + 1);
    } else if (event instanceof RoomEvent.MemberLeft) {
      int left = Math.max(0, count - 1);
      rooms.put(room, left);
      return left == 0 && count > 0;
    }
    return false;
  }

  /** The partition was taken away: its counts would go stale. */
  void forget(int partition) {
    members.remove(partition);
  }
}
