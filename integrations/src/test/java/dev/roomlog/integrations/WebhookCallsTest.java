package dev.roomlog.integrations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.integration.WebhookSubscription;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookCallsTest {
  private static final String FILE =
      """
      [{"id":"support","url":"https://example.com/hooks","secrets":[{"id":"k2","secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}],
        "events":["memberLeft","roomEmptied"],"roomPrefix":"support-","retryFor":"2h"}]
      """;

  @Test
  void aSubscriptionGetsItsKindsOfItsRoomsAndTheEmptyingAfterTheLastLeave() {
    WebhookSubscription sub = Subscriptions.parse(FILE).get("support");
    RoomEvent left = new RoomEvent.MemberLeft("support-1", 9, 1L, "c", "ann", "left");

    assertEquals(List.of("memberLeft", "roomEmptied"), WebhookCalls.names(sub, left, true));
    assertEquals(List.of("memberLeft"), WebhookCalls.names(sub, left, false));
    assertEquals(
        List.of(),
        WebhookCalls.names(
            sub, new RoomEvent.MemberLeft("sales-1", 9, 1L, "c", "ann", "left"), true));
    assertEquals(
        List.of(),
        WebhookCalls.names(
            sub, new RoomEvent.MessagePosted("support-1", 10, 1L, "c", "ann", "hi", null), false));
  }

  @Test
  void roomEmptiedFollowsTheLeaveThatEmptiedACountedRoom() {
    RoomOccupancy rooms = new RoomOccupancy();
    rooms.apply(0, new RoomEvent.RoomCreated("r", 1, 1L, "ann"));
    rooms.apply(0, new RoomEvent.MemberJoined("r", 2, 1L, "c1", "ann", "gw", "run"));
    rooms.apply(0, new RoomEvent.MemberJoined("r", 3, 1L, "c2", "bob", "gw", "run"));

    assertEquals(false, rooms.apply(0, new RoomEvent.MemberLeft("r", 4, 1L, "c1", "ann", "left")));
    assertEquals(true, rooms.apply(0, new RoomEvent.MemberLeft("r", 5, 1L, "c2", "bob", "left")));
    assertEquals(
        false,
        rooms.apply(0, new RoomEvent.MemberLeft("unseen", 5, 1L, "c2", "bob", "left")),
        "a room first seen mid-history is not counted from unstamped events");
  }

  @Test
  void roomEmptiedFollowsAStampedLeaveToZeroEvenInARoomFirstSeenMidHistory() {
    RoomOccupancy rooms = new RoomOccupancy();
    RoomEvent.MemberLeft notLast =
        new RoomEvent.MemberLeft("old-room", 40, 1L, "c1", "ann", "left").withMemberCount(1);
    RoomEvent.MemberLeft last =
        new RoomEvent.MemberLeft("old-room", 41, 1L, "c2", "bob", "disconnected")
            .withMemberCount(0);
    assertEquals(false, rooms.apply(0, notLast), "one member left");
    assertEquals(true, rooms.apply(0, last), "the stamped count says the room is empty");
    // Counting goes on from the stamp: a join and its leave empty the room again.
    rooms.apply(0, new RoomEvent.MemberJoined("old-room", 42, 1L, "c3", "cy", "gw", "run"));
    assertEquals(
        true, rooms.apply(0, new RoomEvent.MemberLeft("old-room", 43, 1L, "c3", "cy", "left")));
  }

  @Test
  void aBadSubscriptionFailsNamingItAndTheField() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Subscriptions.parse(
                    "[{\"id\":\"crm\",\"url\":\"ftp://x\",\"secrets\":[{\"id\":\"k\",\"secret\":\"0123456789abcdef\"}],\"events\":[\"message\"]}]"));
    assertTrue(e.getMessage().contains("webhook crm: url"), e.getMessage());

    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Subscriptions.parse(
                    "[{\"id\":\"crm\",\"url\":\"http://x/\",\"secrets\":[{\"id\":\"k\",\"secret\":\"0123456789abcdef\"}],\"events\":[\"typing\"]}]"));
    assertTrue(e.getMessage().contains("events must be some of"), e.getMessage());
  }
}
