package dev.roomlog.processor;

import dev.roomlog.protocol.event.RoomEvent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * A room's state laid out so that an action's store work does not grow with the room: a small head
 * ({@value #HEADS}: seq, member count, bans, access), the members ({@value #MEMBERS}, one record
 * per member, keyed by room and connection) and the recent events ({@value #RECENT}, keyed by room
 * and seq, trimmed as the window moves). A message writes the head and one event (and deletes the
 * one that fell out of the window); a join or a leave one member more. The whole {@link RoomState}
 * is read from them only when a room is not in the {@link Cache} of the task (after a restart, a
 * rebalance, an abort or an eviction), and by the queries.
 *
 * <p>The previous layout, one {@link RoomState} record per room in {@value #LEGACY}, is still read
 * (its changelog restores it), so a data directory or changelog written before keeps its rooms: a
 * room found only there is moved to this layout the first time it is touched, and {@code RoomStage}
 * moves the rest in the background ({@link #legacyRoomIds}).
 */
final class RoomStores {
  /** roomId to {@link Head}. */
  static final String HEADS = "room-heads";

  /** roomId NUL connectionId to {@link StoredMember}. */
  static final String MEMBERS = "room-members";

  /** roomId NUL seq (19 digits) to the {@link RoomEvent}. */
  static final String RECENT = "room-recent";

  /** roomId to the whole {@link RoomState}: the layout before issue 18, read to upgrade. */
  static final String LEGACY = "rooms";

  private static final char SEPARATOR = '\u0000';

  /** Digits of a seq in a key: enough for any non-negative long. */
  private static final int SEQ_DIGITS = 19;

  private static final StringSerializer PREFIX_SERIALIZER = new StringSerializer();

  /**
   * A room without its members and events: what every action reads and writes.
   *
   * @param memberCount how many {@link #MEMBERS} records the room has, checked when it is loaded
   * @param forgottenSeq {@link RoomState#forgottenSeq}: the one fact of the resume window that its
   *     kept events cannot tell once unannounced joins and leaves leave gaps between them. Null in
   *     heads written before, whose windows had no gaps: it follows from the oldest kept event
   */
  record Head(
      String roomId,
      long lastSeq,
      int memberCount,
      Map<String, Long> bans,
      RoomState.Access access,
      Long forgottenSeq) {
    Head {
      Objects.requireNonNull(roomId, "roomId");
      bans = bans == null ? Map.of() : Map.copyOf(bans);
      access = access == null ? RoomState.Access.PUBLIC : access;
    }

    static Head of(RoomState state) {
      return new Head(
          state.roomId(),
          state.lastSeq(),
          state.members().size(),
          state.bans(),
          state.access(),
          state.forgottenSeq());
    }
  }

  /** A member and the seq of its join, which orders the members when the room is loaded. */
  record StoredMember(long joinSeq, RoomState.Member member) {
    StoredMember {
      Objects.requireNonNull(member, "member");
    }
  }

  private RoomStores() {}

  static String memberKey(String roomId, String connectionId) {
    return roomId + SEPARATOR + connectionId;
  }

  static String recentKey(String roomId, long seq) {
    // Fixed width, so the store's byte order is the seq order. (Not String.format: it parses its
    // pattern on every call, and this runs for every event.)
    String digits = Long.toString(seq);
    return roomId + SEPARATOR + "0".repeat(SEQ_DIGITS - digits.length()) + digits;
  }

  /** The room as its three stores hold it, or null if there is no such room. */
  static RoomState load(
      ReadOnlyKeyValueStore<String, Head> heads,
      ReadOnlyKeyValueStore<String, StoredMember> members,
      ReadOnlyKeyValueStore<String, RoomEvent> recent,
      String roomId) {
    Head head = heads.get(roomId);
    if (head == null) {
      return null;
    }
    List<StoredMember> stored = new ArrayList<>(head.memberCount());
    try (KeyValueIterator<String, StoredMember> it =
        members.prefixScan(roomId + SEPARATOR, PREFIX_SERIALIZER)) {
      it.forEachRemaining(kv -> stored.add(kv.value));
    }
    if (stored.size() != head.memberCount()) {
      throw new IllegalStateException(
          "room "
              + roomId
              + " has "
              + stored.size()
              + " member records, its head says "
              + head.memberCount());
    }
    SortedMap<Long, RoomState.Member> inOrder = new TreeMap<>();
    for (StoredMember m : stored) {
      inOrder.put(m.joinSeq(), m.member());
    }
    List<RoomEvent> events = new ArrayList<>();
    try (KeyValueIterator<String, RoomEvent> it =
        recent.prefixScan(roomId + SEPARATOR, PREFIX_SERIALIZER)) {
      it.forEachRemaining(kv -> events.add(kv.value));
    }
    return new RoomState(
        roomId,
        head.lastSeq(),
        MemberList.ofJoins(inOrder),
        events,
        head.bans(),
        head.access(),
        head.forgottenSeq());
  }

  /** Up to {@code limit} room ids of the previous layout, in id order. */
  static List<String> legacyRoomIds(ReadOnlyKeyValueStore<String, RoomState> legacy, int limit) {
    List<String> ids = new ArrayList<>();
    try (KeyValueIterator<String, RoomState> all = legacy.all()) {
      while (ids.size() < limit && all.hasNext()) {
        ids.add(all.next().key);
      }
    }
    return ids;
  }

  /**
   * The store writes of one record, derived from each room's state before and after: a value of
   * null is a delete. Later changes to a key replace earlier ones, so a record that touches a room
   * twice writes its last state.
   */
  static final class Changes {
    final Map<String, Head> heads = new LinkedHashMap<>();
    final Map<String, StoredMember> members = new LinkedHashMap<>();
    final Map<String, RoomEvent> recent = new LinkedHashMap<>();
    final List<String> legacyDeletes = new ArrayList<>();

    /** What {@code events} changed between {@code before} (null: a new room) and {@code after}. */
    void room(RoomState before, RoomState after, List<RoomEvent> events) {
      String roomId = after.roomId();
      for (RoomEvent event : events) {
        if (event instanceof RoomEvent.MemberJoined joined) {
          // The join seq the list keeps (the event's), so that a room loaded from the stores
          // pages its members with the same cursors as the one in memory.
          MemberList list = after.memberList();
          list.find(joined.connectionId())
              .ifPresent(
                  m ->
                      members.put(
                          memberKey(roomId, m.connectionId()),
                          new StoredMember(list.joinSeqOf(m.connectionId()).orElseThrow(), m)));
        } else if (event instanceof RoomEvent.MemberLeft left
            && after.member(left.connectionId()).isEmpty()) {
          members.put(memberKey(roomId, left.connectionId()), null);
        }
      }
      long oldestKept = after.oldestKeptSeq();
      if (before != null) {
        for (RoomEvent dropped : before.recent()) {
          if (dropped.seq() >= oldestKept) {
            break;
          }
          recent.put(recentKey(roomId, dropped.seq()), null);
        }
      }
      long lastBefore = before == null ? 0 : before.lastSeq();
      List<RoomEvent> kept = after.recent();
      int first = kept.size();
      while (first > 0 && kept.get(first - 1).seq() > lastBefore) {
        first--;
      }
      for (RoomEvent added : kept.subList(first, kept.size())) {
        recent.put(recentKey(roomId, added.seq()), added);
      }
      heads.put(roomId, Head.of(after));
    }

    /** A room of the previous layout, written whole in this one and deleted from the old store. */
    void upgrade(RoomState state) {
      String roomId = state.roomId();
      // The previous layout kept no join seqs: the list gave its members their positions, which
      // are below any later join's seq, since every member's join took one of the seqs up to
      // lastSeq.
      MemberList list = state.memberList();
      for (RoomState.Member m : list) {
        members.put(
            memberKey(roomId, m.connectionId()),
            new StoredMember(list.joinSeqOf(m.connectionId()).orElseThrow(), m));
      }
      for (RoomEvent event : state.recent()) {
        recent.put(recentKey(roomId, event.seq()), event);
      }
      heads.put(roomId, Head.of(state));
      legacyDeletes.add(roomId);
    }

    void writeTo(
        KeyValueStore<String, Head> headStore,
        KeyValueStore<String, StoredMember> memberStore,
        KeyValueStore<String, RoomEvent> recentStore,
        KeyValueStore<String, RoomState> legacyStore) {
      // put(key, null) deletes. Not delete(key): that reads and decodes the old value to return
      // it, a RocksDB read and a JSON parse for every event the window drops, which we never use.
      members.forEach(memberStore::put);
      recent.forEach(recentStore::put);
      heads.forEach(headStore::put);
      legacyDeletes.forEach(key -> legacyStore.put(key, null));
    }
  }

  /**
   * Decoded rooms kept between actions, so that a message needs neither the room's members nor its
   * events from the stores. It holds only what the stores hold (a room enters it when it is loaded
   * or when a record's writes to the stores are done), so dropping it at any time is safe: {@code
   * RoomStage} drops it when its task is initialised or closed, which is what Kafka Streams does on
   * a transaction abort (the task is closed dirty and its stores restored) and when a task moves.
   * Bounded by weight (members, and recent events counted twice: the event and the history JSON a
   * join may keep beside it, {@link RecentEvents}), the least recently used rooms going first.
   */
  static final class Cache {
    /** About 100 MB at a few hundred bytes per member, or per event and its history JSON. */
    static final long MAX_WEIGHT = 500_000;

    private final long maxWeight;
    private final LinkedHashMap<String, RoomState> rooms = new LinkedHashMap<>(64, 0.75f, true);
    private long weight;

    Cache(long maxWeight) {
      this.maxWeight = maxWeight;
    }

    RoomState get(String roomId) {
      return rooms.get(roomId);
    }

    void put(RoomState state) {
      RoomState replaced = rooms.put(state.roomId(), state);
      if (replaced != null) {
        weight -= weightOf(replaced);
      }
      weight += weightOf(state);
      Iterator<RoomState> eldest = rooms.values().iterator();
      while (weight > maxWeight && rooms.size() > 1) {
        RoomState evicted = eldest.next();
        eldest.remove();
        weight -= weightOf(evicted);
      }
    }

    void clear() {
      rooms.clear();
      weight = 0;
    }

    int size() {
      return rooms.size();
    }

    private static long weightOf(RoomState state) {
      return 1L + state.members().size() + 2L * state.recent().size();
    }
  }
}
