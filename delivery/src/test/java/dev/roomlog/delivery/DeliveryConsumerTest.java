package dev.roomlog.delivery;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.protocol.Delivery;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.protocol.frame.ServerFrame;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The consumer loop against Kafka's MockConsumer; the real-broker test lives in server/. */
class DeliveryConsumerTest {
  private static final int PARTITIONS = 4;
  private static final TopicSet TOPICS = TopicSet.prefixed("consumer-test");
  private static final String TOPIC = TOPICS.deliveries().name();
  private static final DeliverySettings SETTINGS =
      DeliverySettings.of("localhost:9092", "gw-1", TOPICS);

  private final MockConsumer<byte[], byte[]> mock = new MockConsumer<>("latest");
  private final TopicPartition ownPartition =
      new TopicPartition(TOPIC, GatewayPartition.of(bytes("gw-1"), PARTITIONS));
  private final List<List<String>> received = new CopyOnWriteArrayList<>();
  private DeliveryConsumer consumer;

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void topicExistsWithEndOffset(long endOffset) {
    List<PartitionInfo> infos = new ArrayList<>();
    for (int i = 0; i < PARTITIONS; i++) {
      infos.add(new PartitionInfo(TOPIC, i, Node.noNode(), new Node[0], new Node[0]));
    }
    mock.updatePartitions(TOPIC, infos);
    Map<TopicPartition, Long> ends = new java.util.HashMap<>();
    for (int i = 0; i < PARTITIONS; i++) {
      ends.put(new TopicPartition(TOPIC, i), endOffset);
    }
    mock.updateEndOffsets(ends);
  }

  private DeliveryConsumer start(ConnectionSink sink) {
    consumer = newConsumer(sink, Duration.ofSeconds(5));
    consumer.start();
    return consumer;
  }

  /** Reading from the mock, taking no control messages (these tests send none). */
  private DeliveryConsumer newConsumer(ConnectionSink sink, Duration startTimeout) {
    return new DeliveryConsumer(
        SETTINGS,
        sink,
        message -> {},
        () -> mock,
        startTimeout,
        new DeliveryMetrics(new SimpleMeterRegistry()),
        Clock.systemUTC());
  }

  private void append(long offset, String key, byte[] value) {
    mock.addRecord(
        new ConsumerRecord<>(TOPIC, ownPartition.partition(), offset, bytes(key), value));
  }

  private static byte[] delivery(String... connectionIds) {
    Delivery d = Delivery.of(List.of(connectionIds), new ServerFrame.Connected(connectionIds[0]));
    return TOPICS.deliveries().valueSerde().serializer().serialize(TOPIC, d);
  }

  @AfterEach
  void closeConsumer() {
    if (consumer != null) {
      consumer.close();
    }
  }

  @Test
  void startReturnsAssignedToItsOwnPartitionAndPositionedAtTheEnd() {
    topicExistsWithEndOffset(42);

    start((ids, frame) -> received.add(ids));

    assertEquals(Set.of(ownPartition), mock.assignment());
    assertEquals(42, mock.position(ownPartition));
  }

  @Test
  void handsOwnDeliveriesToTheSinkAndSkipsOtherGateways() {
    topicExistsWithEndOffset(0);
    List<String> frames = new CopyOnWriteArrayList<>();
    start(
        (ids, frame) -> {
          received.add(ids);
          frames.add(frame);
        });

    append(0, "gw-2", delivery("x"));
    append(1, "gw-1", delivery("a", "b"));
    append(2, "gw-1", delivery("c"));

    await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 2);
    assertEquals(List.of(List.of("a", "b"), List.of("c")), received);
    assertEquals(new ServerFrame.Connected("a").toJson(), frames.get(0));
    assertEquals(1, consumer.counts().skippedOtherGatewayCount());
  }

  @Test
  void skipsAnUnreadableRecordAndDeliversTheNextOne() {
    topicExistsWithEndOffset(0);
    start((ids, frame) -> received.add(ids));

    append(0, "gw-1", bytes("{broken"));
    append(1, "gw-1", delivery("after"));

    await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 1);
    assertEquals(List.of(List.of("after")), received);
    assertEquals(1, consumer.counts().unreadableCount());
  }

  @Test
  void keepsDeliveringAfterTheSinkThrows() {
    topicExistsWithEndOffset(0);
    start(
        (ids, frame) -> {
          if (ids.contains("boom")) {
            throw new IllegalStateException("sink failure for the test");
          }
          received.add(ids);
        });

    append(0, "gw-1", delivery("boom"));
    append(1, "gw-1", delivery("ok"));

    await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 1);
    assertEquals(List.of(List.of("ok")), received);
    assertEquals(1, consumer.counts().sinkFailureCount());
  }

  @Test
  void startFailsWithinItsTimeoutWhenTheTopicDoesNotExist() {
    consumer = newConsumer((ids, frame) -> {}, Duration.ofMillis(300));

    IllegalStateException e = assertThrows(IllegalStateException.class, consumer::start);

    assertTrue(e.getMessage().contains(TOPIC), e.getMessage());
    await().atMost(Duration.ofSeconds(5)).until(mock::closed);
  }

  @Test
  void closeStopsTheLoopAndClosesTheKafkaConsumer() {
    topicExistsWithEndOffset(0);
    start((ids, frame) -> received.add(ids));

    consumer.close();

    assertTrue(mock.closed());
  }
}
