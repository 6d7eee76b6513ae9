package dev.roomlog.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.processor.Fixtures.Client;
import dev.roomlog.protocol.Delivery;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.Authorizer;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.frame.ServerFrame;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kick and ban through the whole topology, and a replay of the same log into a new processor. */
class ModerationTopologyTest {
  private static final String ROOM = "lobby";
  private static final Authorizer BOB_TOKEN =
      new Authorizer(Authorizer.TOKEN, "user-42", "bob", null, null, 4_000_000_000L);
  private static final long HOUR = 3_600_000;

  @TempDir Path first;
  @TempDir Path second;

  private final Client alice = Client.on("gw-a", "c1");
  private final Client bob = Client.on("gw-b", "c2");
  private final Client admin = Client.on("gw-a", "gw-a.post-1");

  private List<WalRecord> log() {
    return List.of(
        alice.wal(100, new Action.CreateRoom("a1", "alice", ROOM, null)),
        bob.wal(110, new Action.JoinRoom("b1", ROOM, "bob", null, null), BOB_TOKEN),
        admin.wal(120, new Action.Moderate("m1", ROOM, "user-42", "spam", HOUR)),
        bob.wal(130, new Action.SendMessage("b2", ROOM, "still here?", null), BOB_TOKEN),
        bob.wal(140, new Action.JoinRoom("b3", ROOM, "bob", null, null), BOB_TOKEN),
        bob.disconnect(150));
  }

  private TopologyHarness harness(Path stateDir, String prefix) {
    return new TopologyHarness(
        ProcessorSettings.defaults("unused:9092", stateDir).withTopics(TopicSet.prefixed(prefix)));
  }

  @Test
  void kickedAndBannedUserIsOutCannotSpeakOrRejoinAndReplayAgrees() {
    Map<String, RoomState> rooms;
    List<RoomEvent> events;
    try (TopologyHarness h = harness(first, "moderation")) {
      log().forEach(h::send);
      events = h.roomEvents.readValuesToList();
      List<Delivery> deliveries = h.deliveries.readValuesToList();
      rooms = h.allRooms();

      assertEquals(
          List.of(
              new RoomEvent.MemberLeft(ROOM, 4, 120, "c2", "bob", "kicked", "spam")
                  .withMemberCount(1),
              new RoomEvent.UserBanned(ROOM, 5, 120, "user-42", 120 + HOUR, "spam")),
          events.subList(3, 5));
      assertEquals(5, events.size(), "the kicked connection's send, join and disconnect add none");
      List<ServerFrame> toBob =
          deliveries.stream()
              .filter(d -> d.connectionIds().contains("c2"))
              .map(TopologyHarness::frame)
              .toList();
      ServerFrame.MemberLeft told = (ServerFrame.MemberLeft) toBob.get(toBob.size() - 3);
      assertEquals("kicked", told.reason());
      assertEquals("notMember", ((ServerFrame.ErrorFrame) toBob.get(toBob.size() - 2)).code());
      ServerFrame.ErrorFrame banned = (ServerFrame.ErrorFrame) toBob.get(toBob.size() - 1);
      assertEquals("banned", banned.code());
      assertEquals(120 + HOUR - 140, banned.retryAfterMs());
      ServerFrame.Moderated answer =
          deliveries.stream()
              .filter(d -> d.connectionIds().contains("gw-a.post-1"))
              .map(TopologyHarness::frame)
              .map(ServerFrame.Moderated.class::cast)
              .findFirst()
              .orElseThrow();
      assertEquals(new ServerFrame.Moderated(ROOM, "user-42", 1, 120 + HOUR, "m1"), answer);
      assertTrue(rooms.get(ROOM).bannedUntil("user-42", 140).isPresent());
    }
    try (TopologyHarness replay = harness(second, "moderation-replay")) {
      log().forEach(replay::send);
      assertEquals(events, replay.roomEvents.readValuesToList());
      assertEquals(rooms, replay.allRooms());
    }
  }
}
