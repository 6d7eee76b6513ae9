package dev.roomlog.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoomPlanTest {
  @Test
  void connectionsFillRoomsInOrder() {
    RoomPlan plan = new RoomPlan(30, 10, false);
    assertEquals(3, plan.rooms());
    assertEquals(2, plan.roomOf(25));
    assertEquals(5, plan.slotOf(25));
    assertEquals(25, plan.connection(2, 5));
  }

  @Test
  void roomsTakeTurnsAndSoDoTheirMembers() {
    RoomPlan plan = new RoomPlan(6, 3, false);
    List<Integer> senders = new ArrayList<>();
    for (long k = 0; k < 6; k++) {
      senders.add(plan.senderOf(k));
    }
    assertEquals(List.of(0, 3, 1, 4, 2, 5), senders);
  }

  @Test
  void aSinglePublisherSendsEverything() {
    RoomPlan plan = new RoomPlan(1000, 1000, true);
    for (long k = 0; k < 10; k++) {
      assertEquals(0, plan.senderOf(k));
    }
  }

  @Test
  void connectionsMustFillWholeRooms() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new RoomPlan(15, 10, false));
    assertEquals("--connections (15) must be a multiple of --room-size (10)", e.getMessage());
  }

  @Test
  void roomIdsAreValidRoomlogIdsUniquePerRun() {
    String id = RoomPlan.roomId("lt-abc12345", 1234);
    assertEquals("lt-abc12345-r1234", id);
    assertEquals(true, id.matches("[A-Za-z0-9._-]{1,64}"));
  }
}
