package dev.roomlog.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class AdminKeyCheckTest {
  @Test
  void theAdminKeyIsTakenFromEitherHeaderAndAWrongOneIsForbidden() {
    AdminKeyCheck check = new AdminKeyCheck("k3y");
    assertNull(check.refusal(List.of("k3y"), null));
    assertNull(check.refusal(null, List.of("Bearer k3y")));
    assertNull(check.refusal(null, List.of("bearer k3y")));
    assertEquals(401, check.refusal(null, null).status());
    assertEquals(401, check.refusal(null, List.of("Basic azN5")).status());
    assertEquals(403, check.refusal(List.of("k3"), null).status());
    assertEquals(403, check.refusal(List.of("k3yy"), null).status());
    assertEquals(403, new AdminKeyCheck(null).refusal(List.of("anything"), null).status());
  }

  @Test
  void aKeyOfferedTwiceOrTwoDifferentKeysAreRefusedAsAmbiguousWhicheverIsRight() {
    AdminKeyCheck check = new AdminKeyCheck("k3y");

    for (AdminKeyCheck.Refusal refusal :
        List.of(
            check.refusal(List.of("k3y", "wrong"), null),
            check.refusal(List.of("wrong", "k3y"), null),
            check.refusal(List.of("k3y", "k3y"), null),
            check.refusal(null, List.of("Bearer k3y", "Bearer wrong")),
            check.refusal(List.of("k3y"), List.of("Bearer wrong")),
            check.refusal(List.of("wrong"), List.of("Bearer k3y")))) {
      assertEquals(400, refusal.status());
      assertEquals("ambiguousAdminKey", refusal.code());
    }
  }

  @Test
  void theSameKeyInBothHeadersOrAnotherAuthorizationSchemeBesideTheHeaderIsOneOffer() {
    AdminKeyCheck check = new AdminKeyCheck("k3y");
    assertNull(check.refusal(List.of("k3y"), List.of("Bearer k3y")));
    // A proxy's own Basic credentials offer no admin key.
    assertNull(check.refusal(List.of("k3y"), List.of("Basic dXNlcjpwdw==")));
    assertEquals(403, check.refusal(List.of("wrong"), List.of("Bearer wrong")).status());
  }
}
