package dev.roomlog.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Which of two runs under one gateway id gives way: the processor keeps the newer run's members.
 */
class GatewayIdWatchTest {
  @Test
  void theOlderRunGivesWayAndTheNewerGoesOn() {
    assertTrue(GatewayIdWatch.mustYield("1700000000000-aaaa", "1700000000001-zzzz"));
    assertFalse(GatewayIdWatch.mustYield("1700000000001-zzzz", "1700000000000-aaaa"));
  }

  @Test
  void ofTwoStartedInTheSameMillisecondExactlyOneGivesWay() {
    String a = "1700000000000-Abc";
    String b = "1700000000000-Bcd";
    assertTrue(GatewayIdWatch.mustYield(a, b) != GatewayIdWatch.mustYield(b, a));
  }

  @Test
  void aRunIdWithoutAStartTimeCountsAsTheOldest() {
    assertTrue(GatewayIdWatch.mustYield("legacy", "1700000000000-x"));
    assertFalse(GatewayIdWatch.mustYield("1700000000000-x", "legacy"));
  }
}
