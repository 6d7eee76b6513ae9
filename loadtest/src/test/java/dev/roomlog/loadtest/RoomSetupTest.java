package dev.roomlog.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RoomSetupTest {
  @Test
  void aRefusedJoinWaitsLongerEachTimeUpToFiveSeconds() {
    // jitter 0.99: 99.5% of the pause; 0: half of it.
    double most = 0.99;
    assertEquals(99, RoomSetup.backoffMillis(1, -1, most));
    assertEquals(50, RoomSetup.backoffMillis(1, -1, 0));
    assertEquals(796, RoomSetup.backoffMillis(4, -1, most));
    assertEquals(4_975, RoomSetup.backoffMillis(7, -1, most), "6.4 s doubled, capped at 5 s");
    assertEquals(2_500, RoomSetup.backoffMillis(30, -1, 0), "no overflow far out");
  }

  @Test
  void neverSoonerThanTheServerAsked() {
    assertEquals(1_000, RoomSetup.backoffMillis(1, 1_000, 0));
    assertEquals(1_500, RoomSetup.backoffMillis(1, 1_500, 0.99));
    assertEquals(8_000, RoomSetup.backoffMillis(3, 8_000, 0.5), "above the 5 s cap too");
    assertEquals(
        1_000,
        RoomSetup.backoffMillis(5, 1_000, 0),
        "1.6 s halved by the spread: the server's 1 s");
  }
}
