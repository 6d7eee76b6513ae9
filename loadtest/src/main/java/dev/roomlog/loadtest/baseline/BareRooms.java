package dev.roomlog.loadtest.baseline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The baseline's rooms, in memory only: the room state Roomlog keeps in its log, without the log.
 *
 * <p>Threading: every method may be called from any event loop. Rooms are found in a {@link
 * ConcurrentHashMap}; each room's members and seq are guarded by the room's own monitor, which is
 * also held while a message is written to its members. That lock is what makes every member see the
 * room's frames in the same order (Roomlog's promise): writes queued to one channel run in the
 * order they were queued. A write never blocks, so the lock is held for one pass over the members.
 *
 * <p>Policy: a member whose socket does not drain (more than the channel's high-water mark queued)
 * is closed with 1013, as Roomlog's gateway does, so that one slow reader cannot grow the heap.
 * Rooms are never removed (a room outlives its members, as in Roomlog); the baseline keeps no
 * history ({@code joined.history} is always empty).
 */
final class BareRooms {
  static final String SLOW_CLIENT_REASON = "too slow: reconnect later";

  /** A request the rooms refuse, with Roomlog's status and code. */
  record Refusal(int status, String code, String message) {
    Refusal {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(message, "message");
    }
  }

  /** One connection in one room, under the name it joined with. */
  record Member(String connectionId, String username, Channel channel) {}

  private final Map<String, Room> rooms = new ConcurrentHashMap<>();
  private final Clock clock;
  private final LongAdder framesWritten = new LongAdder();
  private final LongAdder slowClientsCut = new LongAdder();

  BareRooms(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Makes a room with the creator as its first member and answers {@code roomCreated}: seq 2, as
   * Roomlog numbers a room's creation 1 and its creator joining 2.
   */
  Optional<Refusal> create(Member creator, String roomId, String requestId) {
    Room room = new Room(roomId, creator);
    // Published while locked: a joiner that finds the room waits until roomCreated is queued.
    synchronized (room) {
      if (rooms.putIfAbsent(roomId, room) != null) {
        return refuse(409, "roomExists", "room '" + roomId + "' already exists");
      }
      write(
          creator.channel(),
          BareFrames.roomCreated(
              creator.channel().alloc(), roomId, room.seq, room.members.values(), requestId));
    }
    return Optional.empty();
  }

  /** Adds a member: {@code joined} to the joiner, {@code memberJoined} to everyone else. */
  Optional<Refusal> join(Member joiner, String roomId, String requestId) {
    Room room = rooms.get(roomId);
    if (room == null) {
      return refuse(404, "roomNotFound", "room '" + roomId + "' does not exist");
    }
    synchronized (room) {
      if (room.members.containsKey(joiner.connectionId())) {
        return refuse(409, "alreadyMember", "you are already in room '" + roomId + "'");
      }
      room.members.put(joiner.connectionId(), joiner);
      long seq = ++room.seq;
      write(
          joiner.channel(),
          BareFrames.joined(
              joiner.channel().alloc(), roomId, seq, room.members.values(), requestId));
      ByteBuf joined =
          BareFrames.memberJoined(joiner.channel().alloc(), roomId, seq, joiner, clock.millis());
      fanOut(room, joined, joiner.connectionId(), null);
    }
    return Optional.empty();
  }

  /**
   * Posts a message to every member. The frame is encoded once and each member gets a retained
   * duplicate of the same bytes; only the sender's copy, encoded apart, carries its requestId.
   */
  Optional<Refusal> send(String connectionId, String roomId, String text, String requestId) {
    Room room = rooms.get(roomId);
    if (room == null) {
      return refuse(404, "roomNotFound", "room '" + roomId + "' does not exist");
    }
    synchronized (room) {
      Member sender = room.members.get(connectionId);
      if (sender == null) {
        return refuse(403, "notMember", "you are not in room '" + roomId + "'");
      }
      long seq = ++room.seq;
      long sentAt = clock.millis();
      ByteBuf forAll =
          BareFrames.message(sender.channel().alloc(), roomId, seq, sender, text, sentAt, null);
      ByteBuf forSender =
          requestId == null
              ? null
              : BareFrames.message(
                  sender.channel().alloc(), roomId, seq, sender, text, sentAt, requestId);
      fanOut(room, forAll, connectionId, forSender);
    }
    return Optional.empty();
  }

  /** Takes a closed connection out of the rooms it was in; the others are not told. */
  void leaveAll(String connectionId, List<String> roomIds) {
    for (String roomId : roomIds) {
      Room room = rooms.get(roomId);
      if (room != null) {
        synchronized (room) {
          room.members.remove(connectionId);
        }
      }
    }
  }

  /** Frames handed to sockets. */
  long framesWritten() {
    return framesWritten.sum();
  }

  /** Connections closed with 1013 because they did not read fast enough. */
  long slowClientsCut() {
    return slowClientsCut.sum();
  }

  /** The connectionIds in a room, in join order; empty if there is no such room. */
  List<String> members(String roomId) {
    Room room = rooms.get(roomId);
    if (room == null) {
      return List.of();
    }
    synchronized (room) {
      return new ArrayList<>(room.members.keySet());
    }
  }

  /**
   * Writes {@code frame} to every member, and {@code own} instead to the member {@code self} (the
   * shared frame if {@code own} is null). Takes ownership of both buffers. Caller holds the room's
   * monitor.
   */
  private void fanOut(Room room, ByteBuf frame, String self, ByteBuf own) {
    try {
      for (Member member : room.members.values()) {
        if (own != null && member.connectionId().equals(self)) {
          write(member.channel(), own);
          own = null;
        } else {
          write(member.channel(), frame.retainedDuplicate());
        }
      }
    } finally {
      frame.release();
      if (own != null) {
        own.release();
      }
    }
  }

  /** Writes one frame to one channel, or drops it and cuts the client off if it does not read. */
  void write(Channel channel, ByteBuf frame) {
    if (!channel.isActive()) {
      frame.release();
      return;
    }
    if (!channel.isWritable()) {
      frame.release();
      cutOff(channel);
      return;
    }
    channel.writeAndFlush(new TextWebSocketFrame(frame), channel.voidPromise());
    framesWritten.increment();
  }

  private void cutOff(Channel channel) {
    if (channel.attr(BareBroadcastHandler.CUT_OFF).setIfAbsent(Boolean.TRUE) != null) {
      return;
    }
    slowClientsCut.increment();
    channel.writeAndFlush(
        new CloseWebSocketFrame(WebSocketCloseStatus.TRY_AGAIN_LATER, SLOW_CLIENT_REASON));
    channel.close();
  }

  private static Optional<Refusal> refuse(int status, String code, String message) {
    return Optional.of(new Refusal(status, code, message));
  }

  /** One room. Its fields are guarded by its own monitor. */
  private static final class Room {
    final String id;
    final LinkedHashMap<String, Member> members = new LinkedHashMap<>();
    long seq;

    /** A new room: created (seq 1) and joined by its creator (seq 2). */
    Room(String id, Member creator) {
      this.id = id;
      this.members.put(creator.connectionId(), creator);
      this.seq = 2;
    }

    @Override
    public String toString() {
      return "room " + id;
    }
  }
}
