package dev.roomlog.processor;

import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.frame.ErrorCode;
import dev.roomlog.protocol.frame.ServerFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Stage 2, keyed by room: the rules of a room, as two pure functions in the shape of Kafka's
 * group coordinator. {@link #decide} turns a command into events and replies without changing
 * anything; {@link #apply} folds one event into the state. The processor stores
 * {@code apply(...apply(state, e1)..., en)}, so the state is always a replay of the events.
 *
 * <p>Time comes from the command ({@code requestTimeEpoch}), never from a clock, so that a
 * replay decides the same thing. Instances are immutable and thread-safe.
 */
final class RoomLogic {
  private final int historySize;

  RoomLogic(int historySize) {
    if (historySize < 0) {
      throw new IllegalArgumentException("historySize must be >= 0, got " + historySize);
    }
    this.historySize = historySize;
  }

  Decision decide(RoomState stateOrNull, RoomCommand cmd) {
    Action action = cmd.action();
    if (cmd.disconnectLeave()) {
      return disconnectLeave(stateOrNull, cmd);
    }
    if (action instanceof Action.CreateRoom create) {
      return create(stateOrNull, cmd, create);
    }
    if (action instanceof Action.JoinRoom join) {
      return join(stateOrNull, cmd, join);
    }
    if (action instanceof Action.SendMessage send) {
      return send(stateOrNull, cmd, send);
    }
    if (action instanceof Action.LeaveRoom) {
      return leave(stateOrNull, cmd);
    }
    throw new IllegalArgumentException("not a room action: " + action);
  }

  RoomState apply(RoomState stateOrNull, RoomEvent event) {
    if (event instanceof RoomEvent.RoomCreated created) {
      if (stateOrNull != null) {
        throw new IllegalStateException("room " + created.roomId() + " is created twice");
      }
      checkSeq(0, event);
      return new RoomState(created.roomId(), created.seq(), List.of(), List.of());
    }
    if (stateOrNull == null) {
      throw new IllegalStateException(
          "event seq " + event.seq() + " for room " + event.roomId() + " before roomCreated");
    }
    RoomState state = stateOrNull;
    checkSeq(state.lastSeq(), event);
    if (event instanceof RoomEvent.MemberJoined joined) {
      List<RoomState.Member> members = new ArrayList<>(state.members());
      members.add(
          new RoomState.Member(joined.connectionId(), joined.username(), joined.gatewayId()));
      return new RoomState(state.roomId(), event.seq(), members, state.recent());
    }
    if (event instanceof RoomEvent.MemberLeft left) {
      List<RoomState.Member> members = new ArrayList<>(state.members());
      members.removeIf(m -> m.connectionId().equals(left.connectionId()));
      return new RoomState(state.roomId(), event.seq(), members, state.recent());
    }
    if (event instanceof RoomEvent.MessagePosted posted) {
      List<RoomEvent.MessagePosted> recent = new ArrayList<>(state.recent());
      recent.add(posted);
      while (recent.size() > historySize) {
        recent.remove(0);
      }
      return new RoomState(state.roomId(), event.seq(), state.members(), recent);
    }
    throw new IllegalArgumentException("unknown event type " + event.getClass().getName());
  }

  private Decision create(RoomState state, RoomCommand cmd, Action.CreateRoom create) {
    RequestContext ctx = cmd.requestContext();
    if (state != null) {
      return error(cmd, ErrorCode.ROOM_EXISTS, "room '" + cmd.roomId() + "' already exists");
    }
    long at = ctx.requestTimeEpoch();
    List<RoomEvent> events =
        List.of(
            new RoomEvent.RoomCreated(cmd.roomId(), 1, at, create.username()),
            new RoomEvent.MemberJoined(
                cmd.roomId(), 2, at, ctx.connectionId(), create.username(), ctx.gatewayId()));
    ServerFrame frame =
        new ServerFrame.RoomCreated(
            cmd.roomId(),
            2,
            List.of(new ServerFrame.MemberView(ctx.connectionId(), create.username())),
            create.requestId());
    return new Decision(events, List.of(Reply.to(requester(cmd), frame)));
  }

  private Decision join(RoomState state, RoomCommand cmd, Action.JoinRoom join) {
    RequestContext ctx = cmd.requestContext();
    if (state == null) {
      return roomNotFound(cmd);
    }
    if (state.member(ctx.connectionId()).isPresent()) {
      return error(
          cmd, ErrorCode.ALREADY_MEMBER, "you are already a member of room '" + cmd.roomId() + "'");
    }
    long seq = state.lastSeq() + 1;
    long at = ctx.requestTimeEpoch();
    RoomEvent event =
        new RoomEvent.MemberJoined(
            cmd.roomId(), seq, at, ctx.connectionId(), join.username(), ctx.gatewayId());
    List<ServerFrame.MemberView> members = new ArrayList<>(state.memberViews());
    members.add(new ServerFrame.MemberView(ctx.connectionId(), join.username()));
    List<ServerFrame.Message> history =
        state.recent().stream().map(m -> messageFrame(m, null)).toList();
    List<Reply> replies = new ArrayList<>();
    replies.add(
        Reply.to(
            requester(cmd),
            new ServerFrame.Joined(cmd.roomId(), seq, members, history, join.requestId())));
    toOthers(
        state.members(),
        ctx.connectionId(),
        new ServerFrame.MemberJoined(cmd.roomId(), seq, ctx.connectionId(), join.username(), at),
        replies);
    return new Decision(List.of(event), replies);
  }

  private Decision send(RoomState state, RoomCommand cmd, Action.SendMessage send) {
    RequestContext ctx = cmd.requestContext();
    if (state == null) {
      return roomNotFound(cmd);
    }
    Optional<RoomState.Member> sender = state.member(ctx.connectionId());
    if (sender.isEmpty()) {
      return notMember(cmd);
    }
    String username = sender.get().username();
    Optional<RoomEvent.MessagePosted> earlier = alreadyPosted(state, username, send.clientMsgId(), send.text());
    if (earlier.isPresent()) {
      // A retry (e.g. after a gateway crash): answer it with the original, change nothing.
      return Decision.reply(
          Reply.to(requester(cmd), messageFrame(earlier.get(), send.requestId())));
    }
    RoomEvent.MessagePosted event =
        new RoomEvent.MessagePosted(
            cmd.roomId(),
            state.lastSeq() + 1,
            ctx.requestTimeEpoch(),
            ctx.connectionId(),
            username,
            send.text(),
            send.clientMsgId());
    List<Reply> replies = new ArrayList<>();
    replies.add(Reply.to(requester(cmd), messageFrame(event, send.requestId())));
    toOthers(state.members(), ctx.connectionId(), messageFrame(event, null), replies);
    return new Decision(List.of(event), replies);
  }

  private Decision leave(RoomState state, RoomCommand cmd) {
    RequestContext ctx = cmd.requestContext();
    if (state == null) {
      return roomNotFound(cmd);
    }
    Optional<RoomState.Member> member = state.member(ctx.connectionId());
    if (member.isEmpty()) {
      return notMember(cmd);
    }
    RoomEvent.MemberLeft event = memberLeft(state, cmd, member.get(), RoomEvent.MemberLeft.LEFT);
    List<Reply> replies = new ArrayList<>();
    replies.add(
        Reply.to(
            requester(cmd),
            new ServerFrame.Left(cmd.roomId(), event.seq(), cmd.action().requestId())));
    toOthers(state.members(), ctx.connectionId(), memberLeftFrame(event), replies);
    return new Decision(List.of(event), replies);
  }

  /** The socket is gone: no reply and no error, only the others hear about it. */
  private Decision disconnectLeave(RoomState state, RoomCommand cmd) {
    if (state == null) {
      return Decision.NOTHING;
    }
    Optional<RoomState.Member> member = state.member(cmd.requestContext().connectionId());
    if (member.isEmpty()) {
      return Decision.NOTHING;
    }
    RoomEvent.MemberLeft event =
        memberLeft(state, cmd, member.get(), RoomEvent.MemberLeft.DISCONNECTED);
    List<Reply> replies = new ArrayList<>();
    toOthers(state.members(), member.get().connectionId(), memberLeftFrame(event), replies);
    return new Decision(List.of(event), replies);
  }

  private static RoomEvent.MemberLeft memberLeft(
      RoomState state, RoomCommand cmd, RoomState.Member member, String reason) {
    return new RoomEvent.MemberLeft(
        cmd.roomId(),
        state.lastSeq() + 1,
        cmd.requestContext().requestTimeEpoch(),
        member.connectionId(),
        member.username(),
        reason);
  }

  private static ServerFrame.MemberLeft memberLeftFrame(RoomEvent.MemberLeft event) {
    return new ServerFrame.MemberLeft(
        event.roomId(),
        event.seq(),
        event.connectionId(),
        event.username(),
        event.reason(),
        event.at());
  }

  private static ServerFrame.Message messageFrame(RoomEvent.MessagePosted m, String requestId) {
    return new ServerFrame.Message(
        m.roomId(),
        m.seq(),
        m.username(),
        m.connectionId(),
        m.text(),
        m.at(),
        m.clientMsgId(),
        requestId);
  }

  /**
   * The message this user already posted with this clientMsgId, if the room still remembers
   * it. Keyed by username, not connection, because a retry after a gateway crash comes from a
   * new connection; the text must match too, because usernames are not unique and two people
   * called alike may pick the same simple ids. Only the last {@code historySize} messages are
   * remembered.
   */
  private static Optional<RoomEvent.MessagePosted> alreadyPosted(
      RoomState state, String username, String clientMsgId, String text) {
    if (clientMsgId == null) {
      return Optional.empty();
    }
    return state.recent().stream()
        .filter(
            m ->
                clientMsgId.equals(m.clientMsgId())
                    && username.equals(m.username())
                    && text.equals(m.text()))
        .findFirst();
  }

  /** Adds one reply with {@code frame} for every member except {@code excluded}, if any. */
  private static void toOthers(
      List<RoomState.Member> members, String excluded, ServerFrame frame, List<Reply> replies) {
    List<Recipient> others =
        members.stream()
            .filter(m -> !m.connectionId().equals(excluded))
            .map(m -> new Recipient(m.connectionId(), m.gatewayId()))
            .toList();
    if (!others.isEmpty()) {
      replies.add(new Reply(frame, others));
    }
  }

  private static Recipient requester(RoomCommand cmd) {
    return new Recipient(
        cmd.requestContext().connectionId(), cmd.requestContext().gatewayId());
  }

  private static Decision roomNotFound(RoomCommand cmd) {
    return error(cmd, ErrorCode.ROOM_NOT_FOUND, "room '" + cmd.roomId() + "' does not exist");
  }

  private static Decision notMember(RoomCommand cmd) {
    return error(
        cmd, ErrorCode.NOT_MEMBER, "you are not a member of room '" + cmd.roomId() + "'");
  }

  private static Decision error(RoomCommand cmd, ErrorCode code, String message) {
    return Decision.reply(
        Reply.to(requester(cmd), code.frame(message, cmd.action().requestId())));
  }

  private static void checkSeq(long lastSeq, RoomEvent event) {
    if (event.seq() != lastSeq + 1) {
      throw new IllegalStateException(
          "room " + event.roomId() + " expects seq " + (lastSeq + 1) + ", got " + event.seq());
    }
  }
}
