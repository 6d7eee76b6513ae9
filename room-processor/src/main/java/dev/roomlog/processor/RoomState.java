package dev.roomlog.processor;

import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.frame.ServerFrame;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One room as the processor stores it; it is exactly the fold of {@link RoomLogic#apply} over the
 * room's events, so replaying {@code roomlog.room-events} rebuilds it.
 *
 * @param lastSeq the seq of the room's latest event
 * @param members who is in the room, in join order, with the gateway (and its run) holding each
 * @param recent the room's latest events, oldest first, at most the configured history size: what a
 *     join with afterSeq or a resume can replay from
 */
record RoomState(String roomId, long lastSeq, List<Member> members, List<RoomEvent> recent) {

  /** {@code gatewayInstance} is null for members who joined before instances were recorded. */
  record Member(String connectionId, String username, String gatewayId, String gatewayInstance) {
    Member {
      Objects.requireNonNull(connectionId, "connectionId");
      Objects.requireNonNull(username, "username");
      Objects.requireNonNull(gatewayId, "gatewayId");
    }

    ServerFrame.MemberView view() {
      return new ServerFrame.MemberView(connectionId, username);
    }

    Recipient recipient() {
      return new Recipient(connectionId, gatewayId);
    }
  }

  RoomState {
    Objects.requireNonNull(roomId, "roomId");
    members = List.copyOf(members);
    recent = List.copyOf(recent);
  }

  Optional<Member> member(String connectionId) {
    return members.stream().filter(m -> m.connectionId().equals(connectionId)).findFirst();
  }

  List<ServerFrame.MemberView> memberViews() {
    return members.stream().map(Member::view).toList();
  }

  /**
   * The oldest seq a client can still be brought up to date from: a client that saw every event up
   * to {@code afterSeq} can resume when {@code afterSeq >= oldestKeptSeq() - 1}.
   */
  long oldestKeptSeq() {
    return recent.isEmpty() ? lastSeq + 1 : recent.get(0).seq();
  }

  /** The recent messages, oldest first: the history a plain join shows. */
  List<RoomEvent.MessagePosted> recentMessages() {
    return recent.stream()
        .filter(RoomEvent.MessagePosted.class::isInstance)
        .map(RoomEvent.MessagePosted.class::cast)
        .toList();
  }
}
