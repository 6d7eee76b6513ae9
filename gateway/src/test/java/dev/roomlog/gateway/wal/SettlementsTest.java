package dev.roomlog.gateway.wal;

import static dev.roomlog.gateway.wal.WalFixtures.action;
import static dev.roomlog.gateway.wal.WalFixtures.disconnect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.gateway.wal.WalFixtures.Outcome;
import dev.roomlog.protocol.action.RequestContext.EventType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Exactly-once settlement, the counts and the deadline choice, with time moved by hand. */
class SettlementsTest {
  private final AtomicLong nanos = new AtomicLong();
  private final List<String> timed = new ArrayList<>();
  private final Settlements settlements =
      new Settlements(
          2,
          nanos::get,
          (kind, acknowledged, waited) -> timed.add(kind + "/" + acknowledged + "/" + waited));

  @Test
  void aRecordIsSettledOnceWhoeverComesFirstAndTimedOnce() {
    Outcome outcome = new Outcome();
    PendingRecord pending = settlements.accept(action("c1", "a"), outcome);
    nanos.addAndGet(7);

    pending.acknowledged();
    pending.failed(new IllegalStateException("too late, for the test"));
    pending.acknowledged();

    assertEquals(1, outcome.acknowledged.get());
    assertEquals(List.of(), outcome.failures);
    assertEquals(List.of("MESSAGE/true/7"), timed);
  }

  @Test
  void newConnectionsAreRefusedAtTheBoundOfUnsettledLifecycleRecordsOnly() {
    for (int i = 0; i < 5; i++) {
      settlements.accept(action("c" + i, "r"), new Outcome());
    }
    PendingRecord first = settlements.accept(disconnect("c1"), new Outcome());
    assertTrue(settlements.acceptingConnections(), "1 of 2; client actions do not count");

    settlements.accept(disconnect("c2"), new Outcome());
    assertFalse(settlements.acceptingConnections(), "2 of 2");
    assertEquals(2, settlements.pendingLifecycleRecords());

    first.failed(new IllegalStateException("for the test"));
    assertTrue(settlements.acceptingConnections(), "a failed one is settled too");
    assertEquals(1, settlements.pendingLifecycleRecords());
  }

  @Test
  void overdueActionsAreThoseAtOrPastTheAgeAndNeverLifecycleRecords() {
    PendingRecord old = settlements.accept(action("c1", "old"), new Outcome());
    settlements.accept(disconnect("c1"), new Outcome());
    nanos.addAndGet(10);
    settlements.accept(action("c2", "young"), new Outcome());
    nanos.addAndGet(5);
    List<PendingRecord> overdue = new ArrayList<>();
    List<Long> waited = new ArrayList<>();

    settlements.forEachOverdueAction(
        15,
        (pending, nanosWaited) -> {
          overdue.add(pending);
          waited.add(nanosWaited);
        });

    assertEquals(1, overdue.size());
    assertSame(old, overdue.get(0));
    assertEquals(List.of(15L), waited);
  }

  @Test
  void aSettledActionIsNoLongerOverdue() {
    PendingRecord pending = settlements.accept(action("c1", "a"), new Outcome());
    nanos.addAndGet(100);
    pending.failed(new IllegalStateException("for the test"));
    List<PendingRecord> overdue = new ArrayList<>();

    settlements.forEachOverdueAction(1, (p, w) -> overdue.add(p));

    assertEquals(List.of(), overdue);
  }

  @Test
  void theLifecycleBoundOfAGatewayIsTwiceItsMaxConnections() {
    assertEquals(100_000, Settlements.lifecycleBound(GatewaySettings.DEFAULT_MAX_CONNECTIONS));
    assertEquals(Integer.MAX_VALUE, Settlements.lifecycleBound(Integer.MAX_VALUE));
  }

  @Test
  void aLifecycleBoundUnderOneIsRefused() {
    assertThrows(
        IllegalArgumentException.class, () -> new Settlements(0, nanos::get, (k, a, n) -> {}));
  }

  @Test
  void theKindTimedIsTheRecordsEventType() {
    settlements.accept(disconnect("c1"), new Outcome()).failed(new IllegalStateException("test"));

    assertEquals(List.of(EventType.DISCONNECT + "/false/0"), timed);
  }
}
