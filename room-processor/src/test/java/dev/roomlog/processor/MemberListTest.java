package dev.roomlog.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The members' index and the recipients view against a plain list as the model: the same members in
 * the same order, and a frame to all but one goes to exactly the gateways of its recipients.
 */
class MemberListTest {

  private static RoomState.Member member(int i, int gateway) {
    return new RoomState.Member("c" + i, "u" + i, "gw-" + gateway, "gw-" + gateway + "/run-1");
  }

  @Test
  void joinsAndLeavesKeepJoinOrderAndTheIndex() {
    Random random = new Random(18);
    List<RoomState.Member> model = new ArrayList<>();
    MemberList list = MemberList.EMPTY;
    for (int step = 0; step < 2000; step++) {
      int i = random.nextInt(60);
      RoomState.Member m = member(i, random.nextInt(4));
      if (model.stream().anyMatch(x -> x.connectionId().equals(m.connectionId()))) {
        model.removeIf(x -> x.connectionId().equals(m.connectionId()));
        list = list.minus(m.connectionId());
      } else {
        model.add(m);
        list = list.plus(m);
      }
      assertEquals(model, list);
      String probe = "c" + random.nextInt(60);
      assertEquals(
          model.stream().filter(x -> x.connectionId().equals(probe)).findFirst(), list.find(probe));
    }
    assertSame(list, list.minus("nobody"));
    assertEquals(Optional.empty(), list.find("nobody"));
  }

  @Test
  void everyoneButOneReachesThePlainRecipientListThroughTheirGateways() {
    Random random = new Random(7);
    for (int round = 0; round < 300; round++) {
      List<RoomState.Member> members = new ArrayList<>();
      int size = 1 + random.nextInt(12);
      for (int i = 0; i < size; i++) {
        members.add(member(i, random.nextInt(1 + random.nextInt(4))));
      }
      MemberList list = MemberList.of(members);
      // Joins and leaves keep the per-gateway counts that choose the deliveries.
      for (int step = 0; step < 5; step++) {
        if (random.nextBoolean()) {
          RoomState.Member joining = member(size + step, random.nextInt(4));
          members.add(joining);
          list = list.plus(joining);
        } else if (!members.isEmpty()) {
          RoomState.Member leaving = members.remove(random.nextInt(members.size()));
          list = list.minus(leaving.connectionId());
        }
      }
      if (members.isEmpty()) {
        continue;
      }
      String excluded = random.nextInt(5) == 0 ? null : "c" + random.nextInt(size + 6);
      MemberList.Except others = list.except("room-1", excluded);
      List<Recipient> plain =
          members.stream()
              .filter(m -> !m.connectionId().equals(excluded))
              .map(RoomState.Member::recipient)
              .toList();
      assertEquals(plain, others);
      assertEquals(
          plain.stream().map(Recipient::gatewayId).distinct().sorted().toList(),
          others.gateways(),
          members + " without " + excluded);
      for (RoomState.Member m : members) {
        assertEquals(!m.connectionId().equals(excluded), others.reaches(m.connectionId()));
      }
    }
  }

  @Test
  void aJoinOrALeaveLeavesThePreviousListAsItWas() {
    MemberList before = MemberList.EMPTY.plus(10, member(1, 0)).plus(12, member(2, 1));
    List<RoomState.Member> snapshot = List.copyOf(before);
    MemberList joined = before.plus(15, member(3, 1));
    MemberList left = before.minus("c1");
    assertEquals(
        snapshot, before, "a plan dropped after a join or a leave finds the room unchanged");
    assertEquals(List.of("gw-0", "gw-1"), before.except("r", null).gateways());
    assertEquals(List.of("gw-1"), left.except("r", null).gateways());
    assertEquals(3, joined.size());
    assertEquals(Optional.of(15L), joined.joinSeqOf("c3"));
    assertEquals(Optional.empty(), before.joinSeqOf("c3"));
  }

  @Test
  void pagesGiveEveryMemberOnceInJoinOrderWhileOthersJoinAndLeaveBetweenPages() {
    Random random = new Random(42);
    MemberList list = MemberList.EMPTY;
    long seq = 1;
    for (int i = 0; i < 500; i++) {
      list = list.plus(++seq, member(i, i % 3));
    }
    List<String> stayed = new ArrayList<>();
    list.forEach(m -> stayed.add(m.connectionId()));
    List<String> seen = new ArrayList<>();
    Long after = null;
    int next = 500;
    do {
      MemberList.Page page = list.page(after, 1 + random.nextInt(40));
      page.members().forEach(m -> seen.add(m.connectionId()));
      after = page.next();
      if (after != null) {
        // Between pages: one joins (it comes after every page so far), one leaves.
        list = list.plus(++seq, member(next++, 0));
        String leaving = stayed.remove(random.nextInt(stayed.size()));
        list = list.minus(leaving);
        seen.remove(leaving);
      }
    } while (after != null);
    assertEquals(seen.stream().distinct().toList(), seen, "nobody twice");
    assertEquals(list.stream().map(RoomState.Member::connectionId).toList(), seen, "join order");
  }

  @Test
  void aPageEndsWithTheCursorOfItsLastMemberOnlyWhenMoreFollow() {
    MemberList list = MemberList.EMPTY.plus(3, member(1, 0)).plus(7, member(2, 0));
    assertEquals(new MemberList.Page(List.of(member(1, 0)), 3L), list.page(null, 1));
    assertEquals(new MemberList.Page(List.of(member(2, 0)), null), list.page(3L, 1));
    assertEquals(new MemberList.Page(List.of(member(1, 0), member(2, 0)), null), list.page(0L, 2));
    assertEquals(new MemberList.Page(List.of(), null), list.page(7L, 5));
  }

  @Test
  void aUsersConnectionsAreFoundWithoutLookingAtTheOthers() {
    RoomState.Member a1 = new RoomState.Member("a1", "alice", "gw-0", "r");
    RoomState.Member b = new RoomState.Member("b", "bob", "gw-0", "r");
    RoomState.Member a2 = new RoomState.Member("a2", "alice", "gw-1", "r");
    MemberList list = MemberList.of(List.of(a1, b, a2));
    RoomState.Member token = new RoomState.Member("t", "Al", "gw-1", "r", UserKeys.of("alice"));
    list = list.plus(token);
    assertEquals(List.of(a1, a2, token), list.ofUser("alice"), "by username or by subject");
    assertEquals(List.of(a2, token), list.minus("a1").ofUser("alice"));
    assertEquals(List.of(), list.minus("b").ofUser("bob"));
    assertEquals(List.of(), list.ofUser("Al"), "a token member's name is not its user");
  }
}
