package dev.roomlog.processor;

import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.frame.ServerFrame;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One room as stage 2 stores it; it is exactly the fold of {@link RoomLogic#apply} over the
 * room's events, so replaying {@code roomlog.room-events} rebuilds it.
 *
 * @param lastSeq the seq of the room's latest event
 * @param members who is in the room, in join order, with the gateway that holds each one
 * @param recent the latest messages, oldest first, at most the configured history size
 */
record RoomState(
    String roomId, long lastSeq, List<Member> members, List<RoomEvent.MessagePosted> recent) {

  record Member(String connectionId, String username, String gatewayId) {
    Member {
      Objects.requireNonNull(connectionId, "connectionId");
      Objects.requireNonNull(username, "username");
      Objects.requireNonNull(gatewayId, "gatewayId");
    }

    ServerFrame.MemberView view() {
      return new ServerFrame.MemberView(connectionId, username);
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
}
