package dev.roomlog.protocol.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RoomIdsTest {
  @Test
  void aRetriedCreateWithTheSameClientMsgIdNamesTheSameRoomWhateverTheGatewayRequest() {
    Action.CreateRoom create = new Action.CreateRoom(null, "alice", null, "k-1");
    assertEquals(RoomIds.forCreate(create, "gw-req-1"), RoomIds.forCreate(create, "gw-req-2"));
  }

  @Test
  void anotherUserOrClientMsgIdNamesAnotherRoom() {
    String alice = RoomIds.forCreate(new Action.CreateRoom(null, "alice", null, "k-1"), "r");
    assertNotEquals(alice, RoomIds.forCreate(new Action.CreateRoom(null, "bob", null, "k-1"), "r"));
    assertNotEquals(
        alice, RoomIds.forCreate(new Action.CreateRoom(null, "alice", null, "k-2"), "r"));
  }

  @Test
  void withoutClientMsgIdTheRoomComesFromTheGatewayRequestIdAndIsAValidRoomId() {
    Action.CreateRoom create = new Action.CreateRoom(null, "alice", null, null);
    assertEquals("r-abc", RoomIds.forCreate(create, "abc"));
    String hashed = RoomIds.forCreate(create, "not/legal " + "x".repeat(100));
    assertTrue(hashed.matches(Limits.ROOM_ID_PATTERN), hashed);
    assertTrue(hashed.length() <= Limits.MAX_ROOM_ID_LENGTH, hashed);
  }
}
