package dev.roomlog.processor;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.pcollections.HashTreePMap;
import org.pcollections.HashTreePSet;
import org.pcollections.PMap;
import org.pcollections.PSet;
import org.pcollections.TreePMap;

/**
 * A room's members in join order, immutable, with indexes by connection, by user and by gateway.
 * Persistent (pcollections' trees): a join or a leave makes a new list in O(log n) that shares
 * nearly all of its structure with the previous one, which stays intact, so a record planned
 * against a room and then dropped leaves the room as it was ({@code RoomStage}). Finding a member,
 * a user's connections, the gateways to send to, a page of members, the size: none looks at the
 * other members. An event that changes no member (a message) shares the list as it is.
 *
 * <p>Each member is kept under the seq of its join ({@link #joinSeqOf}), which orders them and
 * never changes while it stays: a page of members ({@link #page}) starts after a join seq, so
 * paging is stable while others join (after the last page) or leave (never seen).
 *
 * <p>As a {@link List} it is for reading whole (iteration costs O(n), as it must); {@link #get}
 * walks from the start, so no code on an action's path indexes it.
 */
final class MemberList extends AbstractList<RoomState.Member> {
  static final MemberList EMPTY =
      new MemberList(
          TreePMap.empty(), HashTreePMap.empty(), HashTreePMap.empty(), TreePMap.empty());

  /** A page of members in join order; {@code next} is the cursor of the next, null at the end. */
  record Page(List<RoomState.Member> members, Long next) {
    Page {
      members = List.copyOf(members);
    }
  }

  /** join seq to member: the join order. */
  private final TreePMap<Long, RoomState.Member> byJoin;

  /** connectionId to its join seq. */
  private final PMap<String, Long> joinOf;

  /** {@link #userIndexKey} to the user's connections in the room: whom a kick takes. */
  private final PMap<String, PSet<String>> byUser;

  /**
   * How many members each gateway holds (none absent): whom a frame to the room goes to, one
   * delivery per gateway.
   */
  private final TreePMap<String, Integer> gatewayCounts;

  private MemberList(
      TreePMap<Long, RoomState.Member> byJoin,
      PMap<String, Long> joinOf,
      PMap<String, PSet<String>> byUser,
      TreePMap<String, Integer> gatewayCounts) {
    this.byJoin = byJoin;
    this.joinOf = joinOf;
    this.byUser = byUser;
    this.gatewayCounts = gatewayCounts;
  }

  /**
   * {@code members} as a member list: itself if it is one, else the members in the given order,
   * each under its position (0, 1, ...) as its join seq: what the previous state layout, which kept
   * no join seqs, and tests build rooms from. Every real join seq is above those positions (each
   * member's join took one of the room's seqs, and seq 1 is the room's creation).
   */
  static MemberList of(Collection<RoomState.Member> members) {
    if (members instanceof MemberList list) {
      return list;
    }
    SortedMap<Long, RoomState.Member> byPosition = new TreeMap<>();
    long position = 0;
    for (RoomState.Member member : members) {
      byPosition.put(position++, Objects.requireNonNull(member, "a member"));
    }
    return ofJoins(byPosition);
  }

  /**
   * The members under their join seqs, each connection once: built in one pass (a room loaded from
   * its stores), not by a join at a time.
   */
  static MemberList ofJoins(SortedMap<Long, RoomState.Member> byJoinSeq) {
    Map<String, Long> joinOf = new HashMap<>();
    Map<String, Set<String>> byUser = new HashMap<>();
    Map<String, Integer> gatewayCounts = new HashMap<>();
    byJoinSeq.forEach(
        (seq, member) -> {
          if (joinOf.put(member.connectionId(), seq) != null) {
            throw new IllegalArgumentException(
                "connection " + member.connectionId() + " is a member twice");
          }
          byUser
              .computeIfAbsent(userIndexKey(member), u -> new HashSet<>())
              .add(member.connectionId());
          gatewayCounts.merge(member.gatewayId(), 1, Integer::sum);
        });
    Map<String, PSet<String>> users = new HashMap<>();
    byUser.forEach((user, connections) -> users.put(user, HashTreePSet.from(connections)));
    return new MemberList(
        TreePMap.fromSortedMap(byJoinSeq),
        HashTreePMap.from(joinOf),
        HashTreePMap.from(users),
        TreePMap.from(gatewayCounts));
  }

  /**
   * The key of {@link #byUser}: whom a kick names. A member's user is its token's subject, else its
   * username ({@link RoomState.Member#userKey()}); keeping the username itself, not its hash, keeps
   * a join free of hashing.
   */
  private static String userIndexKey(RoomState.Member member) {
    return member.subjectKey() != null ? "s" + member.subjectKey() : "n" + member.username();
  }

  @Override
  public RoomState.Member get(int index) {
    Objects.checkIndex(index, size());
    Iterator<RoomState.Member> it = iterator();
    for (int i = 0; i < index; i++) {
      it.next();
    }
    return it.next();
  }

  @Override
  public int size() {
    return byJoin.size();
  }

  @Override
  public Iterator<RoomState.Member> iterator() {
    return Collections.unmodifiableCollection(byJoin.values()).iterator();
  }

  @Override
  public ListIterator<RoomState.Member> listIterator(int index) {
    // Only for callers that ask for one: a copy, as walking a tree backwards is not worth it.
    return Collections.unmodifiableList(new ArrayList<>(this)).listIterator(index);
  }

  @Override
  public boolean equals(Object o) {
    return sameElements(this, o);
  }

  /** The member on {@code connectionId}, without looking at the others. */
  Optional<RoomState.Member> find(String connectionId) {
    Long seq = joinOf.get(connectionId);
    return seq == null ? Optional.empty() : Optional.of(byJoin.get(seq));
  }

  /** The seq of the join of the member on {@code connectionId}, if it is a member. */
  Optional<Long> joinSeqOf(String connectionId) {
    return Optional.ofNullable(joinOf.get(connectionId));
  }

  /**
   * The members whose user is {@code user} (a token's subject or, for members without one, a
   * username), in join order: those whose {@link RoomState.Member#userKey()} is {@link
   * UserKeys#of}({@code user}).
   */
  List<RoomState.Member> ofUser(String user) {
    List<Long> seqs = new ArrayList<>();
    for (String key : List.of("s" + UserKeys.of(user), "n" + user)) {
      byUser.getOrDefault(key, HashTreePSet.empty()).forEach(c -> seqs.add(joinOf.get(c)));
    }
    Collections.sort(seqs);
    return seqs.stream().map(byJoin::get).toList();
  }

  /**
   * Up to {@code limit} members whose join seq is above {@code after} (null: from the first), in
   * join order; the page's {@code next} is the last one's join seq when more follow.
   */
  Page page(Long after, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("a page holds at least one member, not " + limit);
    }
    TreePMap<Long, RoomState.Member> rest = after == null ? byJoin : byJoin.tailMap(after, false);
    List<RoomState.Member> out = new ArrayList<>(Math.min(limit, rest.size()));
    long last = -1;
    for (Map.Entry<Long, RoomState.Member> e : rest.entrySet()) {
      if (out.size() == limit) {
        return new Page(out, last);
      }
      out.add(e.getValue());
      last = e.getKey();
    }
    return new Page(out, null);
  }

  /** This list with {@code member} last (it replaces one on the same connection). */
  MemberList plus(RoomState.Member member) {
    return plus(byJoin.isEmpty() ? 0 : byJoin.lastKey() + 1, member);
  }

  /**
   * This list with {@code member}, joined at seq {@code joinSeq}, last (it replaces one on the same
   * connection). A seq not above the last member's (never in a room's log) is taken as the next
   * one, so the list stays in the order of the calls.
   */
  MemberList plus(long joinSeq, RoomState.Member member) {
    if (joinOf.containsKey(member.connectionId())) {
      return minus(member.connectionId()).plus(joinSeq, member);
    }
    long seq = byJoin.isEmpty() ? joinSeq : Math.max(joinSeq, byJoin.lastKey() + 1);
    String user = userIndexKey(member);
    PSet<String> ofUser = byUser.get(user);
    return new MemberList(
        byJoin.plus(seq, member),
        joinOf.plus(member.connectionId(), seq),
        byUser.plus(
            user,
            ofUser == null
                ? HashTreePSet.singleton(member.connectionId())
                : ofUser.plus(member.connectionId())),
        gatewayCounts.plus(
            member.gatewayId(), gatewayCounts.getOrDefault(member.gatewayId(), 0) + 1));
  }

  /** This list without the member on {@code connectionId} (the same list if there is none). */
  MemberList minus(String connectionId) {
    Long seq = joinOf.get(connectionId);
    if (seq == null) {
      return this;
    }
    RoomState.Member member = byJoin.get(seq);
    String user = userIndexKey(member);
    PSet<String> ofUser = byUser.get(user).minus(connectionId);
    int onGateway = gatewayCounts.get(member.gatewayId()) - 1;
    return new MemberList(
        byJoin.minus(seq),
        joinOf.minus(connectionId),
        ofUser.isEmpty() ? byUser.minus(user) : byUser.plus(user, ofUser),
        onGateway == 0
            ? gatewayCounts.minus(member.gatewayId())
            : gatewayCounts.plus(member.gatewayId(), onGateway));
  }

  /**
   * Every member of room {@code roomId} but the one on {@code connectionId} (null or not a member:
   * every member).
   */
  Except except(String roomId, String connectionId) {
    RoomState.Member skipped = connectionId == null ? null : find(connectionId).orElse(null);
    return new Except(roomId, this, skipped);
  }

  /** List equality that compares sizes first and reads each list once, in order. */
  private static boolean sameElements(List<?> list, Object o) {
    if (o == list) {
      return true;
    }
    if (!(o instanceof List<?> other) || other.size() != list.size()) {
      return false;
    }
    Iterator<?> mine = list.iterator();
    Iterator<?> theirs = other.iterator();
    while (mine.hasNext()) {
      if (!Objects.equals(mine.next(), theirs.next())) {
        return false;
      }
    }
    return true;
  }

  /**
   * The recipients of a frame for every member of a room but one, in join order: a view over the
   * list, so that it costs nothing to make. Its deliveries are one per gateway ({@link #gateways}),
   * each gateway writing to its own members of the room; reading it whole costs O(n), and no code
   * on an action's path does.
   */
  static final class Except extends AbstractList<Recipient> {
    private final String roomId;
    private final MemberList members;
    private final RoomState.Member skipped;

    private Except(String roomId, MemberList members, RoomState.Member skipped) {
      this.roomId = Objects.requireNonNull(roomId, "roomId");
      this.members = members;
      this.skipped = skipped;
    }

    @Override
    public Recipient get(int index) {
      Objects.checkIndex(index, size());
      Iterator<Recipient> it = iterator();
      for (int i = 0; i < index; i++) {
        it.next();
      }
      return it.next();
    }

    @Override
    public int size() {
      return members.size() - (skipped == null ? 0 : 1);
    }

    @Override
    public Iterator<Recipient> iterator() {
      Iterator<RoomState.Member> all = members.iterator();
      return new Iterator<>() {
        private RoomState.Member next = advance();

        private RoomState.Member advance() {
          while (all.hasNext()) {
            RoomState.Member m = all.next();
            if (m != skipped) {
              return m;
            }
          }
          return null;
        }

        @Override
        public boolean hasNext() {
          return next != null;
        }

        @Override
        public Recipient next() {
          if (next == null) {
            throw new NoSuchElementException();
          }
          Recipient out = next.recipient();
          next = advance();
          return out;
        }
      };
    }

    @Override
    public ListIterator<Recipient> listIterator(int index) {
      return Collections.unmodifiableList(new ArrayList<>(this)).listIterator(index);
    }

    @Override
    public boolean equals(Object o) {
      return sameElements(this, o);
    }

    /** The room these members are in. */
    String roomId() {
      return roomId;
    }

    /** The member left out, if any. */
    Optional<RoomState.Member> skipped() {
      return Optional.ofNullable(skipped);
    }

    /** Whether {@code connectionId} gets the frame: a member, and not the one left out. */
    boolean reaches(String connectionId) {
      return members.joinOf.containsKey(connectionId)
          && (skipped == null || !skipped.connectionId().equals(connectionId));
    }

    /**
     * The gateways holding at least one recipient, in gateway-id order: one delivery to each
     * reaches every recipient, as each gateway knows its members of the room.
     */
    List<String> gateways() {
      String skippedGateway = skipped == null ? null : skipped.gatewayId();
      List<String> out = new ArrayList<>(members.gatewayCounts.size());
      for (Map.Entry<String, Integer> e : members.gatewayCounts.entrySet()) {
        if (!(e.getKey().equals(skippedGateway) && e.getValue() == 1)) {
          out.add(e.getKey());
        }
      }
      return out;
    }
  }
}
