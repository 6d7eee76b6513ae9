package dev.roomlog.gateway.wal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.GatewayMetrics;
import dev.roomlog.gateway.GatewaySettings;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.action.RequestContext.EventType;
import dev.roomlog.protocol.action.RequestContext.Identity;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The writer thread and queue against Kafka's MockProducer; real-broker tests are in server/. */
class KafkaWalAppenderTest {
  private static final TopicSet TOPICS = TopicSet.prefixed("wal-test");
  private static final String TOPIC = TOPICS.actions().name();
  private static final Duration LOG_WRITE_TIMEOUT = Duration.ofSeconds(4);

  private final MockProducer<String, WalRecord> producer = mockProducer(false);
  private final AtomicLong nanos = new AtomicLong();
  private KafkaWalAppender appender;

  /** How one record ended, counted so that a second settlement would show. */
  static class Outcome implements WalAppender.Callback {
    final AtomicInteger acknowledged = new AtomicInteger();
    final List<Exception> failures = new CopyOnWriteArrayList<>();

    @Override
    public void onAcknowledged() {
      acknowledged.incrementAndGet();
    }

    @Override
    public void onFailure(Exception cause) {
      failures.add(cause);
    }

    int settlements() {
      return acknowledged.get() + failures.size();
    }
  }

  private static MockProducer<String, WalRecord> mockProducer(boolean autoComplete) {
    return mockProducer(autoComplete, 1);
  }

  /** A producer whose cluster has the WAL topic with {@code partitions} partitions. */
  private static MockProducer<String, WalRecord> mockProducer(
      boolean autoComplete, int partitions) {
    return new MockProducer<>(
        cluster(partitions),
        autoComplete,
        null,
        TOPICS.actions().keySerde().serializer(),
        TOPICS.actions().valueSerde().serializer());
  }

  /** A cluster with the WAL topic in {@code partitions} partitions, for partitionsFor. */
  private static Cluster cluster(int partitions) {
    Node node = new Node(0, "localhost", 9092);
    List<PartitionInfo> infos = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      infos.add(new PartitionInfo(TOPIC, p, node, new Node[] {node}, new Node[] {node}));
    }
    return new Cluster("test", List.of(node), infos, Set.of(), Set.of());
  }

  private KafkaWalAppender appender(MockProducer<String, WalRecord> p) {
    return appender(p, nanos::get);
  }

  private KafkaWalAppender appender(MockProducer<String, WalRecord> p, LongSupplier nanoTime) {
    appender = new KafkaWalAppender(p, TOPIC, LOG_WRITE_TIMEOUT, nanoTime);
    return appender;
  }

  private static WalRecord action(String connectionId, String roomId) {
    return new WalRecord(
        new Action.LeaveRoom(null, roomId, null),
        context("leaveRoom", EventType.MESSAGE, connectionId, roomId));
  }

  private static WalRecord disconnect(String connectionId) {
    return new WalRecord(
        new Action.Disconnect(), context("$disconnect", EventType.DISCONNECT, connectionId, "d"));
  }

  private static RequestContext context(
      String routeKey, EventType type, String connectionId, String suffix) {
    return new RequestContext(
        routeKey,
        type,
        connectionId,
        1L,
        2L,
        "req-" + suffix,
        new Identity("198.51.100.1"),
        "gw-1",
        "run-1");
  }

  private static String roomOf(ProducerRecord<String, WalRecord> r) {
    return r.value().action() instanceof Action.LeaveRoom leave ? leave.roomId() : null;
  }

  @AfterEach
  void close() {
    if (appender != null) {
      appender.close();
    }
  }

  @Test
  void writesAcceptedRoomActionsKeyedByTheirRoomInOrder() {
    appender(producer).start();

    assertTrue(appender.append(action("c1", "a"), new Outcome()));
    assertTrue(appender.append(action("c1", "b"), new Outcome()));
    assertTrue(appender.append(action("c2", "c"), new Outcome()));

    await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 3);
    List<ProducerRecord<String, WalRecord>> sent = producer.history();
    assertEquals(List.of("a", "b", "c"), sent.stream().map(ProducerRecord::key).toList());
    assertEquals(List.of("a", "b", "c"), sent.stream().map(KafkaWalAppenderTest::roomOf).toList());
    assertTrue(sent.stream().allMatch(r -> r.topic().equals(TOPIC)));
  }

  @Test
  void writesADisconnectOnceToEveryPartitionAfterTheConnectionsActionsAndSettlesItOnce() {
    MockProducer<String, WalRecord> three = mockProducer(false, 3);
    appender(three).start();
    Outcome action = new Outcome();
    Outcome disconnect = new Outcome();

    assertTrue(appender.append(action("c1", "a"), action));
    assertTrue(appender.append(disconnect("c1"), disconnect));

    await().atMost(Duration.ofSeconds(5)).until(() -> three.history().size() == 4);
    List<ProducerRecord<String, WalRecord>> sent = three.history();
    assertEquals("a", sent.get(0).key());
    assertEquals(
        List.of(0, 1, 2), sent.subList(1, 4).stream().map(ProducerRecord::partition).toList());
    assertTrue(sent.subList(1, 4).stream().allMatch(r -> r.key().equals("c1")));
    assertTrue(three.completeNext());
    assertTrue(three.completeNext());
    assertTrue(three.completeNext());
    assertEquals(0, disconnect.settlements(), "settled only when every partition has it");
    assertTrue(three.completeNext());
    await().atMost(Duration.ofSeconds(5)).until(() -> disconnect.acknowledged.get() == 1);
    assertEquals(List.of(), disconnect.failures);
  }

  @Test
  void timesEachRecordFromAppendToKafkasAnswerByKindAndResult() {
    MockProducer<String, WalRecord> producer = mockProducer(false);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    appender =
        new KafkaWalAppender(
            producer,
            TOPIC,
            LOG_WRITE_TIMEOUT,
            KafkaWalAppender.DEFAULT_MAX_PENDING_LIFECYCLE_RECORDS,
            nanos::get,
            new GatewayMetrics(meters));
    appender.start();
    Outcome acked = new Outcome();
    Outcome failed = new Outcome();

    assertTrue(appender.append(action("c1", "a"), acked));
    assertTrue(appender.append(disconnect("c1"), failed));
    await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 2);
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(7));
    assertTrue(producer.completeNext());
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(5));
    assertTrue(producer.errorNext(new NotEnoughReplicasException("down")));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> acked.settlements() + failed.settlements() == 2);

    Timer ackedTimer =
        meters
            .get("roomlog.gateway.wal.append")
            .tags("kind", "message", "result", "acknowledged")
            .timer();
    assertEquals(1, ackedTimer.count());
    assertEquals(7.0, ackedTimer.totalTime(TimeUnit.MILLISECONDS), 0.001);
    Timer failedTimer =
        meters
            .get("roomlog.gateway.wal.append")
            .tags("kind", "disconnect", "result", "failed")
            .timer();
    assertEquals(1, failedTimer.count());
    assertEquals(12.0, failedTimer.totalTime(TimeUnit.MILLISECONDS), 0.001);
  }

  @Test
  void aDisconnectFailsOnceWhenOneOfItsCopiesFails() {
    MockProducer<String, WalRecord> two = mockProducer(false, 2);
    appender(two).start();
    Outcome disconnect = new Outcome();

    assertTrue(appender.append(disconnect("c1"), disconnect));

    await().atMost(Duration.ofSeconds(5)).until(() -> two.history().size() == 2);
    assertTrue(two.errorNext(new NotEnoughReplicasException("down")));
    assertTrue(two.errorNext(new NotEnoughReplicasException("still down")));
    await().atMost(Duration.ofSeconds(5)).until(() -> disconnect.failures.size() == 1);
    assertEquals(0, disconnect.acknowledged.get());
    assertEquals(1, disconnect.settlements());
  }

  @Test
  void reportsKafkasAcknowledgementOnceAndNoFailure() {
    appender(producer).start();
    Outcome outcome = new Outcome();
    appender.append(action("c1", "a"), outcome);
    await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 1);
    assertEquals(0, outcome.settlements(), "not settled before Kafka answers");

    assertTrue(producer.completeNext());

    assertEquals(1, outcome.acknowledged.get());
    assertEquals(List.of(), outcome.failures);
  }

  @Test
  void reportsAFailedSendOnceAndNoAcknowledgement() {
    appender(producer).start();
    Outcome outcome = new Outcome();
    appender.append(action("c1", "a"), outcome);
    await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 1);

    producer.errorNext(new NotEnoughReplicasException("for the test"));

    assertEquals(1, outcome.failures.size());
    assertInstanceOf(NotEnoughReplicasException.class, outcome.failures.get(0));
    assertEquals(0, outcome.acknowledged.get());
  }

  @Test
  void neverRefusesARecordForLackOfRoomSoADisconnectIsNeverDropped() {
    appender(producer);
    // Not started: nothing drains the queue. The bound on actions is the InFlightLimiter's.

    for (int i = 0; i < 10_000; i++) {
      assertTrue(appender.append(action("c" + i, "r"), new Outcome()));
    }
    Outcome disconnect = new Outcome();
    assertTrue(appender.append(disconnect("c1"), disconnect));

    assertEquals(10_001, appender.pending());
  }

  @Test
  void refusesRecordsAfterCloseWithoutCallingBack() {
    appender(producer).start();
    appender.close();
    Outcome outcome = new Outcome();

    assertFalse(appender.append(action("c1", "a"), outcome));

    assertEquals(0, outcome.settlements());
    assertTrue(producer.closed());
  }

  @Test
  void closeWritesWhatWasQueuedBeforeIt() {
    MockProducer<String, WalRecord> autoComplete = mockProducer(true);
    appender(autoComplete).start();
    List<Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      Outcome outcome = new Outcome();
      outcomes.add(outcome);
      assertTrue(appender.append(action("c" + (i % 7), "r" + i), outcome));
    }

    appender.close();

    assertEquals(200, autoComplete.history().size());
    assertTrue(outcomes.stream().allMatch(o -> o.acknowledged.get() == 1 && o.failures.isEmpty()));
  }

  @Test
  void closeFailsWhatItCouldNotWrite() {
    appender(producer);
    Outcome outcome = new Outcome();
    appender.append(disconnect("c1"), outcome);

    appender.close();

    assertEquals(1, outcome.failures.size());
    assertEquals(0, outcome.acknowledged.get());
  }

  @Test
  void everyRecordAcceptedWhileCloseRunsIsWrittenOrFailedExactlyOnce() throws Exception {
    for (int round = 0; round < 10; round++) {
      MockProducer<String, WalRecord> autoComplete = mockProducer(true);
      KafkaWalAppender wal = appender(autoComplete, System::nanoTime);
      wal.start();
      List<Outcome> accepted = new CopyOnWriteArrayList<>();
      AtomicInteger offered = new AtomicInteger();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        String connectionId = "c" + t;
        Thread thread =
            new Thread(
                () -> {
                  while (true) {
                    Outcome outcome = new Outcome();
                    offered.incrementAndGet();
                    if (!wal.append(disconnect(connectionId), outcome)) {
                      return;
                    }
                    accepted.add(outcome);
                  }
                });
        threads.add(thread);
        thread.start();
      }
      // Close while the appenders are busy, not after a long queue has built up.
      await()
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(1))
          .atMost(Duration.ofSeconds(5))
          .until(() -> offered.get() > 200);

      wal.close();

      for (Thread thread : threads) {
        thread.join(5_000);
        assertFalse(thread.isAlive(), "every appender thread is refused after close");
      }
      await()
          .pollDelay(Duration.ZERO)
          .atMost(Duration.ofSeconds(5))
          .until(() -> accepted.stream().allMatch(o -> o.settlements() >= 1));
      long acknowledged = accepted.stream().filter(o -> o.acknowledged.get() == 1).count();
      assertEquals(autoComplete.history().size(), acknowledged, "acknowledged = written");
      assertTrue(accepted.stream().allMatch(o -> o.settlements() == 1), "never settled twice");
    }
  }

  @Test
  void closeWaitsForAnAppendThatHasPassedItsClosedCheck() throws Exception {
    MockProducer<String, WalRecord> autoComplete = mockProducer(true);
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch goOn = new CountDownLatch(1);
    // append reads the time after its closed check and before it enqueues: hold it there.
    appender(
            autoComplete,
            () -> {
              if (Thread.currentThread().getName().equals("appending")) {
                inside.countDown();
                try {
                  goOn.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              return nanos.get();
            })
        .start();
    Outcome outcome = new Outcome();
    AtomicBoolean accepted = new AtomicBoolean();
    Thread appending =
        new Thread(() -> accepted.set(appender.append(disconnect("c1"), outcome)), "appending");
    appending.start();
    assertTrue(inside.await(5, TimeUnit.SECONDS));

    Thread closer = new Thread(appender::close, "closer");
    closer.start();
    // Either close waits for the append (right), or it runs to its end and strands the record.
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> closer.getState() == Thread.State.WAITING || !closer.isAlive());
    goOn.countDown();
    appending.join(5_000);
    closer.join(15_000);

    assertTrue(accepted.get());
    assertEquals(1, outcome.settlements(), "written or failed, never dropped");
    assertEquals(1, outcome.acknowledged.get(), "close wrote it");
  }

  @Test
  void actionThatWaitedPastItsQueueBudgetIsFailedUnsentButADisconnectIsStillSent() {
    MockProducer<String, WalRecord> autoComplete = mockProducer(true);
    appender(autoComplete);
    long queueBudget = KafkaWalAppender.WriteBudget.of(LOG_WRITE_TIMEOUT).queue().toNanos();
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
  void writerGoesOnAfterASendThatThrows() {
    Serializer<WalRecord> values = TOPICS.actions().valueSerde().serializer();
    MockProducer<String, WalRecord> picky =
        new MockProducer<>(
            true,
            null,
            TOPICS.actions().keySerde().serializer(),
            (topic, record) -> {
              if ("bad".equals(((Action.LeaveRoom) record.action()).roomId())) {
                throw new IllegalArgumentException("cannot serialize, for the test");
              }
              return values.serialize(topic, record);
            });
    appender(picky).start();
    Outcome bad = new Outcome();
    Outcome good = new Outcome();

    appender.append(action("c1", "bad"), bad);
    appender.append(action("c1", "good"), good);

    await().atMost(Duration.ofSeconds(5)).until(() -> good.settlements() == 1);
    assertEquals(1, bad.failures.size());
    assertEquals(1, good.acknowledged.get());
  }

  @Test
  void writerSurvivesAnUnexpectedErrorAndFailsOnlyThatRecord() {
    MockProducer<String, WalRecord> autoComplete = mockProducer(true);
    AtomicBoolean thrown = new AtomicBoolean();
    // The writer reads the time outside the send's own error handling: a stand-in for a bug.
    appender(
            autoComplete,
            () -> {
              if (Thread.currentThread().getName().equals("roomlog-wal-writer")
                  && thrown.compareAndSet(false, true)) {
                throw new IllegalStateException("unexpected, for the test");
              }
              return nanos.get();
            })
        .start();
    Outcome first = new Outcome();
    Outcome second = new Outcome();

    appender.append(action("c1", "a"), first);
    appender.append(action("c1", "b"), second);

    await().atMost(Duration.ofSeconds(5)).until(() -> second.settlements() == 1);
    assertEquals(1, first.failures.size());
    assertEquals(1, second.acknowledged.get());
  }

  @Test
  void aThrowingCallbackDoesNotStopTheWriter() {
    MockProducer<String, WalRecord> autoComplete = mockProducer(true);
    appender(autoComplete).start();
    Outcome after = new Outcome();

    appender.append(
        action("c1", "a"),
        new Outcome() {
          @Override
          public void onAcknowledged() {
            throw new IllegalStateException("a buggy callback, for the test");
          }
        });
    appender.append(action("c1", "b"), after);

    await().atMost(Duration.ofSeconds(5)).until(() -> after.acknowledged.get() == 1);
  }

  @Test
  void producerTimeoutsAreDerivedFromTheLogWriteTimeoutAndAddUpToIt() {
    Map<String, Object> config =
        KafkaWalAppender.producerConfig("localhost:9092", Duration.ofSeconds(15), Map.of());

    assertEquals(7_500, config.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG));
    assertEquals(7_495, config.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG));
    assertEquals(3_750L, config.get(ProducerConfig.MAX_BLOCK_MS_CONFIG));
    assertEquals(KafkaWalAppender.LINGER_MS, config.get(ProducerConfig.LINGER_MS_CONFIG));
    KafkaWalAppender.WriteBudget budget = KafkaWalAppender.WriteBudget.of(Duration.ofSeconds(15));
    assertEquals(
        Duration.ofSeconds(15), budget.queue().plus(budget.maxBlock()).plus(budget.delivery()));
  }

  @Test
  void kafkaAcceptsTheDerivedTimeoutsDownToTheSmallestLogWriteTimeout() {
    for (Duration timeout :
        List.of(Duration.ofSeconds(1), Duration.ofSeconds(15), Duration.ofHours(1))) {
      Map<String, Object> config =
          KafkaWalAppender.producerConfig("localhost:9", timeout, Map.of());
      // The constructor checks delivery.timeout.ms >= linger.ms + request.timeout.ms; it does
      // not connect.
      new KafkaProducer<>(
              config,
              TOPICS.actions().keySerde().serializer(),
              TOPICS.actions().valueSerde().serializer())
          .close(Duration.ZERO);
    }
  }

  @Test
  void logWriteTimeoutUnderOneSecondIsRefusedWithTheSettingsName() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new KafkaWalAppender(producer, TOPIC, Duration.ofMillis(999), nanos::get));

    assertTrue(e.getMessage().contains(GatewaySettings.LOG_WRITE_TIMEOUT), e.getMessage());
  }

  /**
   * A producer whose send of a lifecycle record blocks until {@code unblock} opens, as a send does
   * for max.block.ms when the producer's buffer is full.
   */
  private static MockProducer<String, WalRecord> blockingOnLifecycle(CountDownLatch unblock) {
    return new MockProducer<>(
        cluster(1),
        true,
        null,
        TOPICS.actions().keySerde().serializer(),
        TOPICS.actions().valueSerde().serializer()) {
      @Override
      public Future<RecordMetadata> send(ProducerRecord<String, WalRecord> record, Callback cb) {
        if (record.value().requestContext().eventType() != EventType.MESSAGE) {
          try {
            unblock.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return super.send(record, cb);
      }
    };
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
    long overdueAfter = KafkaWalAppender.WriteBudget.of(LOG_WRITE_TIMEOUT).overdueAfter().toNanos();
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
  void theDeadlineLeavesTheSweepIntervalToSpareWithinTheLogWriteTimeout() {
    KafkaWalAppender.WriteBudget budget = KafkaWalAppender.WriteBudget.of(Duration.ofSeconds(15));

    assertEquals(Duration.ofMillis(1_500), budget.sweep());
    assertEquals(Duration.ofMillis(13_500), budget.overdueAfter());
  }

  @Test
  void newConnectionsAreRefusedWhileTheLifecycleRecordsAtTheBoundAreUnsettled() {
    appender = new KafkaWalAppender(producer, TOPIC, LOG_WRITE_TIMEOUT, 3, nanos::get);
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
    appender = new KafkaWalAppender(producer, TOPIC, LOG_WRITE_TIMEOUT, 1, nanos::get);
    appender.append(disconnect("c1"), new Outcome());
    assertFalse(appender.acceptingConnections());

    assertTrue(appender.append(disconnect("c2"), new Outcome()));
    assertEquals(2, appender.pendingLifecycleRecords());
  }

  @Test
  void theLifecycleBoundOfAGatewayIsTwiceItsMaxConnections() {
    assertEquals(100_000, KafkaWalAppender.DEFAULT_MAX_PENDING_LIFECYCLE_RECORDS);
    assertEquals(Integer.MAX_VALUE, KafkaWalAppender.lifecycleBound(Integer.MAX_VALUE));
  }
}
