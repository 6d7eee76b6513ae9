package dev.roomlog.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TargetTest {
  @Test
  void readsHostPortAnIpv6LiteralAndAWsUri() {
    assertEquals(new Target("127.0.0.1", 8080), Target.parse("127.0.0.1:8080"));
    assertEquals(new Target("localhost", 9000), Target.parse("localhost:9000"));
    assertEquals(new Target("::1", 8080), Target.parse("[::1]:8080"));
    assertEquals(new Target("127.0.0.1", 8080), Target.parse("ws://127.0.0.1:8080/"));
  }

  @Test
  void refusesATargetWithoutAPort() {
    assertThrows(IllegalArgumentException.class, () -> Target.parse("localhost"));
    assertThrows(IllegalArgumentException.class, () -> Target.parse("localhost:"));
    assertThrows(IllegalArgumentException.class, () -> Target.parse("ws://localhost/"));
    assertThrows(IllegalArgumentException.class, () -> Target.parse("host:http"));
  }
}
