package dev.roomlog.protocol.frame;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.roomlog.protocol.Json;
import java.util.List;
import java.util.Objects;

/**
 * What the server sends to a client, one JSON text frame each; the field {@code type} names the
 * variant. Frames that answer a request carry its {@code requestId} (null fields are left out of
 * the JSON).
 *
 * <p>Over 400 lines because it is one sealed family: the type names above and the records below are
 * the wire format of every frame, read together; the frames of room events keep a constructor
 * without {@code prevSeq} (the frame right after the previous event) beside the canonical one.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ServerFrame.Connected.class, name = "connected"),
  @JsonSubTypes.Type(value = ServerFrame.RoomCreated.class, name = "roomCreated"),
  @JsonSubTypes.Type(value = ServerFrame.Joined.class, name = "joined"),
  @JsonSubTypes.Type(value = ServerFrame.MemberJoined.class, name = "memberJoined"),
  @JsonSubTypes.Type(value = ServerFrame.MemberLeft.class, name = "memberLeft"),
  @JsonSubTypes.Type(value = ServerFrame.Left.class, name = "left"),
  @JsonSubTypes.Type(value = ServerFrame.Message.class, name = "message"),
  @JsonSubTypes.Type(value = ServerFrame.Resumed.class, name = "resumed"),
  @JsonSubTypes.Type(value = ServerFrame.Members.class, name = "members"),
  @JsonSubTypes.Type(value = ServerFrame.ErrorFrame.class, name = "error"),
  @JsonSubTypes.Type(value = ServerFrame.UserBanned.class, name = "userBanned"),
  @JsonSubTypes.Type(value = ServerFrame.UserInvited.class, name = "userInvited"),
  @JsonSubTypes.Type(value = ServerFrame.Moderated.class, name = "moderated"),
  @JsonSubTypes.Type(value = ServerFrame.TokenExpiring.class, name = "tokenExpiring"),
  @JsonSubTypes.Type(value = ServerFrame.Refreshed.class, name = "refreshed"),
})
public sealed interface ServerFrame {

  /** This frame as the JSON text that goes on the wire. */
  default String toJson() {
    return Json.write(this);
  }

  /**
   * A frame that answers one request. A retry of an action already applied (same clientMsgId) is
   * answered with the original answer, carrying the retry's requestId.
   */
  sealed interface Answer extends ServerFrame {
    String requestId();

    Answer withRequestId(String requestId);
  }

  /** A member as other clients see it. */
  record MemberView(String connectionId, String username) {}

  /** The first frame on every connection: tells the client the id the gateway gave it. */
  record Connected(String connectionId) implements ServerFrame {
    public Connected {
      Objects.requireNonNull(connectionId, "connectionId");
    }
  }

  /**
   * Answers createRoom: the room exists and its creator is its first member. {@code private} is
   * true for a private room, absent for one anyone may join. A creator retrying from a new
   * connection joins the room as it stands, so, as in {@link Joined}, {@code members} is the first
   * page of at most {@code Limits.FIRST_MEMBERS_PAGE} and {@code membersNext} the cursor of the
   * rest (absent when {@code members} is all of them).
   */
  record RoomCreated(
      String roomId,
      long seq,
      Integer memberCount,
      List<MemberView> members,
      Long membersNext,
      String requestId,
      @JsonProperty("private") Boolean privateRoom)
      implements Answer {
    public RoomCreated {
      members = List.copyOf(members);
      // Answers remembered before memberCount existed listed every member.
      memberCount = memberCount == null ? members.size() : memberCount;
    }

    /** Every member listed. */
    public RoomCreated(
        String roomId, long seq, List<MemberView> members, String requestId, Boolean privateRoom) {
      this(roomId, seq, null, members, null, requestId, privateRoom);
    }

    /** The answer for a room anyone may join, every member listed. */
    public RoomCreated(String roomId, long seq, List<MemberView> members, String requestId) {
      this(roomId, seq, members, requestId, null);
    }

    @Override
    public RoomCreated withRequestId(String value) {
      return new RoomCreated(roomId, seq, memberCount, members, membersNext, value, privateRoom);
    }
  }

  /**
   * Answers joinRoom: {@code seq}, the seq of this join, and who is there: {@code memberCount}
   * members (this join included), of whom {@code members} lists the first, in join order, at most
   * {@code Limits.FIRST_MEMBERS_PAGE}; {@code membersNext}, when more follow, is the cursor ({@code
   * after}) of a {@code members} action for the rest. Without {@code afterSeq} it carries the
   * recent messages ({@code history}); with it, {@code events}: every event after afterSeq and
   * before this join, in seq order, each as the frame members saw live. Exactly one of the two is
   * present. {@code presence} is false when the room is past the processor's presence limit: its
   * joins and leaves are not announced, so the {@code members} action is the way to the list;
   * absent (null) otherwise.
   */
  record Joined(
      String roomId,
      long seq,
      Integer memberCount,
      List<MemberView> members,
      Long membersNext,
      List<Message> history,
      List<ServerFrame> events,
      String requestId,
      Boolean presence)
      implements Answer {
    public Joined {
      members = List.copyOf(members);
      memberCount = memberCount == null ? members.size() : memberCount;
      if ((history == null) == (events == null)) {
        throw new IllegalArgumentException("a joined frame carries either history or events");
      }
      history = history == null ? null : List.copyOf(history);
      events = events == null ? null : List.copyOf(events);
    }

    /** A room that announces its joins and leaves. */
    public Joined(
        String roomId,
        long seq,
        Integer memberCount,
        List<MemberView> members,
        Long membersNext,
        List<Message> history,
        List<ServerFrame> events,
        String requestId) {
      this(roomId, seq, memberCount, members, membersNext, history, events, requestId, null);
    }

    /** Every member listed. */
    public Joined(
        String roomId,
        long seq,
        List<MemberView> members,
        List<Message> history,
        List<ServerFrame> events,
        String requestId) {
      this(roomId, seq, null, members, null, history, events, requestId);
    }

    @Override
    public Joined withRequestId(String value) {
      return new Joined(
          roomId, seq, memberCount, members, membersNext, history, events, value, presence);
    }
  }

  /**
   * Answers a {@code members} action: up to its {@code limit} members of the room whose join came
   * after the cursor it gave, in join order; {@code next} is the cursor of the following page (the
   * join seq of the last member listed), null when this page ends the list. {@code seq} is the
   * room's seq when the page was read: the page reflects every event up to it, and the events after
   * it (memberJoined, memberLeft) tell the rest. A cursor stays valid while members come and go: a
   * member who joins later comes after every page so far, one who leaves is simply not listed.
   */
  record Members(
      String roomId,
      long seq,
      int memberCount,
      List<MemberView> members,
      // Written as null at the end, so that a client reads "no more" and not "field missing".
      @JsonInclude(JsonInclude.Include.ALWAYS) Long next,
      String requestId)
      implements Answer {
    public Members {
      members = List.copyOf(members);
    }

    @Override
    public Members withRequestId(String value) {
      return new Members(roomId, seq, memberCount, members, next, value);
    }
  }

  /**
   * Answers resume: every event with {@code afterSeq < seq' <= seq}, in seq order, each as the
   * frame members saw live; {@code seq} is the room's current seq.
   */
  record Resumed(String roomId, long afterSeq, long seq, List<ServerFrame> events, String requestId)
      implements Answer {
    public Resumed {
      events = List.copyOf(events);
    }

    @Override
    public Resumed withRequestId(String value) {
      return new Resumed(roomId, afterSeq, seq, events, value);
    }
  }

  /**
   * A room as a 410 answer describes it: where it stands now, for a client that lost track. Its
   * members are the first page, as in {@link Joined}.
   */
  record RoomSnapshot(
      String roomId,
      long seq,
      Integer memberCount,
      List<MemberView> members,
      Long membersNext,
      List<Message> history) {
    public RoomSnapshot {
      members = List.copyOf(members);
      memberCount = memberCount == null ? members.size() : memberCount;
      history = List.copyOf(history);
    }

    /** Every member listed. */
    public RoomSnapshot(String roomId, long seq, List<MemberView> members, List<Message> history) {
      this(roomId, seq, null, members, null, history);
    }
  }

  /**
   * Told to the other members when someone joins (in a room within the presence limit). {@code
   * prevSeq}, here and in every frame of a room event, is the seq of the event told to the members
   * before this one, present only when it is not {@code seq - 1} (the events between were joins or
   * leaves not announced): a client has everything before this frame when {@code (prevSeq ?? seq -
   * 1) <= } the last seq it has. {@code presence} is {@code false} on the join that takes the room
   * past the presence limit (the last join or leave announced until it is back within it), absent
   * otherwise.
   */
  record MemberJoined(
      String roomId,
      long seq,
      Long prevSeq,
      String connectionId,
      String username,
      long at,
      Boolean presence)
      implements ServerFrame {
    /** After the event just before it. */
    public MemberJoined(String roomId, long seq, String connectionId, String username, long at) {
      this(roomId, seq, null, connectionId, username, at, null);
    }

    /** Not crossing the presence limit. */
    public MemberJoined(
        String roomId, long seq, Long prevSeq, String connectionId, String username, long at) {
      this(roomId, seq, prevSeq, connectionId, username, at, null);
    }
  }

  /**
   * Told to the other members when someone leaves; reason is "left", "disconnected", "gatewayLost"
   * or "kicked" (then {@code note} is the moderator's reason, when one was given). A member removed
   * because its gateway was lost is told too, in case that gateway is alive after all (it was
   * paused): it is no longer in the room and must join again. {@code presence} is {@code true} on
   * the leave that brings the room back within the presence limit (joins and leaves are announced
   * again from it: a member list kept from live frames is stale, page {@code members}), absent
   * otherwise.
   */
  record MemberLeft(
      String roomId,
      long seq,
      Long prevSeq,
      String connectionId,
      String username,
      String reason,
      long at,
      String note,
      Boolean presence)
      implements ServerFrame {
    /** After the event just before it. */
    public MemberLeft(
        String roomId,
        long seq,
        String connectionId,
        String username,
        String reason,
        long at,
        String note) {
      this(roomId, seq, null, connectionId, username, reason, at, note, null);
    }

    /** Not crossing the presence limit. */
    public MemberLeft(
        String roomId,
        long seq,
        Long prevSeq,
        String connectionId,
        String username,
        String reason,
        long at,
        String note) {
      this(roomId, seq, prevSeq, connectionId, username, reason, at, note, null);
    }

    /** Without a moderator's note: every reason but "kicked". */
    public MemberLeft(
        String roomId, long seq, String connectionId, String username, String reason, long at) {
      this(roomId, seq, connectionId, username, reason, at, null);
    }
  }

  /**
   * Told to the members when a user is banned from the room through the management API: {@code
   * user} may not join again before {@code until} (epoch millis). {@code reason} is the
   * moderator's, or null.
   */
  record UserBanned(
      String roomId, long seq, Long prevSeq, String user, long until, String reason, long at)
      implements ServerFrame {
    /** After the event just before it. */
    public UserBanned(String roomId, long seq, String user, long until, String reason, long at) {
      this(roomId, seq, null, user, until, reason, at);
    }
  }

  /**
   * {@code user} may now join the private room: sent to every member, and to the inviter as the
   * answer to its invite (with its requestId).
   */
  record UserInvited(
      String roomId,
      long seq,
      Long prevSeq,
      String user,
      String invitedBy,
      long at,
      String requestId)
      implements Answer {
    /** After the event just before it. */
    public UserInvited(
        String roomId, long seq, String user, String invitedBy, long at, String requestId) {
      this(roomId, seq, null, user, invitedBy, at, requestId);
    }

    @Override
    public UserInvited withRequestId(String value) {
      return new UserInvited(roomId, seq, prevSeq, user, invitedBy, at, value);
    }
  }

  /**
   * Answers a {@code $moderate} (only ever to the management API, never to a client): how many
   * connections were removed, and the ban's end when there is one.
   */
  record Moderated(String roomId, String user, int removed, Long bannedUntil, String requestId)
      implements Answer {
    @Override
    public Moderated withRequestId(String value) {
      return new Moderated(roomId, user, removed, bannedUntil, value);
    }
  }

  /**
   * Sent once on a token connection shortly before its token's {@code exp} ({@code expiresAt},
   * epoch millis): send a {@code refresh} with a new token, or be closed with 4001 then.
   */
  record TokenExpiring(long expiresAt) implements ServerFrame {}

  /** Answers a {@code refresh}: the connection now lasts until {@code expiresAt} (epoch millis). */
  record Refreshed(long expiresAt, String requestId) implements ServerFrame {}

  /** Answers leaveRoom. */
  record Left(String roomId, long seq, String requestId) implements Answer {
    @Override
    public Left withRequestId(String value) {
      return new Left(roomId, seq, value);
    }
  }

  /**
   * A chat message, sent to every member including the sender; only the sender's copy carries the
   * {@code requestId} of its sendMessage.
   */
  record Message(
      String roomId,
      long seq,
      Long prevSeq,
      String from,
      String connectionId,
      String text,
      long sentAt,
      String clientMsgId,
      String requestId)
      implements Answer {

    /** After the event just before it. */
    public Message(
        String roomId,
        long seq,
        String from,
        String connectionId,
        String text,
        long sentAt,
        String clientMsgId,
        String requestId) {
      this(roomId, seq, null, from, connectionId, text, sentAt, clientMsgId, requestId);
    }

    @Override
    public Message withRequestId(String value) {
      return new Message(
          roomId, seq, prevSeq, from, connectionId, text, sentAt, clientMsgId, value);
    }

    /** The same message as it appears to someone who did not send it. */
    public Message withoutRequestId() {
      return new Message(roomId, seq, prevSeq, from, connectionId, text, sentAt, clientMsgId, null);
    }
  }

  /**
   * A refusal. The connection stays open. {@code retryAfterMs} is set on 429 and 503 answers when
   * the gateway knows how long to wait; absent (null) otherwise. A 410 (resume point no longer
   * kept) carries {@code oldestSeq}, the oldest seq still available, and {@code room}, where the
   * room stands now; both are absent otherwise.
   */
  record ErrorFrame(
      int status,
      String code,
      String message,
      String requestId,
      Long retryAfterMs,
      Long oldestSeq,
      RoomSnapshot room)
      implements ServerFrame {
    public ErrorFrame {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(message, "message");
    }

    public ErrorFrame(
        int status, String code, String message, String requestId, Long retryAfterMs) {
      this(status, code, message, requestId, retryAfterMs, null, null);
    }
  }
}
