package dev.roomlog.gateway;

import dev.roomlog.protocol.Topic;
import dev.roomlog.protocol.WalRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes WAL records to Kafka without ever blocking the caller.
 *
 * <p>{@link #append} puts the record on a bounded queue (capacity = {@code maxPendingAppends})
 * and returns at once; a full queue refuses the record. One writer thread takes records in
 * order and calls {@code KafkaProducer.send}, which may block (metadata, a full producer
 * buffer) without holding up a Netty event loop. One thread and one idempotent producer keep
 * each connection's records in the order they were accepted. The producer uses {@code
 * acks=all} and {@code enable.idempotence=true}, so a record Kafka acknowledged survives the
 * loss of a broker.
 *
 * <p>A record that fails to be written (send throws, or its callback reports an exception) has
 * its {@code FailureCallback} called, on the writer thread or the producer's I/O thread.
 *
 * <p>Lifecycle: {@link #start()} once (warms up the topic's metadata and starts the writer),
 * then {@link #close()} once, after the gateway server is closed.
 */
public final class KafkaWalAppender implements WalAppender, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KafkaWalAppender.class);

  /** How long close() waits for queued and in-flight records to reach Kafka. */
  public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private static final long IDLE_POLL_MILLIS = 100;

  private final Producer<String, WalRecord> producer;
  private final String topicName;
  private final BlockingQueue<Pending> queue;
  private final Thread writer;
  private volatile boolean closed;
  private boolean started;

  private record Pending(WalRecord record, FailureCallback onFailure) {}

  /**
   * A producer for {@code topic} with the gateway's settings (acks=all, idempotence on, linger
   * 5 ms, max.block.ms 10 s); {@code overrides} replace or add producer properties.
   */
  public KafkaWalAppender(
      String bootstrapServers,
      Topic<String, WalRecord> topic,
      int maxPendingAppends,
      Map<String, Object> overrides) {
    this(newProducer(bootstrapServers, topic, overrides), topic.name(), maxPendingAppends);
  }

  public KafkaWalAppender(
      String bootstrapServers, Topic<String, WalRecord> topic, int maxPendingAppends) {
    this(bootstrapServers, topic, maxPendingAppends, Map.of());
  }

  KafkaWalAppender(Producer<String, WalRecord> producer, String topicName, int maxPendingAppends) {
    if (maxPendingAppends < 1) {
      throw new IllegalArgumentException(
          GatewaySettings.MAX_IN_FLIGHT_ACTIONS + " must be at least 1, was " + maxPendingAppends);
    }
    this.producer = Objects.requireNonNull(producer, "producer");
    this.topicName = Objects.requireNonNull(topicName, "topicName");
    this.queue = new ArrayBlockingQueue<>(maxPendingAppends);
    this.writer = new Thread(this::writeLoop, "roomlog-wal-writer");
    this.writer.setDaemon(true);
  }

  /**
   * Fetches the topic's metadata, so that the first action does not wait for it, and starts the
   * writer thread.
   *
   * @throws IllegalStateException if the topic's metadata cannot be fetched (Kafka unreachable,
   *     topic missing) within the producer's max.block.ms
   */
  public synchronized void start() {
    if (started) {
      throw new IllegalStateException("the WAL appender was already started");
    }
    started = true;
    try {
      int partitions = producer.partitionsFor(topicName).size();
      log.info("WAL appender ready: topic {} has {} partitions", topicName, partitions);
    } catch (KafkaException e) {
      producer.close(Duration.ZERO);
      throw new IllegalStateException(
          "cannot fetch the metadata of WAL topic " + topicName + ": " + e.getMessage(), e);
    }
    writer.start();
  }

  @Override
  public boolean append(WalRecord record, FailureCallback onFailure) {
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(onFailure, "onFailure");
    if (closed) {
      return false;
    }
    return queue.offer(new Pending(record, onFailure));
  }

  /** Records accepted but not yet handed to the producer. */
  public int pending() {
    return queue.size();
  }

  /**
   * Refuses new records, writes those already queued, and flushes the producer, waiting at
   * most {@link #CLOSE_TIMEOUT} in all. Records that could not be written by then get their
   * failure callbacks, and their count is logged as an error. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
    if (writer.isAlive()) {
      try {
        writer.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    producer.close(left);
    List<Pending> unsent = new ArrayList<>();
    queue.drainTo(unsent);
    if (!unsent.isEmpty()) {
      log.error("{} WAL records were never written: the appender closed first", unsent.size());
      KafkaException cause = new KafkaException("the WAL appender closed before writing");
      for (Pending pending : unsent) {
        notifyFailure(pending, cause);
      }
    }
  }

  private void writeLoop() {
    try {
      while (true) {
        Pending next = queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
        if (next == null) {
          if (closed) {
            return;
          }
          continue;
        }
        send(next);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void send(Pending pending) {
    WalRecord record = pending.record();
    try {
      producer.send(
          new ProducerRecord<>(topicName, record.connectionId(), record),
          (metadata, exception) -> {
            if (exception != null) {
              notifyFailure(pending, exception);
            }
          });
    } catch (RuntimeException e) {
      // Thrown before the record was queued in the producer: a timeout on metadata or buffer
      // space (max.block.ms), a serialization error, or a closed producer.
      notifyFailure(pending, e);
    }
  }

  private static void notifyFailure(Pending pending, Exception cause) {
    try {
      pending.onFailure().onFailure(cause);
    } catch (RuntimeException e) {
      log.error("a WAL failure callback threw", e);
    }
  }

  private static Producer<String, WalRecord> newProducer(
      String bootstrapServers, Topic<String, WalRecord> topic, Map<String, Object> overrides) {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "roomlog-gateway-wal");
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    // Bounds how long the writer thread may wait for metadata or buffer space; while it waits
    // the queue fills and clients are told 503 at once.
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    config.putAll(overrides);
    return new KafkaProducer<>(
        config, topic.keySerde().serializer(), topic.valueSerde().serializer());
  }
}
