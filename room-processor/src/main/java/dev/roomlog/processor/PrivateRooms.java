package dev.roomlog.processor;

import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.Authorizer;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.frame.ErrorCode;
import dev.roomlog.protocol.frame.ServerFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who may enter a private room, and invites into one: pure functions beside {@link RoomLogic},
 * which asks {@link #admits} before a join and hands invites to {@link #invite}.
 *
 * <p>A private room lets in its owner (its creator's user), the users invited into it, and token
 * users whose token's {@code rooms} claim names the room (the application's backend granted it). A
 * user is a token's subject, or a username on an API-key connection, where the name is the client's
 * own: private rooms keep out token users; an API key is a server's credential.
 */
final class PrivateRooms {
  /**
   * The invites a room keeps at most: each is a 22-character key, so they weigh about 25 KiB beside
   * the members and the recent events. Rooms for more people grant them by token instead.
   */
  static final int MAX_INVITES = 1000;

  private PrivateRooms() {}

  /**
   * Whether the connection of {@code ctx}, joining as {@code username}, may enter the room: always
   * for a room anyone may join.
   */
  static boolean admits(RoomState state, RequestContext ctx, String username) {
    return state.access().lets(UserKeys.of(userOf(ctx, username)))
        || grantsByName(ctx.authorizer(), state.roomId());
  }

  /**
   * An invite from a member: the owner, or a token user granted the room by name, may invite into a
   * private room. The invited user is told nothing (it is not connected to the room); every member
   * gets a userInvited, the inviter with its requestId as the answer.
   */
  static Decision invite(RoomState state, Action.Invite invite, RequestContext ctx) {
    if (state == null) {
      return RoomLogic.error(
          ctx, invite, ErrorCode.ROOM_NOT_FOUND, "room '" + invite.roomId() + "' does not exist");
    }
    Optional<RoomState.Member> inviter = state.member(ctx.connectionId());
    if (inviter.isEmpty()) {
      return RoomLogic.error(
          ctx,
          invite,
          ErrorCode.NOT_MEMBER,
          "you are not a member of room '" + invite.roomId() + "'");
    }
    RoomState.Access access = state.access();
    if (!access.privateRoom()) {
      return RoomLogic.error(
          ctx,
          invite,
          ErrorCode.ROOM_NOT_PRIVATE,
          "room '" + invite.roomId() + "' is not private: anyone may join it without an invite");
    }
    boolean owner = inviter.get().userKey().equals(access.ownerKey());
    if (!owner && !grantsByName(ctx.authorizer(), state.roomId())) {
      return RoomLogic.error(
          ctx,
          invite,
          ErrorCode.INVITE_NOT_ALLOWED,
          "only the creator of room '"
              + invite.roomId()
              + "', or a user whose token grants it, may invite into it");
    }
    boolean known = access.invited().contains(UserKeys.of(invite.user()));
    if (!known && access.invited().size() >= MAX_INVITES) {
      return RoomLogic.error(
          ctx,
          invite,
          ErrorCode.TOO_MANY_INVITES,
          "room '"
              + invite.roomId()
              + "' already keeps "
              + MAX_INVITES
              + " invites, the most a room keeps: grant the room in your users' tokens instead");
    }
    RoomEvent.UserInvited event =
        new RoomEvent.UserInvited(
            invite.roomId(),
            state.lastSeq() + 1,
            ctx.requestTimeEpoch(),
            invite.user(),
            inviter.get().username());
    Long prevSeq = RoomLogic.prevSeq(state.announcedSeq(), event.seq());
    List<Reply> replies = new ArrayList<>();
    replies.add(Reply.to(RoomLogic.requester(ctx), frame(event, invite.requestId(), prevSeq)));
    RoomLogic.toOthers(
        state.roomId(), state.members(), ctx.connectionId(), frame(event, null, prevSeq), replies);
    return new Decision(List.of(event), replies);
  }

  static ServerFrame.UserInvited frame(
      RoomEvent.UserInvited event, String requestId, Long prevSeq) {
    return new ServerFrame.UserInvited(
        event.roomId(),
        event.seq(),
        prevSeq,
        event.user(),
        event.invitedBy(),
        event.at(),
        requestId);
  }

  /**
   * Who a connection is: its token's subject, else {@code username} (an API-key client's own name).
   */
  static String userOf(RequestContext ctx, String username) {
    Authorizer who = ctx.authorizer();
    return who != null && who.tokenBased() ? who.principalId() : username;
  }

  private static boolean grantsByName(Authorizer who, String roomId) {
    return who != null && who.tokenBased() && who.grantsRoomByName(roomId);
  }
}
