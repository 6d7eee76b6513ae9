package dev.roomlog.processor;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.RandomAccess;

/**
 * A room's members in join order, immutable, with an index by connection id: finding a member (is
 * the sender in the room? who is leaving?) costs the same in a room of 10 and of 100,000, and an
 * event that changes no member (a message) shares the list instead of copying it. A join or a leave
 * copies it (see {@link #plus}, {@link #minus}); so does the joined frame, which lists every
 * member.
 */
final class MemberList extends AbstractList<RoomState.Member> implements RandomAccess {
  static final MemberList EMPTY = new MemberList(new RoomState.Member[0], Map.of());

  private final RoomState.Member[] inOrder;

  /** connectionId to its position in {@link #inOrder}. */
  private final Map<String, Integer> positions;

  private MemberList(RoomState.Member[] inOrder, Map<String, Integer> positions) {
    this.inOrder = inOrder;
    this.positions = positions;
  }

  /** {@code members} as a member list: itself if it is one, else a copy (no nulls). */
  static MemberList of(Collection<RoomState.Member> members) {
    if (members instanceof MemberList list) {
      return list;
    }
    RoomState.Member[] copy = members.toArray(new RoomState.Member[0]);
    for (RoomState.Member member : copy) {
      Objects.requireNonNull(member, "a member");
    }
    return new MemberList(copy, index(copy, copy.length));
  }

  private static Map<String, Integer> index(RoomState.Member[] members, int size) {
    Map<String, Integer> positions = new HashMap<>(Math.max(16, size * 4 / 3 + 1));
    for (int i = 0; i < size; i++) {
      positions.put(members[i].connectionId(), i);
    }
    return positions;
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
    return new MemberList(more, morePositions);
  }

  /** This list without the member on {@code connectionId} (the same list if there is none). */
  MemberList minus(String connectionId) {
    Integer at = positions.get(connectionId);
    if (at == null) {
      return this;
    }
    RoomState.Member[] fewer = new RoomState.Member[inOrder.length - 1];
    System.arraycopy(inOrder, 0, fewer, 0, at);
    System.arraycopy(inOrder, at + 1, fewer, at, inOrder.length - at - 1);
    if (at == inOrder.length - 1) {
      Map<String, Integer> fewerPositions = new HashMap<>(positions);
      fewerPositions.remove(connectionId);
      return new MemberList(fewer, fewerPositions);
    }
    return new MemberList(fewer, index(fewer, fewer.length));
  }
}
