package dev.roomlog.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
  void theRoomsClaimLimitsJoinSendResumeMembersAndCreateWithAnId() {
    assertEquals("ok", code(ALICE, new Action.SendMessage("r", "team-red", "hi", null)));
    assertEquals(
        "403 roomNotGranted", code(ALICE, new Action.SendMessage("r", "secret", "hi", null)));
    assertEquals(
        "403 roomNotGranted", code(ALICE, new Action.JoinRoom("r", "secret", "Alice", null, null)));
    assertEquals("403 roomNotGranted", code(ALICE, new Action.Resume("r", "secret", 3)));
    assertEquals(
        "403 roomNotGranted", code(ALICE, new Action.ListMembers("r", "secret", null, 10)));
    assertEquals("ok", code(ALICE, new Action.ListMembers("r", "team-red", 4L, 10)));
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

  private static Authorizer alice(List<String> rooms, Boolean createRooms) {
    return new Authorizer("token", "a1", "Alice", rooms, createRooms, 20L);
  }

  @Test
  void aRefreshThatKeepsOrWidensRightsDoesNotNarrow() {
    assertFalse(TokenRights.narrows(ALICE, alice(List.of("lobby", "team-*"), null)), "the same");
    assertFalse(TokenRights.narrows(ALICE, alice(List.of("lobby", "team-*", "x"), null)));
    assertFalse(TokenRights.narrows(ALICE, alice(List.of("lobby", "te*"), null)), "wider prefix");
    assertFalse(TokenRights.narrows(ALICE, alice(null, null)), "every room");
    assertFalse(TokenRights.narrows(NO_CREATE, alice(null, true)), "createRooms granted");
    assertFalse(
        TokenRights.narrows(alice(List.of("lobby"), null), alice(List.of("lob*"), null)),
        "an id within a prefix");
  }

  @Test
  void aRefreshThatTakesAnyRightOrTheNameNarrows() {
    assertTrue(TokenRights.narrows(ALICE, alice(List.of("lobby"), null)), "a prefix dropped");
    assertTrue(
        TokenRights.narrows(ALICE, alice(List.of("lobby", "team-red"), null)),
        "a prefix cut down to one of its rooms");
    assertTrue(
        TokenRights.narrows(ALICE, alice(List.of("lobby", "team-red*"), null)), "a longer prefix");
    assertTrue(TokenRights.narrows(alice(null, null), ALICE), "every room, then some");
    assertTrue(TokenRights.narrows(ALICE, alice(List.of("lobby", "team-*"), false)), "createRooms");
    assertTrue(
        TokenRights.narrows(
            ALICE, new Authorizer("token", "a1", "Alicia", List.of("lobby", "team-*"), null, 20L)),
        "another name");
  }
}
