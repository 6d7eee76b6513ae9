package dev.roomlog.delivery;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.roomlog.protocol.Delivery;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.protocol.frame.ServerFrame;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The delivery consumer's meters, with Kafka's MockConsumer and a fixed clock. */
class DeliveryMetricsTest {
  private static final int PARTITIONS = 2;
  private static final TopicSet TOPICS = TopicSet.prefixed("metrics-test");
  private static final String TOPIC = TOPICS.deliveries().name();
  private static final DeliverySettings SETTINGS =
      DeliverySettings.of("localhost:9092", "gw-1", TOPICS);
  private static final Instant NOW = Instant.parse("2024-04-01T12:00:00Z");

  private final MockConsumer<byte[], byte[]> mock = new MockConsumer<>("latest");
  private final TopicPartition own =
      new TopicPartition(TOPIC, GatewayPartition.of(bytes("gw-1"), PARTITIONS));
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<List<String>> received = new CopyOnWriteArrayList<>();
  private DeliveryConsumer consumer;

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void start() {
    List<PartitionInfo> infos = new ArrayList<>();
    Map<TopicPartition, Long> ends = new HashMap<>();
    for (int i = 0; i < PARTITIONS; i++) {
      infos.add(new PartitionInfo(TOPIC, i, Node.noNode(), new Node[0], new Node[0]));
      ends.put(new TopicPartition(TOPIC, i), 0L);
    }
    mock.updatePartitions(TOPIC, infos);
    mock.updateEndOffsets(ends);
    consumer =
        new DeliveryConsumer(
            SETTINGS,
            (ids, frame) -> received.add(ids),
            message -> {},
            () -> mock,
            Duration.ofSeconds(5),
            new DeliveryMetrics(meters),
            Clock.fixed(NOW, ZoneOffset.UTC));
    consumer.start();
  }

  private void append(long offset, String key, byte[] value, Instant timestamp) {
    mock.addRecord(
        new ConsumerRecord<>(
            TOPIC,
            own.partition(),
            offset,
            timestamp.toEpochMilli(),
            TimestampType.CREATE_TIME,
            -1,
            -1,
            bytes(key),
            value,
            new RecordHeaders(),
            Optional.empty()));
  }

  private static byte[] delivery(String connectionId) {
    Delivery d = Delivery.of(List.of(connectionId), new ServerFrame.Connected(connectionId));
    return TOPICS.deliveries().valueSerde().serializer().serialize(TOPIC, d);
  }

  @AfterEach
  void close() {
    if (consumer != null) {
      consumer.close();
    }
  }

  @Test
  void timesEachDeliveryFromItsRecordsTimestampToTheSink() {
    start();

    append(0, "gw-1", delivery("a"), NOW.minusMillis(250));
    append(1, "gw-1", delivery("b"), NOW.minusMillis(50));
    append(2, "gw-2", delivery("not-ours"), NOW.minusMillis(9000));

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> consumer.counts().skippedOtherGatewayCount() == 1);
    Timer latency = meters.get("roomlog.delivery.latency").timer();
    assertEquals(2, latency.count(), "only this gateway's deliveries are timed");
    assertEquals(300, latency.totalTime(TimeUnit.MILLISECONDS), 0.001);
    assertEquals(250, latency.max(TimeUnit.MILLISECONDS), 0.001);
  }

  @Test
  void countsRecordsByWhatBecameOfThem() {
    start();

    append(0, "gw-1", delivery("a"), NOW);
    append(1, "gw-1", bytes("{broken"), NOW);
    append(2, "gw-2", delivery("x"), NOW);

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> consumer.counts().skippedOtherGatewayCount() == 1);
    assertEquals(1, records("delivered"));
    assertEquals(1, records("unreadable"));
    assertEquals(1, records("otherGateway"));
    assertEquals(0, records("sinkFailed"));
  }

  @Test
  void lagIsTheRecordsBetweenThePositionAndTheEndOfThePartition() {
    start();

    mock.updateEndOffsets(Map.of(own, 10L));
    append(0, "gw-1", delivery("a"), NOW);

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> meters.get("roomlog.delivery.lag").gauge().value() == 9);
  }

  private double records(String result) {
    return meters.get("roomlog.delivery.records").tag("result", result).functionCounter().count();
  }
}
