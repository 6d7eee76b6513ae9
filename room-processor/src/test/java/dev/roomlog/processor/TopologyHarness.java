package dev.roomlog.processor;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.roomlog.protocol.Delivery;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.frame.ServerFrame;
import java.nio.file.Path;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The real topology in {@code TopologyTestDriver} with every topic it reads and writes,
 * for the poison-record and fuzz suites.
 */
final class TopologyHarness implements AutoCloseable {
  final TopologyTestDriver driver;
  final TestInputTopic<String, WalRecord> actions;
  final TestInputTopic<String, byte[]> rawActions;
  final TestOutputTopic<String, RoomEvent> roomEvents;
  final TestOutputTopic<String, Delivery> deliveries;
  final TestOutputTopic<String, byte[]> deadLetters;

  TopologyHarness(Path stateDir, String topicPrefix) {
    ProcessorSettings settings =
        ProcessorSettings.defaults("unused:9092", stateDir)
            .withTopics(TopicSet.prefixed(topicPrefix))
            .withHistorySize(10);
    TopicSet topics = settings.topics();
    driver =
        new TopologyTestDriver(
            RoomTopology.buildTopology(settings), RoomTopology.streamsConfig(settings));
    actions =
        driver.createInputTopic(
            topics.actions().name(),
            topics.actions().keySerde().serializer(),
            topics.actions().valueSerde().serializer());
    rawActions =
        driver.createInputTopic(topics.actions().name(), new StringSerializer(), new ByteArraySerializer());
    roomEvents =
        driver.createOutputTopic(
            topics.roomEvents().name(),
            topics.roomEvents().keySerde().deserializer(),
            topics.roomEvents().valueSerde().deserializer());
    deliveries =
        driver.createOutputTopic(
            topics.deliveries().name(),
            topics.deliveries().keySerde().deserializer(),
            topics.deliveries().valueSerde().deserializer());
    deadLetters =
        driver.createOutputTopic(
            topics.deadLetters().name(),
            topics.deadLetters().keySerde().deserializer(),
            topics.deadLetters().valueSerde().deserializer());
  }

  /** Writes the record as the gateway would: keyed by its key, stamped with its time. */
  void send(WalRecord record) {
    actions.pipeInput(record.key(), record, record.requestContext().requestTimeEpoch());
  }

  static ServerFrame frame(Delivery d) {
    try {
      return Json.MAPPER.readValue(d.frame(), ServerFrame.class);
    } catch (JsonProcessingException e) {
      throw new AssertionError("delivery frame is not a server frame: " + d.frame(), e);
    }
  }

  @Override
  public void close() {
    driver.close();
  }
}
