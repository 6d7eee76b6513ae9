package dev.roomlog.protocol;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One gateway's members of each room, as its deliveries tell them ({@link Delivery}): it follows
 * the membership changes in the order they come and turns a frame to a room into the connections it
 * reaches. Pure and single-threaded: the gateway's delivery consumer owns one, and tests of the
 * processor read its output through one, as a gateway would.
 *
 * <p>It holds only what the processor told it: a connection that closes stays until the processor's
 * answer to its {@code $disconnect} (a member left) arrives, and a frame meanwhile lists it (the
 * gateway skips ids whose socket is gone, as for any delivery). A new run of the gateway starts
 * with none, as its connections do.
 */
public final class GatewayMembers {
  /** roomId to its members here, in the order they joined. */
  private final Map<String, Set<String>> rooms = new HashMap<>();

  private long members;

  /**
   * Applies {@code delivery}: a membership change updates the rooms and reaches nobody; a frame
   * reaches the connections it lists, or this gateway's members of its room but the one left out.
   *
   * @return the connections to write the frame to, in order; empty for a membership change or a
   *     room with no other member here
   */
  public List<String> apply(Delivery delivery) {
    Objects.requireNonNull(delivery, "delivery");
    if (delivery.joined() != null) {
      if (rooms
          .computeIfAbsent(delivery.roomId(), r -> new LinkedHashSet<>())
          .add(delivery.joined())) {
        members++;
      }
      return List.of();
    }
    if (delivery.left() != null) {
      Set<String> room = rooms.get(delivery.roomId());
      if (room != null && room.remove(delivery.left())) {
        members--;
        if (room.isEmpty()) {
          rooms.remove(delivery.roomId());
        }
      }
      return List.of();
    }
    if (!delivery.isToRoom()) {
      return delivery.connectionIds();
    }
    Set<String> room = rooms.get(delivery.roomId());
    if (room == null) {
      return List.of();
    }
    List<String> reached = new ArrayList<>(room.size());
    for (String connectionId : room) {
      if (!connectionId.equals(delivery.except())) {
        reached.add(connectionId);
      }
    }
    return reached;
  }

  /** The members of {@code roomId} here, in join order. */
  public List<String> members(String roomId) {
    Set<String> room = rooms.get(roomId);
    return room == null ? List.of() : List.copyOf(room);
  }

  /** How many rooms have members here. */
  public int rooms() {
    return rooms.size();
  }

  /** Memberships here, over all rooms. */
  public long memberships() {
    return members;
  }
}
