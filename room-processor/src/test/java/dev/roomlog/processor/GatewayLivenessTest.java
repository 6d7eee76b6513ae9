package dev.roomlog.processor;

import static dev.roomlog.processor.Fixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.processor.GatewayLiveness.ActionVerdict;
import dev.roomlog.processor.GatewayLiveness.Status;
import dev.roomlog.processor.GatewayLiveness.Sweep;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GatewayLivenessTest {
  private static final long TIMEOUT = 1_000;
  private static final String A = "gw-a";
  private static final String B = "gw-b";
  private static final String C = "gw-c";

  private final GatewayLiveness liveness = new GatewayLiveness(TIMEOUT);

  /** What one partition knows, kept the way the stage keeps its gateways store. */
  private final Map<String, Status> known = new HashMap<>();

  private List<Sweep> heartbeat(String gatewayId, String instance, long at) {
    GatewayLiveness.Outcome outcome = liveness.onHeartbeat(known, gatewayId, instance, at);
    known.putAll(outcome.changed());
    return outcome.sweeps();
  }

  private ActionVerdict action(String gatewayId, String instance, long at) {
    ActionVerdict verdict = liveness.onAction(known.get(gatewayId), instance, at);
    verdict.changed().ifPresent(status -> known.put(gatewayId, status));
    return verdict;
  }

  private static RoomState.Member member(String connectionId, String gatewayId, String instance) {
    return new RoomState.Member(connectionId, "user-" + connectionId, gatewayId, instance);
  }

  @Test
  void firstHeartbeatsRecordTheGatewaysAndSweepNothing() {
    assertEquals(List.of(), heartbeat(A, run(A, 1), 1_000));
    assertEquals(List.of(), heartbeat(B, run(B, 1), 1_100));
    assertEquals(
        Map.of(A, new Status(run(A, 1), 1_000, false), B, new Status(run(B, 1), 1_100, false)),
        known);
  }

  @Test
  void aHeartbeatFromANewInstanceSweepsTheEarlierInstancesMembersOnly() {
    heartbeat(A, run(A, 1), 1_000);
    heartbeat(B, run(B, 1), 1_000);

    List<Sweep> sweeps = heartbeat(A, run(A, 2), 1_200);

    assertEquals(List.of(new Sweep(A, run(A, 2))), sweeps, "at once, long before any timeout");
    Sweep sweep = sweeps.get(0);
    assertTrue(sweep.removes(member("c1", A, run(A, 1))));
    assertTrue(sweep.removes(member("c0", A, null)), "a member recorded before instances were");
    assertFalse(sweep.removes(member("c2", A, run(A, 2))), "the new run's members stay");
    assertFalse(sweep.removes(member("c3", B, run(B, 1))), "other gateways' members stay");
    assertEquals(new Status(run(A, 2), 1_200, false), known.get(A));
    assertEquals(
        List.of(), heartbeat(A, run(A, 2), 1_300), "the new run's next beat sweeps nothing");
  }

  @Test
  void aGatewayIsLostWhenAnotherBeatsMoreThanTheTimeoutAfterItsLastSeenAndNotAtTheBound() {
    heartbeat(A, run(A, 1), 1_000);

    assertEquals(List.of(), heartbeat(B, run(B, 1), 1_000 + TIMEOUT), "lastSeen == at - timeout");
    assertFalse(known.get(A).lost());

    List<Sweep> sweeps = heartbeat(B, run(B, 1), 1_000 + TIMEOUT + 1);

    assertEquals(List.of(new Sweep(A, null)), sweeps);
    assertTrue(sweeps.get(0).removes(member("c1", A, run(A, 1))));
    assertTrue(sweeps.get(0).removes(member("c2", A, run(A, 7))), "every run of it");
    assertFalse(sweeps.get(0).removes(member("c3", B, run(B, 1))));
    assertEquals(new Status(run(A, 1), 1_000, true), known.get(A));
  }

  @Test
  void aLostGatewayIsSweptOnce() {
    heartbeat(A, run(A, 1), 1_000);
    assertEquals(List.of(new Sweep(A, null)), heartbeat(B, run(B, 1), 2_001));

    assertEquals(List.of(), heartbeat(B, run(B, 1), 3_000));
    assertEquals(List.of(), heartbeat(B, run(B, 1), 9_000));
    assertTrue(known.get(A).lost());
  }

  @Test
  void severalLostGatewaysAreSweptInGatewayIdOrder() {
    heartbeat(C, run(C, 1), 1_000);
    heartbeat(A, run(A, 1), 1_000);
    assertEquals(List.of(new Sweep(A, null), new Sweep(C, null)), heartbeat(B, run(B, 1), 5_000));
  }

  @Test
  void aGatewayIsNeverSweptByItsOwnHeartbeatHoweverLateItIs() {
    heartbeat(A, run(A, 1), 1_000);
    assertEquals(List.of(), heartbeat(A, run(A, 1), 60_000));
    assertEquals(new Status(run(A, 1), 60_000, false), known.get(A));
  }

  @Test
  void anActionFromALostInstanceRevivesItUntilItIsSilentForTheTimeoutAgain() {
    heartbeat(A, run(A, 1), 1_000);
    heartbeat(B, run(B, 1), 2_001);
    assertTrue(known.get(A).lost());

    ActionVerdict verdict = action(A, run(A, 1), 2_500);

    assertFalse(verdict.stale());
    assertEquals(Optional.of(new Status(run(A, 1), 2_500, false)), verdict.changed());
    assertEquals(List.of(), heartbeat(B, run(B, 1), 2_500 + TIMEOUT));
    assertEquals(
        List.of(new Sweep(A, null)),
        heartbeat(B, run(B, 1), 2_500 + TIMEOUT + 1),
        "dead after all: what it added is swept again");
  }

  @Test
  void aHeartbeatFromALostInstanceRevivesItToo() {
    heartbeat(A, run(A, 1), 1_000);
    heartbeat(B, run(B, 1), 2_001);
    assertEquals(List.of(), heartbeat(A, run(A, 1), 2_100));
    assertEquals(new Status(run(A, 1), 2_100, false), known.get(A));
  }

  @Test
  void anActionFromAnInstanceOtherThanTheKnownOneIsStaleAndChangesNothing() {
    heartbeat(A, run(A, 1), 1_000);
    heartbeat(A, run(A, 2), 1_100);

    ActionVerdict verdict = action(A, run(A, 1), 1_150);

    assertTrue(verdict.stale());
    assertEquals(Optional.empty(), verdict.changed());
    assertEquals(new Status(run(A, 2), 1_100, false), known.get(A));
  }

  @Test
  void anActionFromALiveKnownInstanceChangesNothing() {
    heartbeat(A, run(A, 1), 1_000);
    assertEquals(new ActionVerdict(false, Optional.empty()), action(A, run(A, 1), 1_500));
    assertEquals(
        new ActionVerdict(false, Optional.empty()),
        action(A, null, 1_600),
        "a record written before instances were is not stale");
  }

  @Test
  void anActionFromAnUnknownGatewayRecordsIt() {
    ActionVerdict verdict = action(A, run(A, 1), 1_000);
    assertFalse(verdict.stale());
    assertEquals(new Status(run(A, 1), 1_000, false), known.get(A));
    assertEquals(List.of(), heartbeat(B, run(B, 1), 2_000));
    assertEquals(List.of(new Sweep(A, null)), heartbeat(B, run(B, 1), 2_001));
  }

  @Test
  void theTimeoutMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> new GatewayLiveness(0));
  }

  /** Instance ids as gateways write them: the run's start time, a dash, a random part. */
  private static String startedAt(long millis) {
    return millis + "-xYz_" + millis;
  }

  @Test
  void aLateHeartbeatFromAnOlderRunIsIgnoredAndDoesNotEvictTheNewerRun() {
    heartbeat(A, startedAt(1_000), 1_000);
    heartbeat(A, startedAt(5_000), 5_000);

    // The old run was only paused; it wakes up and beats once more.
    List<Sweep> sweeps = heartbeat(A, startedAt(1_000), 5_500);

    assertEquals(List.of(), sweeps, "the newer run's members stay");
    assertEquals(new Status(startedAt(5_000), 5_000, false), known.get(A));
    assertTrue(action(A, startedAt(1_000), 5_600).stale(), "the older run's actions stay refused");
    assertFalse(action(A, startedAt(5_000), 5_700).stale());
  }

  @Test
  void anActionFromANewerRunThanThePartitionKnowsReplacesTheOldRun() {
    heartbeat(A, startedAt(1_000), 1_000);

    ActionVerdict verdict = action(A, startedAt(5_000), 5_100);

    assertFalse(verdict.stale());
    assertTrue(verdict.newerRun(), "the stage sweeps the older run's members first");
    assertEquals(new Status(startedAt(5_000), 5_100, false), known.get(A));
  }

  @Test
  void runsAreOrderedByTheStartTimeTheirIdsBeginWith() {
    assertTrue(GatewayLiveness.startedBefore(startedAt(999), startedAt(1_000)));
    assertFalse(GatewayLiveness.startedBefore(startedAt(1_000), startedAt(999)));
    assertFalse(GatewayLiveness.startedBefore(startedAt(1_000), startedAt(1_000)));
    assertFalse(GatewayLiveness.startedBefore("no-time", startedAt(1_000)), "unordered");
    assertFalse(GatewayLiveness.startedBefore(null, startedAt(1_000)), "unordered");
  }
}
