package dev.roomlog.processor;

import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.frame.ServerFrame;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One room as the processor stores it; it is exactly the fold of {@link RoomLogic#apply} over the
 * room's events, so replaying {@code roomlog.room-events} rebuilds it.
 *
 * @param lastSeq the seq of the room's latest event
 * @param members who is in the room, in join order, with the gateway (and its run) holding each
 * @param recent the room's latest announced events (every event but the joins and leaves of a room
 *     past the presence limit, see {@link RoomLogic#announces}), oldest first, at most the
 *     configured history size: what a join with afterSeq or a resume can replay from
 * @param bans the end (epoch millis) of each ban still running at the room's latest event, by
 *     {@link UserKeys#of} the user; empty (never null) also in states stored before bans existed
 * @param access who may join: {@link Access#PUBLIC} (also in states stored before private rooms
 *     existed) or a private room's owner and invitees
 * @param forgottenSeq the seq of the newest announced event no longer among {@code recent} (0 when
 *     none has left it): a resume from {@code afterSeq} misses nothing iff {@code afterSeq >=
 *     forgottenSeq}. Null when constructed (or stored) without it, before unannounced events
 *     existed: then every event was kept in turn, so it is the seq just before the oldest kept
 */
record RoomState(
    String roomId,
    long lastSeq,
    List<Member> members,
    List<RoomEvent> recent,
    Map<String, Long> bans,
    Access access,
    Long forgottenSeq) {

  /**
   * Who may join a room. A room anyone may join is {@link #PUBLIC}; a private one names its owner
   * and the users invited, each as {@link UserKeys#of} the user.
   */
  record Access(boolean privateRoom, String ownerKey, Set<String> invited) {
    static final Access PUBLIC = new Access(false, null, Set.of());

    Access {
      invited = invited == null ? Set.of() : Set.copyOf(invited);
    }

    /** A private room whose owner is {@code owner} (a token's subject or a username). */
    static Access privateTo(String owner) {
      return new Access(true, UserKeys.of(owner), Set.of());
    }

    /** This access with {@code user} (a token's subject or a username) invited too. */
    Access inviting(String user) {
      Set<String> more = new HashSet<>(invited);
      more.add(UserKeys.of(user));
      return new Access(privateRoom, ownerKey, more);
    }

    /** Whether the user with {@code userKey} is the owner or invited; a public room lets anyone. */
    boolean lets(String userKey) {
      return !privateRoom || userKey.equals(ownerKey) || invited.contains(userKey);
    }
  }

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
    members = MemberList.of(members);
    recent = RecentEvents.of(recent);
    bans = bans == null ? Map.of() : Map.copyOf(bans);
    access = access == null ? Access.PUBLIC : access;
    if (forgottenSeq == null) {
      forgottenSeq = recent.isEmpty() ? lastSeq : recent.get(0).seq() - 1;
    }
  }

  /** Every event announced, as in the rooms stored before presence limits. */
  RoomState(
      String roomId,
      long lastSeq,
      List<Member> members,
      List<RoomEvent> recent,
      Map<String, Long> bans,
      Access access) {
    this(roomId, lastSeq, members, recent, bans, access, null);
  }

  /** A room anyone may join. */
  RoomState(
      String roomId,
      long lastSeq,
      List<Member> members,
      List<RoomEvent> recent,
      Map<String, Long> bans) {
    this(roomId, lastSeq, members, recent, bans, Access.PUBLIC);
  }

  /** A room anyone may join and nobody is banned from. */
  RoomState(String roomId, long lastSeq, List<Member> members, List<RoomEvent> recent) {
    this(roomId, lastSeq, members, recent, Map.of());
  }

  /** This room after an event: everything but {@link #access} may change. */
  RoomState next(
      long seq,
      List<Member> nextMembers,
      List<RoomEvent> nextRecent,
      Map<String, Long> nextBans,
      long nextForgottenSeq) {
    return new RoomState(roomId, seq, nextMembers, nextRecent, nextBans, access, nextForgottenSeq);
  }

  /**
   * The seq of the latest event announced to the members (0 before any): the next frame's {@code
   * prevSeq}. The newest announced event is always kept, unless nothing is.
   */
  long announcedSeq() {
    return recent.isEmpty() ? forgottenSeq : recent.get(recent.size() - 1).seq();
  }

  /** The end of {@code user}'s ban, if it is banned at {@code at} (epoch millis). */
  Optional<Long> bannedUntil(String user, long at) {
    Long until = bans.get(UserKeys.of(user));
    return until != null && until > at ? Optional.of(until) : Optional.empty();
  }

  Optional<Member> member(String connectionId) {
    return memberList().find(connectionId);
  }

  /** The members, indexed by connection: {@link #members} as what the compact constructor made. */
  MemberList memberList() {
    return (MemberList) members;
  }

  /** Every member as clients see them: O(n), so for queries and tests, never an action's answer. */
  List<ServerFrame.MemberView> memberViews() {
    return members.stream().map(Member::view).toList();
  }

  /**
   * The recent events, with what joins make of them kept beside them: {@link #recent} as what the
   * compact constructor made.
   */
  RecentEvents recentEvents() {
    return (RecentEvents) recent;
  }

  /** The seq of the oldest kept event, or {@code lastSeq + 1} when none is kept. */
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
