package dev.roomlog.gateway.auth;

import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.Authorizer;
import dev.roomlog.protocol.frame.ErrorCode;
import dev.roomlog.protocol.frame.ServerFrame;
import java.util.Optional;

/**
 * What a token connection may do, decided at the gateway before anything is written: its username
 * is its token's name (403 {@code usernameNotYours} for another), its rooms are those its {@code
 * rooms} claim grants (403 {@code roomNotGranted}), and it creates rooms unless its {@code
 * createRooms} claim is false (403 {@code createRoomsNotGranted}). An API-key connection may do
 * everything, as before tokens. Leaving a room is always allowed. Plain Java.
 */
public final class TokenRights {
  private TokenRights() {}

  /** The error to answer {@code action} with, or empty if {@code who} may do it. */
  public static Optional<ServerFrame.ErrorFrame> refusal(Authorizer who, Action action) {
    if (who == null || !who.tokenBased()) {
      return Optional.empty();
    }
    String requestId = action.requestId();
    String username = username(action);
    if (username != null && !username.equals(who.name())) {
      return Optional.of(
          ErrorCode.USERNAME_NOT_YOURS.frame(
              "this connection's token names you '"
                  + who.name()
                  + "': leave username out or send that one",
              requestId));
    }
    if (action instanceof Action.CreateRoom create && !who.mayCreateRooms()) {
      return Optional.of(
          ErrorCode.CREATE_ROOMS_NOT_GRANTED.frame(
              "this connection's token does not allow creating rooms", requestId));
    }
    String roomId = guardedRoom(action);
    if (roomId != null && !who.grantsRoom(roomId)) {
      return Optional.of(
          ErrorCode.ROOM_NOT_GRANTED.frame(
              "this connection's token does not grant room '" + roomId + "'", requestId));
    }
    if (action instanceof Action.CreateRoom create
        && create.roomId() == null
        && who.rooms() != null) {
      // A generated id could not be one the token grants: the room would be out of reach.
      return Optional.of(
          ErrorCode.ROOM_NOT_GRANTED.frame(
              "this connection's token grants only some rooms: create one with a roomId it"
                  + " grants",
              requestId));
    }
    return Optional.empty();
  }

  /**
   * Whether a refreshed token ({@code after}, same {@code sub}) gives its connection less than
   * {@code before} did, or another name: a room {@code before} granted that {@code after} does not
   * (an exact id, or every room of a prefix), or {@code createRooms} revoked. Rights that stay or
   * only widen can be applied to an open connection; narrower ones cannot be made to take effect on
   * the rooms it is already in, so it must reconnect.
   */
  public static boolean narrows(Authorizer before, Authorizer after) {
    if (!after.name().equals(before.name())
        || (before.mayCreateRooms() && !after.mayCreateRooms())) {
      return true;
    }
    if (after.rooms() == null) {
      return false;
    }
    if (before.rooms() == null) {
      return true;
    }
    for (String grant : before.rooms()) {
      if (!grantsAll(after, grant)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code who} grants every room {@code grant} does (an id, or a prefix with '*'). */
  private static boolean grantsAll(Authorizer who, String grant) {
    if (!grant.endsWith("*")) {
      return who.grantsRoom(grant);
    }
    String prefix = grant.substring(0, grant.length() - 1);
    for (String other : who.rooms()) {
      if (other.endsWith("*") && prefix.startsWith(other.substring(0, other.length() - 1))) {
        return true;
      }
    }
    return false;
  }

  private static String username(Action action) {
    if (action instanceof Action.CreateRoom create) {
      return create.username();
    }
    if (action instanceof Action.JoinRoom join) {
      return join.username();
    }
    return null;
  }

  /** The room an action reaches into, if the rooms claim limits it. */
  private static String guardedRoom(Action action) {
    if (action instanceof Action.JoinRoom
        || action instanceof Action.SendMessage
        || action instanceof Action.Resume
        || action instanceof Action.ListMembers
        || action instanceof Action.Invite
        || (action instanceof Action.CreateRoom create && create.roomId() != null)) {
      return ((Action.RoomAction) action).roomId();
    }
    return null;
  }
}
