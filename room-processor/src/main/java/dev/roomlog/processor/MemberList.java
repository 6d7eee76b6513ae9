package dev.roomlog.processor;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
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

  /** The members' connection ids by gateway, built the first time a frame goes to them. */
  private Map<String, Gateway> gateways;

  /**
   * One gateway's members: their connection ids in join order, and the positions (in the list) of
   * its first two members, -1 for none.
   */
  private record Gateway(List<String> connectionIds, int first, int second) {}

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

  /** Every member but the one on {@code connectionId} (null or not a member: every member). */
  Except except(String connectionId) {
    Integer at = connectionId == null ? null : positions.get(connectionId);
    return new Except(this, at == null ? -1 : at);
  }

  private Map<String, Gateway> gateways() {
    Map<String, Gateway> built = gateways;
    if (built == null) {
      Map<String, List<String>> ids = new LinkedHashMap<>();
      Map<String, int[]> firsts = new HashMap<>();
      for (int i = 0; i < inOrder.length; i++) {
        String gateway = inOrder[i].gatewayId();
        ids.computeIfAbsent(gateway, g -> new ArrayList<>()).add(inOrder[i].connectionId());
        int[] two = firsts.computeIfAbsent(gateway, g -> new int[] {-1, -1});
        if (two[0] < 0) {
          two[0] = i;
        } else if (two[1] < 0) {
          two[1] = i;
        }
      }
      built = new LinkedHashMap<>();
      for (Map.Entry<String, List<String>> e : ids.entrySet()) {
        int[] two = firsts.get(e.getKey());
        built.put(e.getKey(), new Gateway(List.copyOf(e.getValue()), two[0], two[1]));
      }
      // Immutable and only read once built: a race builds it twice, alike.
      gateways = built;
    }
    return built;
  }

  /**
   * The recipients of a frame for every member but one, in join order: a view over the list, so
   * that it costs nothing to make, and its deliveries come from the list's groups by gateway.
   */
  static final class Except extends AbstractList<Recipient> implements RandomAccess {
    private final MemberList members;
    private final int skipped;

    private Except(MemberList members, int skipped) {
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

    /**
     * The connection ids of each gateway, the gateways in the order of their first recipient, as
     * grouping {@link #get} one by one would give: the same lists for every frame to the room, but
     * the left-out member's gateway, whose list is copied without it.
     */
    List<Map.Entry<String, List<String>>> byGateway() {
      String skippedGateway = skipped < 0 ? null : members.inOrder[skipped].gatewayId();
      String skippedConnection = skipped < 0 ? null : members.inOrder[skipped].connectionId();
      List<Map.Entry<String, List<String>>> out = new ArrayList<>();
      List<Integer> firsts = new ArrayList<>();
      boolean reordered = false;
      for (Map.Entry<String, Gateway> e : members.gateways().entrySet()) {
        Gateway gateway = e.getValue();
        List<String> ids = gateway.connectionIds();
        int first = gateway.first();
        if (e.getKey().equals(skippedGateway)) {
          if (ids.size() == 1) {
            continue;
          }
          List<String> others = new ArrayList<>(ids.size() - 1);
          for (String id : ids) {
            if (!id.equals(skippedConnection)) {
              others.add(id);
            }
          }
          ids = others;
          if (first == skipped) {
            first = gateway.second();
            reordered = true;
          }
        }
        out.add(Map.entry(e.getKey(), ids));
        firsts.add(first);
      }
      if (reordered) {
        // The left-out member was its gateway's first: that gateway may now come later.
        Integer[] order = new Integer[out.size()];
        for (int i = 0; i < order.length; i++) {
          order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(firsts::get));
        List<Map.Entry<String, List<String>>> sorted = new ArrayList<>(out.size());
        for (int i : order) {
          sorted.add(out.get(i));
        }
        return sorted;
      }
      return out;
    }
  }
}
