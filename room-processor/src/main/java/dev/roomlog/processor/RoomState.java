package dev.roomlog.processor;

import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.frame.ServerFrame;
import java.util.List;
import java.util.Map;
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
 * @param bans the end (epoch millis) of each ban still running at the room's latest event, by
 *     {@link UserKeys#of} the user; empty (never null) also in states stored before bans existed
 */
record RoomState(
    String roomId,
    long lastSeq,
    List<Member> members,
    List<RoomEvent> recent,
    Map<String, Long> bans) {

  /**
   * {@code gatewayInstance} is null for members who joined before instances were recorded; {@code
   * subjectKey} is {@link UserKeys#of} the token's subject for a token connection, null otherwise
   * (see {@link #userKey()}).
   */
  record Member(
      String connectionId,
      String username,
      String gatewayId,
      String gatewayInstance,
      String subjectKey) {
    Member {
      Objects.requireNonNull(connectionId, "connectionId");
      Objects.requireNonNull(username, "username");
      Objects.requireNonNull(gatewayId, "gatewayId");
    }

    /** A member without a token subject. */
    Member(String connectionId, String username, String gatewayId, String gatewayInstance) {
      this(connectionId, username, gatewayId, gatewayInstance, null);
    }

    /** The key of whom a kick or a ban names: the token's subject, else the username. */
    String userKey() {
      return subjectKey != null ? subjectKey : UserKeys.of(username);
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
    bans = bans == null ? Map.of() : Map.copyOf(bans);
  }

  /** A room nobody is banned from. */
  RoomState(String roomId, long lastSeq, List<Member> members, List<RoomEvent> recent) {
    this(roomId, lastSeq, members, recent, Map.of());
  }

  /** The end of {@code user}'s ban, if it is banned at {@code at} (epoch millis). */
  Optional<Long> bannedUntil(String user, long at) {
    Long until = bans.get(UserKeys.of(user));
    return until != null && until > at ? Optional.of(until) : Optional.empty();
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
