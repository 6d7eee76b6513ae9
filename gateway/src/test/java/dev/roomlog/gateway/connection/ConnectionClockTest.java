package dev.roomlog.gateway.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.roomlog.gateway.connection.ConnectionClock.Close;
import dev.roomlog.gateway.connection.ConnectionClock.Limits;
import dev.roomlog.gateway.connection.ConnectionClock.Ping;
import dev.roomlog.gateway.connection.ConnectionClock.Wait;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The decisions alone, time in seconds (as nanoseconds) passed by hand. */
class ConnectionClockTest {
  private static final Limits LIMITS =
      new Limits(
          Duration.ofMinutes(10),
          Duration.ofHours(2),
          Duration.ofSeconds(30),
          Duration.ofSeconds(10));
  private static final long T0 = 1_000_000_000_000L;

  private static long at(long seconds) {
    return T0 + Duration.ofSeconds(seconds).toNanos();
  }

  private final ConnectionClock clock = new ConnectionClock(LIMITS, T0);

  @Test
  void firstLooksAgainWhenASilentClientIsDueForAPing() {
    assertEquals(at(30), clock.firstCheckAt());
    assertEquals(new Wait(at(30)), clock.check(at(29)));
  }

  @Test
  void pingsAfterTheIntervalThenWaitsForThePongTimeout() {
    assertEquals(new Ping(at(40)), clock.check(at(30)));
    assertEquals(new Wait(at(40)), clock.check(at(35)), "one ping at a time");
    assertEquals(
        new Close(1001, "no pong within 10s: connection presumed dead"), clock.check(at(40)));
  }

  @Test
  void aPongAnswersThePingAndTheIntervalRestartsFromIt() {
    clock.check(at(30));
    clock.onControlFrame(at(39));

    assertEquals(new Wait(at(69)), clock.check(at(40)));
    assertEquals(new Ping(at(79)), clock.check(at(69)));
  }

  @Test
  void pongsDoNotCountAsUseButMessagesDo() {
    clock.onControlFrame(at(599));
    assertEquals(new Close(1001, "idle for 10m: reconnect when you need to"), clock.check(at(600)));

    ConnectionClock used = new ConnectionClock(LIMITS, T0);
    used.onMessageFrame(at(599));
    assertEquals(new Wait(at(629)), used.check(at(600)));
  }

  @Test
  void maximumAgeClosesEvenABusyConnection() {
    ConnectionClock busy = new ConnectionClock(LIMITS, T0);
    busy.onMessageFrame(at(7_199));

    assertEquals(new Wait(at(7_200)), busy.check(at(7_199)), "age comes before the next ping");
    assertEquals(
        new Close(1001, "maximum connection age reached: reconnect and resume"),
        busy.check(at(7_200)));
  }

  @Test
  void aDeadPeerIsReportedAsSuchEvenWhenItIsAlsoIdle() {
    ConnectionClock quiet = new ConnectionClock(LIMITS, T0);
    quiet.onControlFrame(at(560));
    assertEquals(new Ping(at(600)), quiet.check(at(590)));
    assertEquals(
        "no pong within 10s: connection presumed dead", ((Close) quiet.check(at(600))).reason());
  }

  @Test
  void limitsMustBePositive() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new Limits(
                    Duration.ZERO,
                    Duration.ofHours(2),
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(10)));
    assertEquals("idleTimeout must be longer than zero, was PT0S", e.getMessage());
  }
}
