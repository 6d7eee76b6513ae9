package dev.roomlog.server;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The consumer of the log tools ({@code roomlog tail}, {@code roomlog replay}): keys as strings,
 * values as bytes (decoded by {@link LogEntry}, so that an unreadable value is shown rather than
 * thrown), read_committed (a room processor's aborted writes are never shown), partitions assigned
 * by hand with no consumer group and no commits, so reading the log never disturbs anything, and no
 * topic created by asking for it.
 *
 * <p>Used by one thread. Ctrl-C/SIGTERM wakes a blocked call ({@code WakeupException}), and the
 * process exits once {@link #close()} has closed the consumer.
 */
final class LogConsumer implements AutoCloseable {
  private final KafkaConsumer<String, byte[]> kafka;
  private final String bootstrapServers;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Thread stopOnSignal;

  LogConsumer(String bootstrapServers, String clientId) {
    this.bootstrapServers = bootstrapServers;
    this.kafka =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG,
                clientId,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
                false,
                // Where an offset that retention has since deleted resumes.
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    this.stopOnSignal =
        new Thread(
            () -> {
              kafka.wakeup();
              try {
                closed.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "roomlog-log-reader-stop");
    Runtime.getRuntime().addShutdownHook(stopOnSignal);
  }

  KafkaConsumer<String, byte[]> kafka() {
    return kafka;
  }

  /**
   * The topic's partitions in order; a missing topic is the user's mistake (wrong prefix or
   * cluster).
   */
  List<TopicPartition> partitions(String topic) {
    List<PartitionInfo> infos = kafka.partitionsFor(topic);
    if (infos == null || infos.isEmpty()) {
      throw new IllegalArgumentException(
          "topic "
              + topic
              + " does not exist on "
              + bootstrapServers
              + " (check --bootstrap-servers and --topic-prefix)");
    }
    return infos.stream()
        .map(p -> new TopicPartition(topic, p.partition()))
        .sorted(Comparator.comparingInt(TopicPartition::partition))
        .toList();
  }

  @Override
  public void close() {
    try {
      kafka.close();
    } finally {
      closed.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(stopOnSignal);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running: it only waited for this close.
      }
    }
  }
}
