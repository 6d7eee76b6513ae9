package dev.roomlog.processor;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Stage 1's memory of one connection: the gateway that holds it and the rooms it asked to be
 * in, in the order it asked. The rooms are a superset of its real memberships (a join may have
 * failed); that is harmless because a disconnect-leave for a non-member is ignored.
 */
record ConnectionState(String gatewayId, List<String> rooms) {
  ConnectionState {
    Objects.requireNonNull(gatewayId, "gatewayId");
    rooms = List.copyOf(rooms);
  }

  ConnectionState withRoom(String roomId) {
    if (rooms.contains(roomId)) {
      return this;
    }
    List<String> next = new ArrayList<>(rooms);
    next.add(roomId);
    return new ConnectionState(gatewayId, next);
  }

  ConnectionState withoutRoom(String roomId) {
    List<String> next = new ArrayList<>(rooms);
    next.remove(roomId);
    return new ConnectionState(gatewayId, next);
  }
}
