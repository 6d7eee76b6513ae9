package dev.roomlog.processor;

import static dev.roomlog.processor.Fixtures.connect;
import static dev.roomlog.processor.Fixtures.context;
import static dev.roomlog.processor.Fixtures.disconnect;
import static dev.roomlog.processor.Fixtures.wal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.Limits;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionLogicTest {

  /** Runs records through the logic the way the stage does, returning the last step. */
  private static ConnectionLogic.Step run(WalRecord... records) {
    ConnectionState state = null;
    ConnectionLogic.Step step = null;
    for (WalRecord r : records) {
      step = ConnectionLogic.handle(state, r);
      state = step.state();
    }
    return step;
  }

  @Test
  void connectRemembersTheGatewayAndEmitsNothing() {
    ConnectionLogic.Step step = run(connect("c1", "gw-a", 1));
    assertEquals(new ConnectionState("gw-a", List.of()), step.state());
    assertEquals(List.of(), step.commands());
  }

  @Test
  void disconnectEmitsOneLeavePerJoinedRoomInJoinOrderAndForgetsTheConnection() {
    ConnectionLogic.Step step =
        run(
            connect("c1", "gw-a", 1),
            wal("c1", "gw-a", 2, new Action.CreateRoom("q1", "alice", "lobby")),
            wal("c1", "gw-a", 3, new Action.JoinRoom("q2", "games", "alice")),
            wal("c1", "gw-a", 4, new Action.JoinRoom("q3", "music", "alice")),
            wal("c1", "gw-a", 5, new Action.LeaveRoom("q4", "games")),
            disconnect("c1", "gw-a", 6));

    assertNull(step.state(), "the connection's state is deleted");
    assertEquals(List.of("lobby", "music"), step.commands().stream().map(RoomCommand::roomId).toList());
    for (RoomCommand leave : step.commands()) {
      assertTrue(leave.disconnectLeave());
      assertEquals(new Action.LeaveRoom(null, leave.roomId()), leave.action());
      assertEquals("c1", leave.requestContext().connectionId());
      assertEquals(6, leave.requestContext().requestTimeEpoch());
    }
  }

  @Test
  void disconnectOfAConnectionInNoRoomEmitsNothing() {
    ConnectionLogic.Step step = run(connect("c1", "gw-a", 1), disconnect("c1", "gw-a", 2));
    assertNull(step.state());
    assertEquals(List.of(), step.commands());
  }

  @Test
  void disconnectOfAnUnknownConnectionEmitsNothing() {
    ConnectionLogic.Step step = run(disconnect("c9", "gw-a", 2));
    assertNull(step.state());
    assertEquals(List.of(), step.commands());
  }

  @Test
  void joiningTheSameRoomTwiceKeepsOneLeaveForIt() {
    ConnectionLogic.Step step =
        run(
            wal("c1", "gw-a", 1, new Action.JoinRoom(null, "lobby", "alice")),
            wal("c1", "gw-a", 2, new Action.JoinRoom(null, "lobby", "alice")),
            disconnect("c1", "gw-a", 3));
    assertEquals(List.of("lobby"), step.commands().stream().map(RoomCommand::roomId).toList());
  }

  @Test
  void roomActionsPassOnKeyedByTheirRoomAsPlainCommands() {
    Action send = new Action.SendMessage("q1", "lobby", "hi", "m1");
    ConnectionLogic.Step step = run(connect("c1", "gw-a", 1), wal("c1", "gw-a", 2, send));
    assertEquals(new ConnectionState("gw-a", List.of()), step.state(), "sending joins nothing");
    RoomCommand cmd = step.commands().get(0);
    assertEquals(1, step.commands().size());
    assertEquals("lobby", cmd.roomId());
    assertEquals(send, cmd.action());
    assertFalse(cmd.disconnectLeave());
  }

  @Test
  void createRoomWithoutIdDerivesTheSameIdFromTheGatewayRequestIdOnEveryReplay() {
    WalRecord create = wal("c1", "gw-a", 7, new Action.CreateRoom("q1", "alice", null));
    String first = ConnectionLogic.handle(null, create).commands().get(0).roomId();
    String replay = ConnectionLogic.handle(null, create).commands().get(0).roomId();
    assertEquals("r-gw-c1-7", first);
    assertEquals(first, replay);
    assertEquals(List.of(first), ConnectionLogic.handle(null, create).state().rooms());
  }

  @Test
  void derivedRoomIdIsHashedWhenTheRequestIdIsNotAValidRoomId() {
    String id = ConnectionLogic.derivedRoomId(context("c1", "gw-a", "VhCkKF06oAMFc4g=", 1));
    assertTrue(id.matches(Limits.ROOM_ID_PATTERN), id);
    assertTrue(id.startsWith("r-") && id.length() <= Limits.MAX_ROOM_ID_LENGTH, id);
    assertEquals(id, ConnectionLogic.derivedRoomId(context("c2", "gw-b", "VhCkKF06oAMFc4g=", 2)));
  }
}
