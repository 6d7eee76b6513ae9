package dev.roomlog.protocol.action;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AuthorizerTest {
  @Test
  void anApiKeyMayDoEverything() {
    Authorizer key = Authorizer.apiKey("web");
    assertFalse(key.tokenBased());
    assertTrue(key.grantsRoom("anything"));
    assertTrue(key.mayCreateRooms());
  }

  @Test
  void aTokenIsLimitedToItsRoomsExactOrByPrefix() {
    Authorizer token =
        new Authorizer("token", "a1", "Alice", List.of("lobby", "team-*"), null, 10L);
    assertTrue(token.tokenBased());
    assertTrue(token.grantsRoom("lobby"));
    assertTrue(token.grantsRoom("team-"));
    assertTrue(token.grantsRoom("team-blue"));
    assertFalse(token.grantsRoom("lobby2"));
    assertFalse(token.grantsRoom("tea"));
    assertTrue(token.mayCreateRooms());
    assertFalse(new Authorizer("token", "a1", "Alice", null, false, 10L).mayCreateRooms());
    assertTrue(new Authorizer("token", "a1", "Alice", null, null, 10L).grantsRoom("any"));
  }

  @Test
  void refusesAnUnknownTypeOrATokenWithoutSubjectOrName() {
    assertThrows(
        IllegalArgumentException.class, () -> new Authorizer("jwt", "a1", "A", null, null, 1L));
    assertThrows(
        IllegalArgumentException.class, () -> new Authorizer("token", "", "A", null, null, 1L));
    assertThrows(
        IllegalArgumentException.class, () -> new Authorizer("token", "a1", null, null, null, 1L));
  }
}
