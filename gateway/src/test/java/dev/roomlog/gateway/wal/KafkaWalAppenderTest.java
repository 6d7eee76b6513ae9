package dev.roomlog.gateway.wal;

import static dev.roomlog.gateway.wal.WalFixtures.TOPIC;
import static dev.roomlog.gateway.wal.WalFixtures.TOPICS;
import static dev.roomlog.gateway.wal.WalFixtures.action;
import static dev.roomlog.gateway.wal.WalFixtures.disconnect;
import static dev.roomlog.gateway.wal.WalFixtures.mockProducer;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.metrics.GatewayMetrics;
import dev.roomlog.gateway.wal.WalFixtures.Outcome;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** The writer thread and queue against MockProducer; real-broker tests are in server/. */
class KafkaWalAppenderTest {
  private final MockProducer<String, WalRecord> producer = mockProducer(false);
  private final AtomicLong nanos = new AtomicLong();

  /** The test's appender, closed after it (close is idempotent, so a test may close it too). */
  @AutoClose private KafkaWalAppender appender;

  private KafkaWalAppender appender(MockProducer<String, WalRecord> p) {
    return appender(p, nanos::get);
  }

  private KafkaWalAppender appender(MockProducer<String, WalRecord> p, LongSupplier nanoTime) {
    appender = WalFixtures.appender(p, nanoTime);
    return appender;
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
    assertEquals(List.of("a", "b", "c"), sent.stream().map(WalFixtures::roomOf).toList());
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
        WalFixtures.appender(
            producer, nanos::get, WalFixtures.DEFAULT_LIFECYCLE_BOUND, new GatewayMetrics(meters));
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
}
