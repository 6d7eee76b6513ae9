package dev.roomlog.processor;

import dev.roomlog.protocol.Delivery;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.streams.KeyValue;

/**
 * Turns one decision's membership changes and replies into deliveries, keyed by gatewayId.
 *
 * <p>A frame to the members of a room is one delivery per gateway that holds recipients ({@link
 * Delivery#toRoom}), whatever the room's size: each gateway writes it to its own members of the
 * room, which it knows from the membership changes sent to it ({@link Delivery#memberJoined},
 * {@link Delivery#memberLeft}), in the same order as the frames. So each change is sent just before
 * the first frame whose recipients reflect it, and any left over after the decision's frames: a
 * joiner is not told of its own join, a leaver not of its own leave, and a kicked member is told of
 * its kick, then dropped, exactly as the replies' recipients say. Other replies go to their listed
 * connections, one delivery per gateway per frame.
 */
final class DeliveryRouting {
  private DeliveryRouting() {}

  /**
   * A member joining or leaving a room: sent to the gateway that holds it.
   *
   * @param joined true for a join, false for a leave
   */
  record MemberChange(String roomId, String connectionId, String gatewayId, boolean joined) {
    MemberChange {
      Objects.requireNonNull(roomId, "roomId");
      Objects.requireNonNull(connectionId, "connectionId");
      Objects.requireNonNull(gatewayId, "gatewayId");
    }

    KeyValue<String, Delivery> delivery() {
      return KeyValue.pair(
          gatewayId,
          joined
              ? Delivery.memberJoined(roomId, connectionId)
              : Delivery.memberLeft(roomId, connectionId));
    }

    /** Whether the recipients of {@code frameToRoom} already reflect this change. */
    boolean reflectedIn(MemberList.Except frameToRoom) {
      return frameToRoom.roomId().equals(roomId) && frameToRoom.reaches(connectionId) == joined;
    }
  }

  static List<KeyValue<String, Delivery>> route(List<Reply> replies) {
    return route(List.of(), replies, null);
  }

  /**
   * {@code window} is the recent events of the room the replies were decided in (null: none), whose
   * kept JSON a joined answer's history reuses ({@link FrameJson}).
   */
  static List<KeyValue<String, Delivery>> route(
      List<MemberChange> changes, List<Reply> replies, RecentEvents window) {
    List<KeyValue<String, Delivery>> out = new ArrayList<>();
    List<MemberChange> pending = new LinkedList<>(changes);
    for (Reply reply : replies) {
      // Encoded once here; every gateway and every connection gets these same bytes.
      String frame = FrameJson.write(reply.frame(), window);
      if (reply.recipients() instanceof MemberList.Except others) {
        sendReflected(pending, others, out);
        RoomState.Member skipped = others.skipped().orElse(null);
        for (String gateway : others.gateways()) {
          String except =
              skipped != null && skipped.gatewayId().equals(gateway)
                  ? skipped.connectionId()
                  : null;
          out.add(KeyValue.pair(gateway, Delivery.toRoom(others.roomId(), except, frame)));
        }
        continue;
      }
      Map<String, List<String>> byGateway = new LinkedHashMap<>();
      for (Recipient r : reply.recipients()) {
        byGateway.computeIfAbsent(r.gatewayId(), g -> new ArrayList<>()).add(r.connectionId());
      }
      byGateway.forEach(
          (gateway, ids) -> out.add(KeyValue.pair(gateway, new Delivery(ids, frame))));
    }
    pending.forEach(change -> out.add(change.delivery()));
    return out;
  }

  /** Sends, in order, the pending changes that {@code frameToRoom}'s recipients reflect. */
  private static void sendReflected(
      List<MemberChange> pending,
      MemberList.Except frameToRoom,
      List<KeyValue<String, Delivery>> out) {
    for (Iterator<MemberChange> it = pending.iterator(); it.hasNext(); ) {
      MemberChange change = it.next();
      if (change.reflectedIn(frameToRoom)) {
        out.add(change.delivery());
        it.remove();
      }
    }
  }
}
