package dev.roomlog.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.Authorizer;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TokenRightsTest {
  private static final Authorizer ALICE =
      new Authorizer("token", "a1", "Alice", List.of("lobby", "team-*"), null, 10L);
  private static final Authorizer NO_CREATE =
      new Authorizer("token", "a1", "Alice", null, false, 10L);

  private static String code(Authorizer who, Action action) {
    return TokenRights.refusal(who, action).map(e -> e.status() + " " + e.code()).orElse("ok");
  }

  @Test
  void aTokenSpeaksOnlyUnderItsOwnName() {
    assertEquals("ok", code(ALICE, new Action.JoinRoom("r", "lobby", "Alice", null, null)));
    assertEquals(
        "403 usernameNotYours", code(ALICE, new Action.JoinRoom("r", "lobby", "Bob", null, null)));
    assertEquals(
        "403 usernameNotYours", code(ALICE, new Action.CreateRoom("r", "alice", "lobby", null)));
    assertEquals(
        Optional.of("r9"),
        TokenRights.refusal(ALICE, new Action.JoinRoom("r9", "lobby", "Bob", null, null))
            .map(e -> e.requestId()));
  }

  @Test
  void theRoomsClaimLimitsJoinSendResumeAndCreateWithAnId() {
    assertEquals("ok", code(ALICE, new Action.SendMessage("r", "team-red", "hi", null)));
    assertEquals(
        "403 roomNotGranted", code(ALICE, new Action.SendMessage("r", "secret", "hi", null)));
    assertEquals(
        "403 roomNotGranted", code(ALICE, new Action.JoinRoom("r", "secret", "Alice", null, null)));
    assertEquals("403 roomNotGranted", code(ALICE, new Action.Resume("r", "secret", 3)));
    assertEquals(
        "403 roomNotGranted", code(ALICE, new Action.CreateRoom("r", "Alice", "secret", null)));
    assertEquals("ok", code(ALICE, new Action.CreateRoom("r", "Alice", "team-x", null)));
    // A generated id would be out of the token's reach.
    assertEquals(
        "403 roomNotGranted", code(ALICE, new Action.CreateRoom("r", "Alice", null, null)));
    // Leaving is always allowed.
    assertEquals("ok", code(ALICE, new Action.LeaveRoom("r", "secret", null)));
  }

  @Test
  void createRoomsFalseForbidsCreatingOnly() {
    assertEquals(
        "403 createRoomsNotGranted",
        code(NO_CREATE, new Action.CreateRoom("r", "Alice", "x", null)));
    assertEquals("ok", code(NO_CREATE, new Action.JoinRoom("r", "x", "Alice", null, null)));
  }

  @Test
  void anApiKeyMayDoAnything() {
    assertTrue(
        TokenRights.refusal(
                Authorizer.apiKey("web"), new Action.CreateRoom("r", "anyone", "any", null))
            .isEmpty());
  }
}
