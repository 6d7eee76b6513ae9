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
}
