package dev.roomlog.gateway.wal;

import static dev.roomlog.gateway.wal.WalFixtures.LOG_WRITE_TIMEOUT;
import static dev.roomlog.gateway.wal.WalFixtures.action;
import static dev.roomlog.gateway.wal.WalFixtures.blockingOnLifecycle;
import static dev.roomlog.gateway.wal.WalFixtures.disconnect;
import static dev.roomlog.gateway.wal.WalFixtures.gatedOnLifecycle;
import static dev.roomlog.gateway.wal.WalFixtures.mockProducer;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.metrics.GatewayMetrics;
import dev.roomlog.gateway.wal.WalFixtures.Outcome;
import dev.roomlog.protocol.WalRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * What the appender bounds, against Kafka's MockProducer: how long a client action waits for its
 * answer (the queue budget, the deadline sweep), and how many lifecycle records wait before new
 * connections are refused. The arithmetic of the budget is in {@link WriteBudgetTest}.
 */
class KafkaWalAppenderBoundsTest {
  private final MockProducer<String, WalRecord> producer = mockProducer(false);
  private final AtomicLong nanos = new AtomicLong();

  /** The test's appender, closed after it (close is idempotent, so a test may close it too). */
  @AutoClose private KafkaWalAppender appender;

  private KafkaWalAppender appender(MockProducer<String, WalRecord> p) {
    appender = WalFixtures.appender(p, nanos::get);
    return appender;
  }

  /** An appender on the default producer whose lifecycle bound is {@code bound}. */
  private KafkaWalAppender appenderWithLifecycleBound(int bound) {
    appender =
        WalFixtures.appender(
            producer, nanos::get, bound, new GatewayMetrics(new SimpleMeterRegistry()));
    return appender;
  }

  @Test
  void actionThatWaitedPastItsQueueBudgetIsFailedUnsentButADisconnectIsStillSent() {
    MockProducer<String, WalRecord> autoComplete = mockProducer(true);
    appender(autoComplete);
    long queueBudget = WriteBudget.of(LOG_WRITE_TIMEOUT).queue().toNanos();
    Outcome stale = new Outcome();
    Outcome lifecycle = new Outcome();
    appender.append(action("c1", "stale"), stale);
    appender.append(disconnect("c2"), lifecycle);
    nanos.addAndGet(queueBudget + 1);
    Outcome fresh = new Outcome();
    appender.append(action("c3", "fresh"), fresh);

    appender.start();

    await().atMost(Duration.ofSeconds(5)).until(() -> fresh.settlements() == 1);
    assertEquals(1, stale.failures.size());
    assertInstanceOf(TimeoutException.class, stale.failures.get(0));
    assertEquals(1, lifecycle.acknowledged.get());
    assertEquals(1, fresh.acknowledged.get());
    assertEquals(
        List.of("c2", "fresh"),
        autoComplete.history().stream().map(ProducerRecord::key).toList(),
        "the disconnect (keyed by connection) and the fresh action (keyed by room); not the stale");
  }

  @Test
  void actionQueuedBehindBlockedLifecycleSendsIsFailedByItsDeadlineWithoutTheWriter()
      throws Exception {
    CountDownLatch unblock = new CountDownLatch(1);
    MockProducer<String, WalRecord> blocking = blockingOnLifecycle(unblock);
    appender(blocking).start();
    try {
      for (int i = 0; i < 8; i++) {
        appender.append(disconnect("gone-" + i), new Outcome());
      }
      Outcome action = new Outcome();
      appender.append(action("c1", "behind"), action);

      // The writer is stuck in the first send; only the deadline thread can answer the client.
      nanos.addAndGet(LOG_WRITE_TIMEOUT.toNanos());

      await().atMost(Duration.ofSeconds(10)).until(() -> action.settlements() == 1);
      assertEquals(1, action.failures.size());
      assertInstanceOf(TimeoutException.class, action.failures.get(0));
      assertEquals(0, blocking.history().size(), "the writer never got past the first send");
    } finally {
      unblock.countDown();
    }
  }

  @Test
  void actionIsFailedAtItsDeadlineNotBeforeAndIsThenNeverSent() throws Exception {
    CountDownLatch unblock = new CountDownLatch(1);
    MockProducer<String, WalRecord> blocking = blockingOnLifecycle(unblock);
    appender(blocking).start();
    long overdueAfter = WriteBudget.of(LOG_WRITE_TIMEOUT).overdueAfter().toNanos();
    Outcome lifecycle = new Outcome();
    appender.append(disconnect("c0"), lifecycle);
    Outcome action = new Outcome();
    appender.append(action("c1", "behind"), action);

    nanos.addAndGet(overdueAfter - 1);
    appender.failOverdueActions();
    assertEquals(0, action.settlements(), "not yet due");

    nanos.addAndGet(1);
    appender.failOverdueActions();
    assertEquals(1, action.failures.size());
    appender.failOverdueActions();
    assertEquals(1, action.settlements(), "settled once");

    Outcome after = new Outcome();
    appender.append(action("c2", "after"), after);
    unblock.countDown();
    await().atMost(Duration.ofSeconds(5)).until(() -> after.settlements() == 1);
    assertEquals(
        List.of("c0", "after"),
        blocking.history().stream().map(ProducerRecord::key).toList(),
        "the failed action was skipped, not sent");
    assertEquals(1, lifecycle.acknowledged.get(), "lifecycle records have no deadline");
    assertEquals(1, after.acknowledged.get());
  }

  @Test
  void actionsAreRefusedOnceTheWritersSendHasBeenStuckPastTheQueueBudget() throws Exception {
    Semaphore gate = new Semaphore(0);
    Semaphore entered = new Semaphore(0);
    MockProducer<String, WalRecord> gated = gatedOnLifecycle(gate, entered);
    appender(gated).start();
    long queueBudget = WriteBudget.of(LOG_WRITE_TIMEOUT).queue().toNanos();

    appender.append(disconnect("c0"), new Outcome());
    entered.acquire();
    assertTrue(appender.acceptingActions(), "the send has only begun");
    nanos.addAndGet(queueBudget);
    assertTrue(appender.acceptingActions(), "stuck for exactly the queue budget");
    nanos.addAndGet(1);
    assertFalse(appender.acceptingActions(), "stuck past it: an action would be failed unsent");
    assertTrue(
        appender.append(action("c1", "r"), new Outcome()),
        "advisory: the appender itself still takes what it is given");

    gate.release();
    await().atMost(Duration.ofSeconds(5)).until(() -> gated.history().size() == 2);
    await().atMost(Duration.ofSeconds(5)).until(appender::acceptingActions);
  }

  @Test
  void actionsAreRefusedWhileMoreIsQueuedThanTheWriterCanWriteWithinTheQueueBudget()
      throws Exception {
    Semaphore gate = new Semaphore(0);
    Semaphore entered = new Semaphore(0);
    MockProducer<String, WalRecord> gated = gatedOnLifecycle(gate, entered);
    appender(gated).start();
    long tenth = WriteBudget.of(LOG_WRITE_TIMEOUT).queue().toNanos() / 10;
    // The writer's pace, past its first records: records that each took a tenth of the budget.
    for (int i = 0; i < WriterPace.SKIPPED + 1; i++) {
      appender.append(disconnect("slow-" + i), new Outcome());
      entered.acquire();
      nanos.addAndGet(tenth);
      gate.release();
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> gated.history().size() == WriterPace.SKIPPED + 1);
    // Held in its next send, which has taken no time yet: only the queue counts.
    appender.append(disconnect("held"), new Outcome());
    entered.acquire();

    for (int i = 0; i < 10; i++) {
      assertTrue(appender.acceptingActions(), i + " queued");
      appender.append(action("c" + i, "r"), new Outcome());
    }
    assertTrue(appender.acceptingActions(), "10 queued at a tenth each: the budget exactly");
    appender.append(action("c10", "r"), new Outcome());
    assertFalse(appender.acceptingActions(), "11 queued: past it");

    gate.release();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> gated.history().size() == WriterPace.SKIPPED + 13);
    await().atMost(Duration.ofSeconds(5)).until(appender::acceptingActions);
  }

  @Test
  void newConnectionsAreRefusedWhileTheLifecycleRecordsAtTheBoundAreUnsettled() {
    appenderWithLifecycleBound(3);
    appender.start();
    appender.append(disconnect("c1"), new Outcome());
    appender.append(disconnect("c2"), new Outcome());
    for (int i = 0; i < 10; i++) {
      appender.append(action("c" + i, "r"), new Outcome());
    }
    assertTrue(appender.acceptingConnections(), "2 of 3; client actions do not count");

    appender.append(disconnect("c3"), new Outcome());

    assertFalse(appender.acceptingConnections(), "3 of 3");
    assertEquals(3, appender.pendingLifecycleRecords());
    await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 13);
    assertTrue(producer.completeNext());
    assertTrue(appender.acceptingConnections(), "an acknowledged one makes room");
    assertTrue(producer.errorNext(new NotEnoughReplicasException("for the test")));
    assertEquals(1, appender.pendingLifecycleRecords(), "a failed one is settled too");
  }

  @Test
  void aDisconnectIsStillAcceptedPastTheBound() {
    appenderWithLifecycleBound(1);
    appender.append(disconnect("c1"), new Outcome());
    assertFalse(appender.acceptingConnections());

    assertTrue(appender.append(disconnect("c2"), new Outcome()));
    assertEquals(2, appender.pendingLifecycleRecords());
  }
}
