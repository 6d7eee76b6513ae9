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
 * bytes of its recent events (the oldest are dropped). A joined frame lists the first page of
 * members only, so with the events' bound it stays under Kafka's record limit however big the room
 * gets: a frame past that limit could not be delivered, and would stop the processor. The room's
 * state is one record per member and per event (issue 18), each far under the limit; the layout
 * before, one record per room, is still read to upgrade, and the largest room fits it too.
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

  /**
   * The cap before issue 18: the previous layout's rooms, still restored to upgrade, are no larger.
   */
  private static final int PREVIOUS_MAX_ROOM_MEMBERS = 5_000;

  // Usernames of 64 three-byte characters, long gateway ids, messages that escape to 6 bytes a
  // character: the worst case for each field.
  private static final String WORST_USERNAME = "\u4e2d".repeat(Limits.MAX_USERNAME_LENGTH);
  private static final String WORST_GATEWAY = "gateway-" + "g".repeat(56);

  private static RoomState.Member worstMember(int i) {
    return new RoomState.Member(
        "c-" + "0".repeat(20) + i, WORST_USERNAME, WORST_GATEWAY, "1764000000000-abcdefgh");
  }

  /** A room of {@code size} members of the worst size and 60 recent messages of the worst size. */
  private RoomState worstRoom(RoomLogic logic, int size) {
    List<RoomState.Member> members = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      members.add(worstMember(i));
    }
    RoomState state = new RoomState(ROOM, size, members, List.of());
    String worstText = "\u0001".repeat(Limits.MAX_TEXT_LENGTH);
    for (int i = 0; i < 60; i++) {
      clock += 10;
      RoomEvent posted =
          new RoomEvent.MessagePosted(
              ROOM,
              state.lastSeq() + 1,
              clock,
              members.get(0).connectionId(),
              WORST_USERNAME,
              worstText,
              null);
      state = logic.apply(state, posted);
    }
    return state;
  }

  private static int bytes(ServerFrame frame) {
    return frame.toJson().getBytes(StandardCharsets.UTF_8).length;
  }

  @Test
  void aRoomOfThePreviousLayoutFitsOneRecordAndItsStoresRecordsEachFitOne() {
    RoomLogic logic = new RoomLogic(ProcessorSettings.MAX_HISTORY_SIZE, PREVIOUS_MAX_ROOM_MEMBERS);
    RoomState state = worstRoom(logic, PREVIOUS_MAX_ROOM_MEMBERS);

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
  }

  /**
   * A joined frame lists the first page of members only, so its size does not depend on the room's
   * beyond that page: a cap of a few pages shows the frames of a room at any cap, in a fraction of
   * the time a room at {@link ProcessorSettings#MAX_ROOM_MEMBERS} takes to build.
   */
  @Test
  void aFullRoomAnswersAJoinWithABoundedFrameAndRefusesOneMore() {
    int max = 2 * Limits.MAX_MEMBERS_PAGE;
    RoomLogic logic = new RoomLogic(ProcessorSettings.MAX_HISTORY_SIZE, max);
    RoomState state = worstRoom(logic, max - 1);
    String worstRequestId = "r".repeat(Limits.MAX_REQUEST_ID_LENGTH);

    clock += 10;
    Client last = Client.on(WORST_GATEWAY, worstMember(max).connectionId());
    Decision joined =
        logic.decide(
            state,
            new Action.JoinRoom(worstRequestId, ROOM, WORST_USERNAME, null, null),
            last.context(clock));
    ServerFrame.Joined answer = (ServerFrame.Joined) joined.replies().get(0).frame();
    assertEquals(max, answer.memberCount(), "at the limit");
    assertEquals(Limits.FIRST_MEMBERS_PAGE, answer.members().size(), "the first page only");
    assertTrue(bytes(answer) < RoomTopology.MAX_RECORD_BYTES, "joined frame of " + bytes(answer));
    // A 410 carries the room as it stands, its members bounded the same way.
    ServerFrame.ErrorFrame tooOld =
        (ServerFrame.ErrorFrame)
            logic
                .decide(
                    state,
                    new Action.JoinRoom(worstRequestId, ROOM, WORST_USERNAME, 0L, null),
                    last.context(clock))
                .replies()
                .get(0)
                .frame();
    assertEquals(Limits.FIRST_MEMBERS_PAGE, tooOld.room().members().size());
    assertEquals(max - 1, tooOld.room().memberCount());
    assertTrue(bytes(tooOld) < RoomTopology.MAX_RECORD_BYTES, "410 of " + bytes(tooOld));
    state = logic.apply(state, joined.events().get(0));

    // The largest page a member may ask for fits too.
    ServerFrame.Members page =
        (ServerFrame.Members)
            logic
                .decide(
                    state,
                    new Action.ListMembers(worstRequestId, ROOM, 0L, Limits.MAX_MEMBERS_PAGE),
                    last.context(clock))
                .replies()
                .get(0)
                .frame();
    assertEquals(Limits.MAX_MEMBERS_PAGE, page.members().size());
    assertTrue(bytes(page) < RoomTopology.MAX_RECORD_BYTES, "members page of " + bytes(page));

    clock += 10;
    Decision refused =
        logic.decide(
            state,
            new Action.JoinRoom("one-more", ROOM, "u", null, null),
            Client.on("gw-0", "one-more").context(clock));
    assertEquals(List.of(), refused.events(), "one past the limit");
    assertEquals(
        ErrorCode.ROOM_FULL.code(),
        ((ServerFrame.ErrorFrame) refused.replies().get(0).frame()).code());
  }

  @Test
  void theDefaultLetsARoomHoldAHundredThousandMembers() {
    assertTrue(
        ProcessorSettings.DEFAULT_MAX_ROOM_MEMBERS >= 100_000,
        "default " + ProcessorSettings.DEFAULT_MAX_ROOM_MEMBERS);
    assertTrue(ProcessorSettings.DEFAULT_MAX_ROOM_MEMBERS <= ProcessorSettings.MAX_ROOM_MEMBERS);
    ProcessorSettings defaults = ProcessorSettings.defaults("localhost:9092", Path.of("state"));
    assertEquals(ProcessorSettings.DEFAULT_MAX_ROOM_MEMBERS, defaults.maxRoomMembers());
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
