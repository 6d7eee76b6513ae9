package dev.roomlog.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.protocol.TopicSet;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.action.RequestContext.EventType;
import dev.roomlog.protocol.action.RequestContext.Identity;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The writer thread and queue against Kafka's MockProducer; real-broker tests are in server/. */
class KafkaWalAppenderTest {
  private static final TopicSet TOPICS = TopicSet.prefixed("wal-test");
  private static final String TOPIC = TOPICS.actions().name();

  private final MockProducer<String, WalRecord> producer =
      new MockProducer<>(
          false,
          null,
          TOPICS.actions().keySerde().serializer(),
          TOPICS.actions().valueSerde().serializer());
  private final List<Exception> failures = new CopyOnWriteArrayList<>();
  private KafkaWalAppender appender;

  private static WalRecord record(String connectionId, String roomId) {
    return new WalRecord(
        new Action.LeaveRoom(null, roomId),
        new RequestContext(
            "leaveRoom",
            EventType.MESSAGE,
            connectionId,
            1L,
            2L,
            "req-" + roomId,
            new Identity("198.51.100.1"),
            "gw-1"));
  }

  @AfterEach
  void close() {
    if (appender != null) {
      appender.close();
    }
  }

  @Test
  void writesAcceptedRecordsKeyedByConnectionIdInOrder() {
    appender = new KafkaWalAppender(producer, TOPIC, 100);
    appender.start();

    assertTrue(appender.append(record("c1", "a"), failures::add));
    assertTrue(appender.append(record("c1", "b"), failures::add));
    assertTrue(appender.append(record("c2", "c"), failures::add));

    await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 3);
    List<ProducerRecord<String, WalRecord>> sent = producer.history();
    assertEquals(List.of("c1", "c1", "c2"), sent.stream().map(ProducerRecord::key).toList());
    assertEquals(
        List.of("a", "b", "c"),
        sent.stream().map(r -> ((Action.LeaveRoom) r.value().action()).roomId()).toList());
    assertTrue(sent.stream().allMatch(r -> r.topic().equals(TOPIC)));
  }

  @Test
  void refusesAtOnceWhenTheQueueIsFull() {
    appender = new KafkaWalAppender(producer, TOPIC, 2);
    // Not started: nothing drains the queue.

    assertTrue(appender.append(record("c1", "a"), failures::add));
    assertTrue(appender.append(record("c1", "b"), failures::add));
    assertFalse(appender.append(record("c1", "c"), failures::add));

    assertEquals(2, appender.pending());
  }

  @Test
  void reportsAFailedSendToTheRecordsCallback() {
    appender = new KafkaWalAppender(producer, TOPIC, 10);
    appender.start();
    appender.append(record("c1", "a"), failures::add);
    await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 1);

    producer.errorNext(new NotEnoughReplicasException("for the test"));

    assertEquals(1, failures.size());
    assertTrue(failures.get(0) instanceof NotEnoughReplicasException);
  }

  @Test
  void refusesRecordsAfterClose() {
    appender = new KafkaWalAppender(producer, TOPIC, 10);
    appender.start();
    appender.close();

    assertFalse(appender.append(record("c1", "a"), failures::add));
    assertTrue(producer.closed());
  }

  @Test
  void closeWritesWhatWasQueuedBeforeIt() {
    MockProducer<String, WalRecord> autoComplete =
        new MockProducer<>(
            true,
            null,
            TOPICS.actions().keySerde().serializer(),
            TOPICS.actions().valueSerde().serializer());
    appender = new KafkaWalAppender(autoComplete, TOPIC, 1000);
    appender.start();
    for (int i = 0; i < 200; i++) {
      assertTrue(appender.append(record("c" + (i % 7), "r" + i), failures::add));
    }

    appender.close();

    assertEquals(200, autoComplete.history().size());
    assertEquals(List.of(), failures);
  }
}
