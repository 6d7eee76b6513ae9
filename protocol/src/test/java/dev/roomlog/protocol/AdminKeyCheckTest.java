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
}
