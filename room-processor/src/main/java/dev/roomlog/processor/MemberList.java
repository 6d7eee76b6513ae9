package dev.roomlog.processor;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.RandomAccess;
import java.util.TreeMap;

/**
 * A room's members in join order, immutable, with an index by connection id: finding a member (is
 * the sender in the room? who is leaving?) costs the same in a room of 10 and of 100,000, and an
 * event that changes no member (a message) shares the list instead of copying it. A join or a leave
 * copies it (see {@link #plus}, {@link #minus}); so does the joined frame, which lists every
 * member.
 */
final class MemberList extends AbstractList<RoomState.Member> implements RandomAccess {
  static final MemberList EMPTY = new MemberList(new RoomState.Member[0], Map.of(), Map.of());

  private final RoomState.Member[] inOrder;

  /** connectionId to its position in {@link #inOrder}. */
  private final Map<String, Integer> positions;

  /**
   * How many members each gateway holds (none absent): whom a frame to the room goes to, one
   * delivery per gateway. Small (gateways, not members), so a join or a leave copies it.
   */
  private final Map<String, Integer> gatewayCounts;

  private MemberList(
      RoomState.Member[] inOrder,
      Map<String, Integer> positions,
      Map<String, Integer> gatewayCounts) {
    this.inOrder = inOrder;
    this.positions = positions;
    this.gatewayCounts = gatewayCounts;
  }

  /** {@code members} as a member list: itself if it is one, else a copy (no nulls). */
  static MemberList of(Collection<RoomState.Member> members) {
    if (members instanceof MemberList list) {
      return list;
    }
    RoomState.Member[] copy = members.toArray(new RoomState.Member[0]);
    Map<String, Integer> counts = new TreeMap<>();
    for (RoomState.Member member : copy) {
      Objects.requireNonNull(member, "a member");
      counts.merge(member.gatewayId(), 1, Integer::sum);
    }
    return new MemberList(copy, index(copy, copy.length), counts);
  }

  private static Map<String, Integer> index(RoomState.Member[] members, int size) {
    Map<String, Integer> positions = new HashMap<>(Math.max(16, size * 4 / 3 + 1));
    for (int i = 0; i < size; i++) {
      positions.put(members[i].connectionId(), i);
    }
    return positions;
  }

  private Map<String, Integer> countsWith(String gatewayId, int change) {
    Map<String, Integer> counts = new TreeMap<>(gatewayCounts);
    counts.merge(gatewayId, change, (a, b) -> a + b == 0 ? null : a + b);
    return counts;
  }

  @Override
  public RoomState.Member get(int index) {
    return inOrder[index];
  }

  @Override
  public int size() {
    return inOrder.length;
  }

  /** The member on {@code connectionId}, without looking at the others. */
  Optional<RoomState.Member> find(String connectionId) {
    Integer at = positions.get(connectionId);
    return at == null ? Optional.empty() : Optional.of(inOrder[at]);
  }

  /** This list with {@code member} last (it replaces one on the same connection). */
  MemberList plus(RoomState.Member member) {
    Integer at = positions.get(member.connectionId());
    if (at != null) {
      return minus(member.connectionId()).plus(member);
    }
    RoomState.Member[] more = Arrays.copyOf(inOrder, inOrder.length + 1);
    more[inOrder.length] = member;
    Map<String, Integer> morePositions = new HashMap<>(positions);
    morePositions.put(member.connectionId(), inOrder.length);
    return new MemberList(more, morePositions, countsWith(member.gatewayId(), 1));
  }

  /** This list without the member on {@code connectionId} (the same list if there is none). */
  MemberList minus(String connectionId) {
    Integer at = positions.get(connectionId);
    if (at == null) {
      return this;
    }
    Map<String, Integer> fewerCounts = countsWith(inOrder[at].gatewayId(), -1);
    RoomState.Member[] fewer = new RoomState.Member[inOrder.length - 1];
    System.arraycopy(inOrder, 0, fewer, 0, at);
    System.arraycopy(inOrder, at + 1, fewer, at, inOrder.length - at - 1);
    if (at == inOrder.length - 1) {
      Map<String, Integer> fewerPositions = new HashMap<>(positions);
      fewerPositions.remove(connectionId);
      return new MemberList(fewer, fewerPositions, fewerCounts);
    }
    return new MemberList(fewer, index(fewer, fewer.length), fewerCounts);
  }

  /**
   * Every member of room {@code roomId} but the one on {@code connectionId} (null or not a member:
   * every member).
   */
  Except except(String roomId, String connectionId) {
    Integer at = connectionId == null ? null : positions.get(connectionId);
    return new Except(roomId, this, at == null ? -1 : at);
  }

  /**
   * The recipients of a frame for every member of a room but one, in join order: a view over the
   * list, so that it costs nothing to make. Its deliveries are one per gateway ({@link #gateways}),
   * each gateway writing to its own members of the room.
   */
  static final class Except extends AbstractList<Recipient> implements RandomAccess {
    private final String roomId;
    private final MemberList members;
    private final int skipped;

    private Except(String roomId, MemberList members, int skipped) {
      this.roomId = Objects.requireNonNull(roomId, "roomId");
      this.members = members;
      this.skipped = skipped;
    }

    @Override
    public Recipient get(int index) {
      Objects.checkIndex(index, size());
      return members.inOrder[skipped < 0 || index < skipped ? index : index + 1].recipient();
    }

    @Override
    public int size() {
      return members.inOrder.length - (skipped < 0 ? 0 : 1);
    }

    /** The room these members are in. */
    String roomId() {
      return roomId;
    }

    /** The member left out, if any. */
    Optional<RoomState.Member> skipped() {
      return skipped < 0 ? Optional.empty() : Optional.of(members.inOrder[skipped]);
    }

    /** Whether {@code connectionId} gets the frame: a member, and not the one left out. */
    boolean reaches(String connectionId) {
      Integer at = members.positions.get(connectionId);
      return at != null && at != skipped;
    }

    /**
     * The gateways holding at least one recipient, in gateway-id order: one delivery to each
     * reaches every recipient, as each gateway knows its members of the room.
     */
    List<String> gateways() {
      String skippedGateway = skipped < 0 ? null : members.inOrder[skipped].gatewayId();
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
