package dev.roomlog.processor;

import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.Authorizer;
import dev.roomlog.protocol.action.Limits;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.action.RoomIds;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.frame.ErrorCode;
import dev.roomlog.protocol.frame.ServerFrame;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rules of a room, as pure functions in the shape of Kafka's group coordinator. {@link #decide}
 * turns a client's action into events and replies without changing anything; {@link #remove} does
 * the same for a member whose connection or gateway is gone; {@link #apply} folds one event into
 * the state. The processor stores {@code apply(...apply(state, e1)..., en)}, so the state is always
 * a replay of the events.
 *
 * <p>Time comes from the command ({@code requestTimeEpoch}), never from a clock, so that a replay
 * decides the same thing. Instances are immutable and thread-safe.
 *
 * <p>Over 400 lines because it is one state machine: each action's decision (create, join, resume,
 * send, post, leave, remove, moderate) and {@link #apply} must agree on the same rules (who is a
 * member, the next seq, the bounded history, which frame goes to whom), and their shared checks and
 * frames are the private helpers at the bottom. A class per action would scatter those rules over
 * files that must change together. The stores' layout (issue 18) left it whole: {@code RoomStores}
 * derives each record's store writes from the states before and after.
 */
final class RoomLogic {
  /**
   * What the recent events of a room may weigh, by {@link #boundBytes}: with a joined frame's first
   * page of members at their largest it keeps the frame (and the previous layout's state record, of
   * at most 5,000 members) under {@link RoomTopology#MAX_RECORD_BYTES}, whatever the history size
   * and however long the messages.
   */
  static final int RECENT_BYTES_BUDGET = 1024 * 1024;

  /**
   * The most one member entry weighs in a joined or members frame: ids, a username of at most 64
   * characters (3 UTF-8 bytes each at worst; control characters are refused), field names.
   */
  static final int MEMBER_BYTES_BOUND = 512;

  /**
   * The running bans a room keeps at most: each is a 22-character key and a time, so they weigh
   * about 50 KiB at most beside the members and the recent events.
   */
  static final int MAX_BANS = 1000;

  private final int historySize;
  private final int maxRoomMembers;
  private final int presenceLimit;

  RoomLogic(int historySize) {
    this(historySize, ProcessorSettings.DEFAULT_MAX_ROOM_MEMBERS);
  }

  RoomLogic(int historySize, int maxRoomMembers) {
    this(historySize, maxRoomMembers, ProcessorSettings.DEFAULT_PRESENCE_LIMIT);
  }

  RoomLogic(int historySize, int maxRoomMembers, int presenceLimit) {
    if (historySize < 0) {
      throw new IllegalArgumentException("historySize must be >= 0, got " + historySize);
    }
    if (maxRoomMembers < 1) {
      throw new IllegalArgumentException("maxRoomMembers must be >= 1, got " + maxRoomMembers);
    }
    if (presenceLimit < 0) {
      throw new IllegalArgumentException("presenceLimit must be >= 0, got " + presenceLimit);
    }
    this.historySize = historySize;
    this.maxRoomMembers = maxRoomMembers;
    this.presenceLimit = presenceLimit;
  }

  /**
   * Whether the members are told of {@code event} in a room of {@code membersBefore} members: a
   * join when the room has at most {@code presenceLimit} members before it (so the join that
   * crosses the limit is told, marked: {@link #presenceMark}), a leave (any reason) when it had at
   * most {@code presenceLimit + 1} before it (the leave back within the limit is told, marked),
   * every other event always. Past the limit a join or a leave is told to its own member only, so
   * that filling a room costs O(n) frames and not n²/2. It depends on the state and the event
   * alone, so {@link #apply} and a replay agree with the decision; unannounced events are still
   * room events, but not kept in the resume window.
   */
  boolean announces(int membersBefore, RoomEvent event) {
    if (event instanceof RoomEvent.MemberJoined) {
      return membersBefore <= presenceLimit;
    }
    if (event instanceof RoomEvent.MemberLeft) {
      return membersBefore <= presenceLimit + 1;
    }
    return true;
  }

  /**
   * The {@code presence} of the live frame of an announced join or leave: false on the join that
   * takes the room past the limit (joins and leaves stop being announced after it), true on the
   * leave that brings it back within (they are announced again, and a list kept from live frames is
   * stale), null otherwise. So a member always learns when announcements stop and start.
   */
  Boolean presenceMark(int membersBefore, RoomEvent event) {
    if (event instanceof RoomEvent.MemberJoined && membersBefore == presenceLimit) {
      return Boolean.FALSE;
    }
    if (event instanceof RoomEvent.MemberLeft && membersBefore == presenceLimit + 1) {
      return Boolean.TRUE;
    }
    return null;
  }

  /** A frame's {@code prevSeq}: the previous announced seq, when it is not the seq just before. */
  static Long prevSeq(long announcedSeq, long seq) {
    return announcedSeq == seq - 1 ? null : announcedSeq;
  }

  /**
   * An upper bound of the bytes {@code event} takes in JSON: a message's text can be escaped to 6
   * bytes a character ({@code \u0001}); everything else fits in the fixed part.
   */
  static int boundBytes(RoomEvent event) {
    int fixed = 1024;
    if (event instanceof RoomEvent.MessagePosted message) {
      return fixed + 6 * message.text().length();
    }
    if (event instanceof RoomEvent.UserBanned banned) {
      return fixed + 6 * (banned.user().length() + lengthOf(banned.reason()));
    }
    if (event instanceof RoomEvent.MemberLeft left) {
      return fixed + 6 * lengthOf(left.note());
    }
    if (event instanceof RoomEvent.UserInvited invited) {
      return fixed + 6 * (invited.user().length() + invited.invitedBy().length());
    }
    return fixed;
  }

  /**
   * What {@code action} does to the room. A createRoom must name its room (the gateway fills the id
   * in); one from an older log that does not is given the id the gateway would have.
   */
  Decision decide(RoomState stateOrNull, Action.RoomAction action, RequestContext ctx) {
    if (action instanceof Action.CreateRoom create) {
      return create(stateOrNull, create, ctx);
    }
    if (action instanceof Action.JoinRoom join) {
      return join(stateOrNull, join, ctx);
    }
    if (action instanceof Action.SendMessage send) {
      return send(stateOrNull, send, ctx);
    }
    if (action instanceof Action.LeaveRoom leave) {
      return leave(stateOrNull, leave, ctx);
    }
    if (action instanceof Action.Resume resume) {
      return resume(stateOrNull, resume, ctx);
    }
    if (action instanceof Action.ListMembers list) {
      return members(stateOrNull, list, ctx);
    }
    if (action instanceof Action.PostMessage post) {
      return post(stateOrNull, post, ctx);
    }
    if (action instanceof Action.Moderate moderate) {
      return moderate(stateOrNull, moderate, ctx);
    }
    if (action instanceof Action.Invite invite) {
      return PrivateRooms.invite(stateOrNull, invite, ctx);
    }
    throw new IllegalArgumentException("not a room action: " + action);
  }

  /**
   * Takes {@code connectionId} out of the room because its connection closed ({@link
   * RoomEvent.MemberLeft#DISCONNECTED}: nobody is left to answer) or its gateway was lost ({@link
   * RoomEvent.MemberLeft#GATEWAY_LOST}: the member is told too, in case its gateway was only paused
   * and the socket still listens). Nothing happens if it is not a member.
   */
  Decision remove(RoomState stateOrNull, String connectionId, String reason, long at) {
    if (stateOrNull == null) {
      return Decision.NOTHING;
    }
    Optional<RoomState.Member> member = stateOrNull.member(connectionId);
    if (member.isEmpty()) {
      return Decision.NOTHING;
    }
    RoomEvent.MemberLeft event =
        new RoomEvent.MemberLeft(
                stateOrNull.roomId(),
                stateOrNull.lastSeq() + 1,
                at,
                connectionId,
                member.get().username(),
                reason)
            .withMemberCount(stateOrNull.members().size() - 1);
    List<Reply> replies = new ArrayList<>();
    boolean lost = RoomEvent.MemberLeft.GATEWAY_LOST.equals(reason);
    ServerFrame.MemberLeft frame =
        memberLeftFrame(
            event,
            prevSeq(stateOrNull.announcedSeq(), event.seq()),
            presenceMark(stateOrNull.members().size(), event));
    if (announces(stateOrNull.members().size(), event)) {
      toOthers(
          stateOrNull.roomId(), stateOrNull.members(), lost ? null : connectionId, frame, replies);
    } else if (lost) {
      replies.add(Reply.to(member.get().recipient(), frame));
    }
    return new Decision(List.of(event), replies);
  }

  RoomState apply(RoomState stateOrNull, RoomEvent event) {
    if (event instanceof RoomEvent.RoomCreated created) {
      if (stateOrNull != null) {
        throw new IllegalStateException("room " + created.roomId() + " is created twice");
      }
      checkSeq(0, event);
      RoomState.Access access =
          created.isPrivate()
              ? RoomState.Access.privateTo(
                  created.owner() != null ? created.owner() : created.createdBy())
              : RoomState.Access.PUBLIC;
      Window window = remember(List.of(), 0, event);
      return new RoomState(
          created.roomId(),
          created.seq(),
          List.of(),
          window.recent(),
          Map.of(),
          access,
          window.forgottenSeq());
    }
    if (stateOrNull == null) {
      throw new IllegalStateException(
          "event seq " + event.seq() + " for room " + event.roomId() + " before roomCreated");
    }
    RoomState state = stateOrNull;
    checkSeq(state.lastSeq(), event);
    Window window =
        announces(state.members().size(), event)
            ? remember(state.recent(), state.forgottenSeq(), event)
            : new Window(state.recent(), state.forgottenSeq());
    List<RoomEvent> recent = window.recent();
    long forgotten = window.forgottenSeq();
    // Bans over by this event's time are dropped, so the state holds only running ones.
    Map<String, Long> bans = new HashMap<>(state.bans());
    bans.values().removeIf(until -> until <= event.at());
    if (event instanceof RoomEvent.MemberJoined joined) {
      MemberList members = state.memberList().plus(joined.seq(), memberOf(joined));
      return state.next(event.seq(), members, recent, bans, forgotten);
    }
    if (event instanceof RoomEvent.MemberLeft left) {
      MemberList members = state.memberList().minus(left.connectionId());
      return state.next(event.seq(), members, recent, bans, forgotten);
    }
    if (event instanceof RoomEvent.MessagePosted) {
      return state.next(event.seq(), state.members(), recent, bans, forgotten);
    }
    if (event instanceof RoomEvent.UserInvited invited) {
      return new RoomState(
          state.roomId(),
          event.seq(),
          state.members(),
          recent,
          bans,
          state.access().inviting(invited.user()),
          forgotten);
    }
    if (event instanceof RoomEvent.UserBanned banned) {
      if (banned.until() > banned.at()) {
        bans.put(UserKeys.of(banned.user()), banned.until());
      }
      return state.next(event.seq(), state.members(), recent, bans, forgotten);
    }
    throw new IllegalArgumentException("unknown event type " + event.getClass().getName());
  }

  /** The kept events and the seq of the newest announced event no longer kept. */
  private record Window(List<RoomEvent> recent, long forgottenSeq) {}

  /**
   * The last {@code historySize} announced events, {@code event} included, fewer if they would
   * weigh more than {@link #RECENT_BYTES_BUDGET} (the newest is always kept); {@code forgottenSeq}
   * moves to the newest event dropped.
   */
  private Window remember(List<RoomEvent> recent, long forgottenSeq, RoomEvent event) {
    if (historySize == 0) {
      return new Window(List.of(), event.seq());
    }
    RecentEvents window = RecentEvents.of(recent);
    int dropped = window.oldestToDrop(historySize - 1, boundBytes(event), RECENT_BYTES_BUDGET);
    // The events kept keep their history frames and JSON (RecentEvents), made once per message.
    List<RoomEvent> next = window.slide(dropped, event);
    return new Window(next, dropped > 0 ? recent.get(dropped - 1).seq() : forgottenSeq);
  }

  private Decision create(RoomState state, Action.CreateRoom create, RequestContext ctx) {
    String roomId =
        create.roomId() != null ? create.roomId() : RoomIds.forCreate(create, ctx.requestId());
    if (state != null) {
      return error(ctx, create, ErrorCode.ROOM_EXISTS, "room '" + roomId + "' already exists");
    }
    long at = ctx.requestTimeEpoch();
    Boolean privateRoom = create.isPrivate() ? Boolean.TRUE : null;
    String owner = create.isPrivate() ? PrivateRooms.userOf(ctx, create.username()) : null;
    List<RoomEvent> events =
        List.of(
            new RoomEvent.RoomCreated(roomId, 1, at, create.username(), privateRoom, owner),
            new RoomEvent.MemberJoined(
                roomId,
                2,
                at,
                ctx.connectionId(),
                create.username(),
                ctx.gatewayId(),
                ctx.gatewayInstance(),
                subjectOf(ctx)));
    ServerFrame frame =
        new ServerFrame.RoomCreated(
            roomId,
            2,
            1,
            List.of(new ServerFrame.MemberView(ctx.connectionId(), create.username())),
            null,
            create.requestId(),
            privateRoom);
    return new Decision(events, List.of(Reply.to(requester(ctx), frame)));
  }

  private Decision join(RoomState state, Action.JoinRoom join, RequestContext ctx) {
    if (state == null) {
      return roomNotFound(ctx, join);
    }
    if (state.member(ctx.connectionId()).isPresent()) {
      return error(
          ctx,
          join,
          ErrorCode.ALREADY_MEMBER,
          "you are already a member of room '" + join.roomId() + "'");
    }
    // Before anything else about the room: who may not enter learns nothing of it.
    if (!PrivateRooms.admits(state, ctx, join.username())) {
      return error(
          ctx,
          join,
          ErrorCode.PRIVATE_ROOM,
          "room '"
              + join.roomId()
              + "' is private: you need an invite from its creator, or a token that grants it");
    }
    String user = PrivateRooms.userOf(ctx, join.username());
    Optional<Long> bannedUntil = state.bannedUntil(user, ctx.requestTimeEpoch());
    if (bannedUntil.isPresent()) {
      long until = bannedUntil.get();
      return Decision.reply(
          Reply.to(
              requester(ctx),
              ErrorCode.BANNED.frame(
                  "you are banned from room '"
                      + join.roomId()
                      + "' until "
                      + Instant.ofEpochMilli(until)
                      + " (retryAfterMs says how long that is)",
                  join.requestId(),
                  until - ctx.requestTimeEpoch())));
    }
    if (state.members().size() >= maxRoomMembers) {
      return error(
          ctx,
          join,
          ErrorCode.ROOM_FULL,
          "room '"
              + join.roomId()
              + "' is full: it has "
              + state.members().size()
              + " members, the most this deployment allows (--max-room-members)");
    }
    List<ServerFrame> missed = null;
    if (join.afterSeq() != null) {
      Optional<Decision> refused = checkResumable(state, join.afterSeq(), join, ctx);
      if (refused.isPresent()) {
        return refused.get();
      }
      missed = eventsAfter(state, join.afterSeq());
    }
    long seq = state.lastSeq() + 1;
    long at = ctx.requestTimeEpoch();
    RoomEvent.MemberJoined event =
        new RoomEvent.MemberJoined(
            join.roomId(),
            seq,
            at,
            ctx.connectionId(),
            join.username(),
            ctx.gatewayId(),
            ctx.gatewayInstance(),
            subjectOf(ctx));
    // The room as the join leaves it, for its first page of members: O(log n), as apply does.
    MemberList after = state.memberList().plus(seq, memberOf(event));
    MemberList.Page first = after.page(null, Limits.FIRST_MEMBERS_PAGE);
    List<ServerFrame.Message> history = missed == null ? historyOf(state) : null;
    List<Reply> replies = new ArrayList<>();
    replies.add(
        Reply.to(
            requester(ctx),
            new ServerFrame.Joined(
                join.roomId(),
                seq,
                after.size(),
                views(first),
                first.next(),
                history,
                missed,
                join.requestId(),
                after.size() > presenceLimit ? Boolean.FALSE : null)));
    if (announces(state.members().size(), event)) {
      toOthers(
          state.roomId(),
          state.members(),
          ctx.connectionId(),
          new ServerFrame.MemberJoined(
              join.roomId(),
              seq,
              prevSeq(state.announcedSeq(), seq),
              ctx.connectionId(),
              join.username(),
              at,
              presenceMark(state.members().size(), event)),
          replies);
    }
    return new Decision(List.of(event), replies);
  }

  /**
   * The creator of an existing room, retrying its createRoom (same clientMsgId) from a new
   * connection: the room is not created again, but this connection joins it, and the answer is a
   * roomCreated with the join's seq and the members now, as the client expects after "created".
   * Refusals (e.g. already a member) are passed on as they are.
   */
  Decision joinAsCreator(RoomState state, Action.CreateRoom create, RequestContext ctx) {
    Decision joined =
        join(
            state,
            new Action.JoinRoom(create.requestId(), state.roomId(), create.username(), null, null),
            ctx);
    List<Reply> replies = new ArrayList<>();
    for (Reply reply : joined.replies()) {
      if (reply.frame() instanceof ServerFrame.Joined j) {
        replies.add(
            new Reply(
                new ServerFrame.RoomCreated(
                    j.roomId(),
                    j.seq(),
                    j.memberCount(),
                    j.members(),
                    j.membersNext(),
                    j.requestId(),
                    state.access().privateRoom() ? Boolean.TRUE : null),
                reply.recipients()));
      } else {
        replies.add(reply);
      }
    }
    return new Decision(joined.events(), replies);
  }

  private Decision resume(RoomState state, Action.Resume resume, RequestContext ctx) {
    if (state == null) {
      return roomNotFound(ctx, resume);
    }
    if (state.member(ctx.connectionId()).isEmpty()) {
      return error(
          ctx,
          resume,
          ErrorCode.NOT_MEMBER,
          "you are not a member of room '"
              + resume.roomId()
              + "': join it with afterSeq to catch up instead");
    }
    Optional<Decision> refused = checkResumable(state, resume.afterSeq(), resume, ctx);
    if (refused.isPresent()) {
      return refused.get();
    }
    return Decision.reply(
        Reply.to(
            requester(ctx),
            new ServerFrame.Resumed(
                resume.roomId(),
                resume.afterSeq(),
                state.lastSeq(),
                eventsAfter(state, resume.afterSeq()),
                resume.requestId())));
  }

  /**
   * Empty when every event after {@code afterSeq} is still kept; otherwise the refusal: 400 for a
   * seq the room has not reached, 410 with the oldest kept seq and the room as it stands for one
   * older than the kept window, so that a client never skips events without knowing.
   */
  private Optional<Decision> checkResumable(
      RoomState state, long afterSeq, Action action, RequestContext ctx) {
    if (afterSeq > state.lastSeq()) {
      return Optional.of(
          error(
              ctx,
              action,
              ErrorCode.INVALID_FIELD,
              "afterSeq "
                  + afterSeq
                  + " is ahead of room '"
                  + state.roomId()
                  + "', whose latest seq is "
                  + state.lastSeq()));
    }
    // Complete iff no announced event after afterSeq has left the window: the unannounced joins
    // and leaves between the kept events were never to be replayed.
    long forgotten = state.forgottenSeq();
    if (afterSeq >= forgotten) {
      return Optional.empty();
    }
    long oldest = forgotten + 1;
    MemberList.Page first = state.memberList().page(null, Limits.FIRST_MEMBERS_PAGE);
    ServerFrame.RoomSnapshot snapshot =
        new ServerFrame.RoomSnapshot(
            state.roomId(),
            state.lastSeq(),
            state.members().size(),
            views(first),
            first.next(),
            historyOf(state));
    ServerFrame.ErrorFrame frame =
        new ServerFrame.ErrorFrame(
            ErrorCode.RESUME_TOO_OLD.status(),
            ErrorCode.RESUME_TOO_OLD.code(),
            "the room keeps events from seq "
                + oldest
                + " on; those after "
                + afterSeq
                + " up to "
                + (oldest - 1)
                + " are only in the log (roomlog.room-events). Nothing was done: join or"
                + " resume from seq "
                + (oldest - 1)
                + " or later",
            action.requestId(),
            null,
            oldest,
            snapshot);
    return Optional.of(Decision.reply(Reply.to(requester(ctx), frame)));
  }

  /**
   * A page of the room's members, to a member only: like resume it changes nothing and is no event,
   * and its cost is the page's, whatever the room's size.
   */
  private Decision members(RoomState state, Action.ListMembers list, RequestContext ctx) {
    if (state == null) {
      return roomNotFound(ctx, list);
    }
    if (state.member(ctx.connectionId()).isEmpty()) {
      return notMember(ctx, list);
    }
    MemberList.Page page = state.memberList().page(list.after(), list.limit());
    return Decision.reply(
        Reply.to(
            requester(ctx),
            new ServerFrame.Members(
                list.roomId(),
                state.lastSeq(),
                state.members().size(),
                views(page),
                page.next(),
                list.requestId())));
  }

  private static List<ServerFrame.MemberView> views(MemberList.Page page) {
    return page.members().stream().map(RoomState.Member::view).toList();
  }

  /** The member a join makes. */
  static RoomState.Member memberOf(RoomEvent.MemberJoined joined) {
    return new RoomState.Member(
        joined.connectionId(),
        joined.username(),
        joined.gatewayId(),
        joined.gatewayInstance(),
        joined.subject() == null ? null : UserKeys.of(joined.subject()));
  }

  /**
   * The kept events after {@code afterSeq}, each as the frame the members saw (its prevSeq too).
   */
  private static List<ServerFrame> eventsAfter(RoomState state, long afterSeq) {
    List<ServerFrame> frames = new ArrayList<>();
    long previous = state.forgottenSeq();
    for (RoomEvent event : state.recent()) {
      if (event.seq() > afterSeq) {
        frames.add(frameOf(event, prevSeq(previous, event.seq())));
      }
      previous = event.seq();
    }
    return frames;
  }

  /** The same frame objects for every join while a message is kept, so its JSON is kept too. */
  private static List<ServerFrame.Message> historyOf(RoomState state) {
    return state.recentEvents().history();
  }

  /** An event as the frame its room's members received live, after the event just before it. */
  static ServerFrame frameOf(RoomEvent event) {
    return frameOf(event, null);
  }

  /** An event as the frame its room's members received live; {@code prevSeq} may be null. */
  static ServerFrame frameOf(RoomEvent event, Long prevSeq) {
    if (event instanceof RoomEvent.RoomCreated created) {
      return new ServerFrame.RoomCreated(
          created.roomId(), created.seq(), List.of(), null, created.privateRoom());
    }
    if (event instanceof RoomEvent.MemberJoined joined) {
      return new ServerFrame.MemberJoined(
          joined.roomId(),
          joined.seq(),
          prevSeq,
          joined.connectionId(),
          joined.username(),
          joined.at());
    }
    if (event instanceof RoomEvent.MemberLeft left) {
      return memberLeftFrame(left, prevSeq, null);
    }
    if (event instanceof RoomEvent.MessagePosted posted) {
      return messageFrame(posted, null, prevSeq);
    }
    if (event instanceof RoomEvent.UserBanned banned) {
      return userBannedFrame(banned, prevSeq);
    }
    if (event instanceof RoomEvent.UserInvited invited) {
      return PrivateRooms.frame(invited, null, prevSeq);
    }
    throw new IllegalArgumentException("unknown event type " + event.getClass().getName());
  }

  private Decision send(RoomState state, Action.SendMessage send, RequestContext ctx) {
    if (state == null) {
      return roomNotFound(ctx, send);
    }
    Optional<RoomState.Member> sender = state.member(ctx.connectionId());
    if (sender.isEmpty()) {
      return notMember(ctx, send);
    }
    RoomEvent.MessagePosted event =
        new RoomEvent.MessagePosted(
            send.roomId(),
            state.lastSeq() + 1,
            ctx.requestTimeEpoch(),
            ctx.connectionId(),
            sender.get().username(),
            send.text(),
            send.clientMsgId());
    Long prevSeq = prevSeq(state.announcedSeq(), event.seq());
    List<Reply> replies = new ArrayList<>();
    replies.add(Reply.to(requester(ctx), messageFrame(event, send.requestId(), prevSeq)));
    toOthers(
        state.roomId(),
        state.members(),
        ctx.connectionId(),
        messageFrame(event, null, prevSeq),
        replies);
    return new Decision(List.of(event), replies);
  }

  /**
   * A message the server posts through the management API: like a member's, but the poster needs no
   * membership, and the message's connectionId says it came from the server. The answer goes to the
   * management request's own id on its gateway, every member gets the message.
   */
  private Decision post(RoomState state, Action.PostMessage post, RequestContext ctx) {
    if (state == null) {
      return roomNotFound(ctx, post);
    }
    RoomEvent.MessagePosted event =
        new RoomEvent.MessagePosted(
            post.roomId(),
            state.lastSeq() + 1,
            ctx.requestTimeEpoch(),
            Action.PostMessage.SERVER_CONNECTION_ID,
            post.username(),
            post.text(),
            post.clientMsgId());
    Long prevSeq = prevSeq(state.announcedSeq(), event.seq());
    List<Reply> replies = new ArrayList<>();
    replies.add(Reply.to(requester(ctx), messageFrame(event, post.requestId(), prevSeq)));
    toOthers(state.roomId(), state.members(), null, messageFrame(event, null, prevSeq), replies);
    return new Decision(List.of(event), replies);
  }

  private Decision leave(RoomState state, Action.LeaveRoom leave, RequestContext ctx) {
    if (state == null) {
      return roomNotFound(ctx, leave);
    }
    Optional<RoomState.Member> member = state.member(ctx.connectionId());
    if (member.isEmpty()) {
      return notMember(ctx, leave);
    }
    RoomEvent.MemberLeft event =
        new RoomEvent.MemberLeft(
                leave.roomId(),
                state.lastSeq() + 1,
                ctx.requestTimeEpoch(),
                ctx.connectionId(),
                member.get().username(),
                RoomEvent.MemberLeft.LEFT)
            .withMemberCount(state.members().size() - 1);
    List<Reply> replies = new ArrayList<>();
    replies.add(
        Reply.to(
            requester(ctx), new ServerFrame.Left(leave.roomId(), event.seq(), leave.requestId())));
    if (announces(state.members().size(), event)) {
      toOthers(
          state.roomId(),
          state.members(),
          ctx.connectionId(),
          memberLeftFrame(
              event,
              prevSeq(state.announcedSeq(), event.seq()),
              presenceMark(state.members().size(), event)),
          replies);
    }
    return new Decision(List.of(event), replies);
  }

  private static ServerFrame.MemberLeft memberLeftFrame(
      RoomEvent.MemberLeft event, Long prevSeq, Boolean presence) {
    return new ServerFrame.MemberLeft(
        event.roomId(),
        event.seq(),
        prevSeq,
        event.connectionId(),
        event.username(),
        event.reason(),
        event.at(),
        event.note(),
        presence);
  }

  private static ServerFrame.UserBanned userBannedFrame(RoomEvent.UserBanned event, Long prevSeq) {
    return new ServerFrame.UserBanned(
        event.roomId(),
        event.seq(),
        prevSeq,
        event.user(),
        event.until(),
        event.reason(),
        event.at());
  }

  /**
   * A kick through the management API: every connection of {@code user} leaves the room (each a
   * memberLeft with reason kicked, told to the others and to the removed connection itself, which
   * is still connected), then, with a ban, a userBanned event whose end is the record's time plus
   * the ban's length. The answer, to the management request, says how many connections left.
   */
  private Decision moderate(RoomState state, Action.Moderate moderate, RequestContext ctx) {
    if (state == null) {
      return roomNotFound(ctx, moderate);
    }
    long at = ctx.requestTimeEpoch();
    String key = UserKeys.of(moderate.user());
    Long until = moderate.banForMs() == null ? null : at + moderate.banForMs();
    if (until != null
        && !state.bans().containsKey(key)
        && state.bans().values().stream().filter(end -> end > at).count() >= MAX_BANS) {
      return error(
          ctx,
          moderate,
          ErrorCode.TOO_MANY_BANS,
          "room '"
              + moderate.roomId()
              + "' already has "
              + MAX_BANS
              + " running bans, the most a room keeps");
    }
    List<RoomEvent> events = new ArrayList<>();
    List<Reply> replies = new ArrayList<>();
    MemberList remaining = state.memberList();
    long seq = state.lastSeq();
    long announced = state.announcedSeq();
    for (RoomState.Member member : remaining.ofUser(moderate.user())) {
      RoomEvent.MemberLeft left =
          new RoomEvent.MemberLeft(
                  moderate.roomId(),
                  ++seq,
                  at,
                  member.connectionId(),
                  member.username(),
                  RoomEvent.MemberLeft.KICKED,
                  moderate.reason())
              .withMemberCount(remaining.size() - 1);
      events.add(left);
      ServerFrame.MemberLeft frame =
          memberLeftFrame(
              left, prevSeq(announced, left.seq()), presenceMark(remaining.size(), left));
      // The kicked connection is told too (it is still connected), then is no member any more;
      // past the presence limit it is the only one told.
      if (announces(remaining.size(), left)) {
        toOthers(moderate.roomId(), remaining, null, frame, replies);
        announced = left.seq();
      } else {
        replies.add(Reply.to(member.recipient(), frame));
      }
      remaining = remaining.minus(member.connectionId());
    }
    int removed = events.size();
    if (until != null) {
      RoomEvent.UserBanned banned =
          new RoomEvent.UserBanned(
              moderate.roomId(), ++seq, at, moderate.user(), until, moderate.reason());
      events.add(banned);
      toOthers(
          moderate.roomId(),
          remaining,
          null,
          userBannedFrame(banned, prevSeq(announced, banned.seq())),
          replies);
    }
    replies.add(
        Reply.to(
            requester(ctx),
            new ServerFrame.Moderated(
                moderate.roomId(), moderate.user(), removed, until, moderate.requestId())));
    return new Decision(events, replies);
  }

  /** A token connection's subject: who its user is, whatever username it shows. */
  private static String subjectOf(RequestContext ctx) {
    Authorizer who = ctx.authorizer();
    return who != null && who.tokenBased() ? who.principalId() : null;
  }

  private static int lengthOf(String textOrNull) {
    return textOrNull == null ? 0 : textOrNull.length();
  }

  static ServerFrame.Message messageFrame(RoomEvent.MessagePosted m, String requestId) {
    return messageFrame(m, requestId, null);
  }

  static ServerFrame.Message messageFrame(
      RoomEvent.MessagePosted m, String requestId, Long prevSeq) {
    return new ServerFrame.Message(
        m.roomId(),
        m.seq(),
        prevSeq,
        m.username(),
        m.connectionId(),
        m.text(),
        m.at(),
        m.clientMsgId(),
        requestId);
  }

  /**
   * Adds one reply with {@code frame} for every member of {@code roomId} in {@code members} except
   * {@code excluded} (may be null).
   */
  static void toOthers(
      String roomId,
      List<RoomState.Member> members,
      String excluded,
      ServerFrame frame,
      List<Reply> replies) {
    MemberList.Except others = MemberList.of(members).except(roomId, excluded);
    if (!others.isEmpty()) {
      replies.add(new Reply(frame, others));
    }
  }

  static Recipient requester(RequestContext ctx) {
    return new Recipient(ctx.connectionId(), ctx.gatewayId());
  }

  private static Decision roomNotFound(RequestContext ctx, Action.RoomAction action) {
    return error(
        ctx, action, ErrorCode.ROOM_NOT_FOUND, "room '" + action.roomId() + "' does not exist");
  }

  private static Decision notMember(RequestContext ctx, Action.RoomAction action) {
    return error(
        ctx,
        action,
        ErrorCode.NOT_MEMBER,
        "you are not a member of room '" + action.roomId() + "'");
  }

  static Decision error(RequestContext ctx, Action action, ErrorCode code, String message) {
    return Decision.reply(Reply.to(requester(ctx), code.frame(message, action.requestId())));
  }

  private static void checkSeq(long lastSeq, RoomEvent event) {
    if (event.seq() != lastSeq + 1) {
      throw new IllegalStateException(
          "room " + event.roomId() + " expects seq " + (lastSeq + 1) + ", got " + event.seq());
    }
  }
}
