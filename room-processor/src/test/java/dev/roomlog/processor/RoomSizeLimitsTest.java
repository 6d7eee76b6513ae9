package dev.roomlog.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.processor.Fixtures.Client;
import dev.roomlog.protocol.JsonSerde;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.Limits;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.frame.ErrorCode;
import dev.roomlog.protocol.frame.ServerFrame;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A room's size is bounded twice: by members (--max-room-members, refused at the join) and by the
 * bytes of its recent events (the oldest are dropped). Together they keep a room's joined frames
 * (every member and the recent messages) under Kafka's record limit, however big the room gets: a
 * frame past that limit could not be delivered, and would stop the processor. The room's state is
 * one record per member and per event (issue 18), each far under the limit; the layout before, one
 * record per room, is still read to upgrade, and the largest room fits it too.
 */
class RoomSizeLimitsTest {
  private static final String ROOM = "big";
  private long clock = 1_000;

  private RoomState run(RoomLogic logic, RoomState state, Client who, Action.RoomAction action) {
    clock += 10;
    Decision decision = logic.decide(state, action, who.context(clock));
    for (RoomEvent event : decision.events()) {
      state = logic.apply(state, event);
    }
    return state;
  }

  private static Client client(int i) {
    return Client.on("gw-" + (i % 3), "conn-" + i);
  }

  @Test
  void aJoinUpToMaxRoomMembersIsAcceptedAndOneMoreIsRefusedUntilSomeoneLeaves() {
    RoomLogic logic = new RoomLogic(10, 3);
    RoomState state = run(logic, null, client(1), new Action.CreateRoom("c", "u1", ROOM, null));
    state = run(logic, state, client(2), new Action.JoinRoom("j2", ROOM, "u2", null, null));
    state = run(logic, state, client(3), new Action.JoinRoom("j3", ROOM, "u3", null, null));
    assertEquals(3, state.members().size(), "at the limit");

    clock += 10;
    Decision refused =
        logic.decide(
            state, new Action.JoinRoom("j4", ROOM, "u4", null, null), client(4).context(clock));
    assertEquals(List.of(), refused.events());
    ServerFrame.ErrorFrame error = (ServerFrame.ErrorFrame) refused.replies().get(0).frame();
    assertEquals(ErrorCode.ROOM_FULL.status(), error.status());
    assertEquals("roomFull", error.code());
    assertEquals("j4", error.requestId());
    assertEquals(List.of(client(4).recipient()), refused.replies().get(0).recipients());
    assertTrue(error.message().contains("it has 3 members"), error.message());

    state = run(logic, state, client(2), new Action.LeaveRoom("l2", ROOM, null));
    state = run(logic, state, client(4), new Action.JoinRoom("j4", ROOM, "u4", null, null));
    assertEquals(3, state.members().size(), "the freed place was taken");
  }

  @Test
  void recentEventsKeepTheHistorySizeWhileTheyFitTheByteBudget() {
    RoomLogic logic = new RoomLogic(10);
    RoomState state = run(logic, null, client(1), new Action.CreateRoom("c", "u1", ROOM, null));
    for (int i = 0; i < 30; i++) {
      state = run(logic, state, client(1), new Action.SendMessage(null, ROOM, "short " + i, null));
    }
    assertEquals(10, state.recent().size());
  }

  @Test
  void recentEventsOfLongMessagesStopAtTheByteBudgetAndTheNewestIsKept() {
    RoomLogic logic = new RoomLogic(ProcessorSettings.MAX_HISTORY_SIZE);
    String longest = "x".repeat(Limits.MAX_TEXT_LENGTH);
    int perMessage =
        RoomLogic.boundBytes(new RoomEvent.MessagePosted(ROOM, 1, 1, "c", "u", longest, null));
    int fit = RoomLogic.RECENT_BYTES_BUDGET / perMessage;
    RoomState state = run(logic, null, client(1), new Action.CreateRoom("c", "u1", ROOM, null));
    for (int i = 0; i < fit + 20; i++) {
      state = run(logic, state, client(1), new Action.SendMessage(null, ROOM, longest, null));
    }
    assertEquals(fit, state.recent().size(), "exactly as many as the budget holds");
    assertEquals(
        state.lastSeq(), state.recent().get(state.recent().size() - 1).seq(), "the newest is kept");
    long bound = state.recent().stream().mapToLong(RoomLogic::boundBytes).sum();
    assertTrue(bound <= RoomLogic.RECENT_BYTES_BUDGET, bound + " bytes");
    assertTrue(bound + perMessage > RoomLogic.RECENT_BYTES_BUDGET, "one more would not fit");
  }

  @Test
  void theLargestRoomTheSettingsAllowFitsOneRecordAsStateAndAsAJoinedFrame() {
    RoomLogic logic =
        new RoomLogic(ProcessorSettings.MAX_HISTORY_SIZE, ProcessorSettings.MAX_ROOM_MEMBERS);
    // Usernames of 64 three-byte characters, long gateway ids, messages that escape to 6 bytes
    // a character: the worst case for each field.
    String username = "\u4e2d".repeat(Limits.MAX_USERNAME_LENGTH);
    String gatewayId = "gateway-" + "g".repeat(56);
    List<RoomState.Member> members = new ArrayList<>();
    for (int i = 0; i < ProcessorSettings.MAX_ROOM_MEMBERS; i++) {
      members.add(
          new RoomState.Member(
              "c-" + "0".repeat(20) + i, username, gatewayId, "1764000000000-abcdefgh"));
    }
    RoomState state = new RoomState(ROOM, 0, members, List.of());
    String worstText = "\u0001".repeat(Limits.MAX_TEXT_LENGTH);
    Client sender = Client.on(gatewayId, members.get(0).connectionId());
    for (int i = 0; i < 60; i++) {
      clock += 10;
      RoomEvent posted =
          new RoomEvent.MessagePosted(
              ROOM, state.lastSeq() + 1, clock, sender.connectionId(), username, worstText, null);
      state = logic.apply(state, posted);
    }

    // The previous layout's record (still restored, to upgrade) and the new layout's records.
    byte[] stored = JsonSerde.of(RoomState.class).serializer().serialize("t", state);
    assertTrue(
        stored.length < RoomTopology.MAX_RECORD_BYTES,
        "state record of " + stored.length + " bytes");
    RoomStores.Changes layout = new RoomStores.Changes();
    layout.upgrade(state);
    assertEquals(state.members().size(), layout.members.size());
    int largest =
        JsonSerde.of(RoomStores.Head.class)
            .serializer()
            .serialize("t", layout.heads.get(ROOM))
            .length;
    for (RoomStores.StoredMember m : layout.members.values()) {
      largest =
          Math.max(
              largest,
              JsonSerde.of(RoomStores.StoredMember.class).serializer().serialize("t", m).length);
    }
    for (RoomEvent e : layout.recent.values()) {
      largest =
          Math.max(largest, JsonSerde.of(RoomEvent.class).serializer().serialize("t", e).length);
    }
    assertTrue(largest < RoomTopology.MAX_RECORD_BYTES, "largest store record: " + largest);
    ServerFrame.Joined joined =
        new ServerFrame.Joined(
            ROOM,
            state.lastSeq(),
            state.memberViews(),
            state.recentMessages().stream()
                .map(m -> (ServerFrame.Message) RoomLogic.frameOf(m))
                .toList(),
            null,
            "r");
    int frameBytes = joined.toJson().getBytes(StandardCharsets.UTF_8).length;
    assertTrue(
        frameBytes < RoomTopology.MAX_RECORD_BYTES, "joined frame of " + frameBytes + " bytes");
  }

  @Test
  void maxRoomMembersIsASettingFromOneToItsBound() {
    ProcessorSettings defaults = ProcessorSettings.defaults("localhost:9092", Path.of("state"));
    assertEquals(1, defaults.withMaxRoomMembers(1).maxRoomMembers());
    assertEquals(
        ProcessorSettings.MAX_ROOM_MEMBERS,
        defaults.withMaxRoomMembers(ProcessorSettings.MAX_ROOM_MEMBERS).maxRoomMembers());
    assertThrows(IllegalArgumentException.class, () -> defaults.withMaxRoomMembers(0));
    assertThrows(
        IllegalArgumentException.class,
        () -> defaults.withMaxRoomMembers(ProcessorSettings.MAX_ROOM_MEMBERS + 1));
  }
}
