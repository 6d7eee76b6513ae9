package dev.roomlog.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.processor.Fixtures.Client;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The processor's own meters, counted by the real topology in {@code TopologyTestDriver}. */
class ProcessorMetricsTest {
  private static final TopicSet TOPICS = TopicSet.prefixed("metrics-test");
  private static final Client ALICE = Client.on("gw-a", "c1");
  private static final Client BOB = Client.on("gw-b", "c2");

  @TempDir Path stateDir;

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private TopologyTestDriver driver;
  private TestInputTopic<String, WalRecord> actions;

  @BeforeEach
  void start() {
    ProcessorSettings settings =
        ProcessorSettings.defaults("unused:9092", stateDir).withTopics(TOPICS);
    driver =
        new TopologyTestDriver(
            RoomTopology.buildTopology(settings, new ProcessorMetrics(meters)),
            RoomTopology.streamsConfig(settings));
    actions =
        driver.createInputTopic(
            TOPICS.actions().name(),
            TOPICS.actions().keySerde().serializer(),
            TOPICS.actions().valueSerde().serializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private void send(WalRecord record) {
    actions.pipeInput(record.key(), record, record.requestContext().requestTimeEpoch());
  }

  private double count(String name, String... tags) {
    Counter counter = meters.find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void countsRoomActionsByTypeAndOutcome() {
    send(ALICE.wal(100, new Action.CreateRoom("a1", "alice", "lobby", "m-create")));
    send(BOB.wal(110, new Action.JoinRoom("b1", "lobby", "bob", null, null)));
    send(BOB.wal(120, new Action.SendMessage("b2", "lobby", "hi", "m1")));
    send(BOB.wal(130, new Action.SendMessage("b3", "lobby", "hi", "m1")));
    send(BOB.wal(140, new Action.SendMessage("b4", "nowhere", "hi", null)));
    send(ALICE.wal(150, new Action.Resume("a2", "lobby", 1)));

    assertEquals(1, count("roomlog.processor.actions", "type", "createRoom", "outcome", "applied"));
    assertEquals(1, count("roomlog.processor.actions", "type", "joinRoom", "outcome", "applied"));
    assertEquals(
        1, count("roomlog.processor.actions", "type", "sendMessage", "outcome", "applied"));
    assertEquals(
        1, count("roomlog.processor.actions", "type", "sendMessage", "outcome", "duplicate"));
    assertEquals(
        1, count("roomlog.processor.actions", "type", "sendMessage", "outcome", "roomNotFound"));
    assertEquals(1, count("roomlog.processor.actions", "type", "resume", "outcome", "answered"));
  }

  @Test
  void timesHowLongEachActionWaitedInTheLog() {
    long appended = System.currentTimeMillis() - 5_000;
    WalRecord create = ALICE.wal(appended, new Action.CreateRoom("a1", "alice", "lobby", null));
    actions.pipeInput(create.key(), create, appended);
    WalRecord join = BOB.wal(appended, new Action.JoinRoom("b1", "lobby", "bob", null, null));
    actions.pipeInput(join.key(), join, System.currentTimeMillis());

    Timer wait = meters.find("roomlog.processor.log.wait").timer();
    assertEquals(2, wait.count(), "one for each action taken");
    double longest = wait.max(TimeUnit.MILLISECONDS);
    assertTrue(longest >= 5_000, "the action appended 5 s ago waited " + longest + " ms");
    assertTrue(
        wait.totalTime(TimeUnit.MILLISECONDS) < longest + 5_000, "the fresh one waited little");
  }

  @Test
  void countsMembersRemovedByADisconnect() {
    send(ALICE.wal(100, new Action.CreateRoom("a1", "alice", "lobby", null)));
    send(BOB.wal(110, new Action.JoinRoom("b1", "lobby", "bob", null, null)));

    send(BOB.disconnect(120));

    assertEquals(1, count("roomlog.processor.members.removed", "reason", "disconnected"));
  }
}
