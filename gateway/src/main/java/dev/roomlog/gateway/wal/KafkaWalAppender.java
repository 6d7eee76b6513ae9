package dev.roomlog.gateway.wal;

import dev.roomlog.gateway.limits.InFlightLimiter;
import dev.roomlog.gateway.metrics.GatewayMetrics;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.protocol.Topic;
import dev.roomlog.protocol.WalRecord;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes WAL records to Kafka without ever blocking the caller.
 *
 * <p>{@link #append} puts the record on a queue ({@link WalQueue}) and returns at once. The queue
 * never refuses a record for lack of room, so a {@code $disconnect} is never dropped; what waits in
 * it is bounded before it gets here: client actions by {@link InFlightLimiter}, and lifecycle
 * records by {@link #acceptingConnections()}, which turns false once {@code
 * maxPendingLifecycleRecords} {@code $connect}/{@code $disconnect} records are unsettled ({@link
 * Settlements}), so that the gateway refuses new handshakes (503) instead of queueing {@code
 * $connect}s it cannot write in time while Kafka is down. One writer thread ({@link WalWriter})
 * takes records in order and hands them to {@code KafkaProducer.send} ({@link WalSender}), which
 * may block (metadata, a full producer buffer) without holding up a Netty event loop. The producer
 * uses {@code acks=all} and {@code enable.idempotence=true} ({@link WalProducerConfig}), so a
 * record Kafka acknowledged survives the loss of a broker.
 *
 * <p>Admission by time: a client action is worth queueing only if the writer can take it within its
 * queue budget; {@link #acceptingActions()} says whether it can ({@link WriterPace}: the queue's
 * length at the writer's recent pace, against {@code maxLogQueueWait}), so that the caller refuses
 * an action at once as overloaded rather than let it wait and then fail it unsent.
 *
 * <p>Bounded time: every accepted client action's callback is called within {@code logWriteTimeout}
 * (see {@link WriteBudget}), on the writer thread, the producer's I/O thread or the deadline thread
 * ({@link DeadlineSweep}), so a client waiting for an action's answer gets it or a 503 within that
 * bound, whatever is ahead of it in the queue. Lifecycle records have no deadline: no client waits
 * for them, and a {@code $disconnect} that is not written leaves a ghost member.
 *
 * <p>Lifecycle: {@link #create} (or the constructor, with the parts), {@link #start()} once (warms
 * up the topic's metadata, starts the writer and the deadline thread), then {@link #close()} once,
 * after the gateway server is closed. A record accepted before close is written or failed, never
 * silently dropped; one offered after close is refused.
 */
public final class KafkaWalAppender implements WalAppender, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KafkaWalAppender.class);

  /** How long close() waits for queued and in-flight records to reach Kafka. */
  public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private final Producer<String, WalRecord> producer;
  private final String topicName;
  private final Settlements settlements;
  private final WalQueue queue = new WalQueue();
  private final WalWriter writer;
  private final DeadlineSweep deadlines;
  private final WriterPace pace;

  /** The producer's own metrics bound to the registry, closed with the producer. */
  private final AutoCloseable producerMetrics;

  private boolean started;

  /**
   * The appender of a gateway with these settings, with a new producer for {@code topic} (acks=all,
   * idempotence on, linger 5 ms, timeouts from {@code logWriteTimeout} as {@link WriteBudget}
   * says). New connections are refused while more than twice {@code maxConnections} lifecycle
   * records are unsettled. Each record's time from append to Kafka's answer is timed on {@code
   * metrics} ({@code roomlog.gateway.wal.append}), and the producer's own metrics are bound there.
   */
  public static KafkaWalAppender create(
      String bootstrapServers,
      Topic<String, WalRecord> topic,
      GatewaySettings settings,
      GatewayMetrics metrics) {
    return create(bootstrapServers, topic, settings, metrics, WalProducerConfig.ACTIONS_CLIENT_ID);
  }

  /**
   * An appender of the gateway's heartbeats alone, with a producer of its own. Why: a heartbeat
   * says the gateway is alive, and queued in the actions' producer behind a backlog of them it came
   * late. A room of 100,000 joining at once on 2 cores held one gateway's beats in its producer's
   * batches for 10 s (they expired): the processor judged the live gateway lost and took 6,180 of
   * its members out of the room. Its own producer sends a beat in a request of its own.
   */
  public static KafkaWalAppender createForHeartbeats(
      String bootstrapServers,
      Topic<String, WalRecord> topic,
      GatewaySettings settings,
      GatewayMetrics metrics) {
    return create(
        bootstrapServers, topic, settings, metrics, WalProducerConfig.HEARTBEATS_CLIENT_ID);
  }

  private static KafkaWalAppender create(
      String bootstrapServers,
      Topic<String, WalRecord> topic,
      GatewaySettings settings,
      GatewayMetrics metrics,
      String clientId) {
    WriteBudget budget = WriteBudget.of(settings.logWriteTimeout());
    Settlements settlements =
        new Settlements(
            Settlements.lifecycleBound(settings.maxConnections()),
            System::nanoTime,
            metrics::walSettled);
    WriterPace pace =
        new WriterPace(budget.admissionLimit(settings.maxLogQueueWait()), System::nanoTime);
    Producer<String, WalRecord> producer =
        new KafkaProducer<>(
            WalProducerConfig.of(bootstrapServers, budget, clientId),
            topic.keySerde().serializer(),
            topic.valueSerde().serializer());
    return new KafkaWalAppender(
        producer, topic.name(), budget, settlements, pace, metrics.bindProducer(producer));
  }

  /**
   * @param producer writes to {@code topicName}; closed by {@link #close()}
   * @param settlements counts and settles the records, and bounds the lifecycle records
   * @param pace the writer's pace, which decides {@link #acceptingActions()}
   * @param producerMetrics closed after the producer (the binding of its metrics)
   */
  KafkaWalAppender(
      Producer<String, WalRecord> producer,
      String topicName,
      WriteBudget budget,
      Settlements settlements,
      WriterPace pace,
      AutoCloseable producerMetrics) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.topicName = Objects.requireNonNull(topicName, "topicName");
    this.settlements = Objects.requireNonNull(settlements, "settlements");
    this.producerMetrics = Objects.requireNonNull(producerMetrics, "producerMetrics");
    Objects.requireNonNull(budget, "budget");
    this.pace = Objects.requireNonNull(pace, "pace");
    this.writer =
        new WalWriter(queue, new WalSender(producer, topicName), settlements, budget, pace);
    this.deadlines = new DeadlineSweep(settlements, budget);
  }

  /**
   * Fetches the topic's metadata, so that the first action does not wait for it, and starts the
   * writer thread and the deadline sweep.
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
    deadlines.start();
  }

  @Override
  public boolean append(WalRecord record, Callback callback) {
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(callback, "callback");
    return queue.offer(() -> settlements.accept(record, callback));
  }

  /**
   * False while {@code maxPendingLifecycleRecords} or more {@code $connect}/{@code $disconnect}
   * records are unsettled: Kafka is not keeping up with them, and a new connection's {@code
   * $connect} would only queue up behind them.
   */
  @Override
  public boolean acceptingConnections() {
    return settlements.acceptingConnections();
  }

  /**
   * False while the writer is too far behind to take a client action appended now within {@code
   * maxLogQueueWait} (at most the queue budget): the records queued ahead of it at the writer's
   * recent pace ({@link WriterPace}). The caller then refuses the action at once as overloaded.
   */
  @Override
  public boolean acceptingActions() {
    return pace.admits(queue.size());
  }

  @Override
  public boolean isClosed() {
    return queue.isClosed();
  }

  /** Records accepted but not yet handed to the producer. */
  public int pending() {
    return queue.size();
  }

  /** {@code $connect}/{@code $disconnect} records accepted and not yet settled. */
  public int pendingLifecycleRecords() {
    return settlements.pendingLifecycleRecords();
  }

  /** Runs the deadline sweep now (it runs every {@code sweep} on its own thread); for tests. */
  void failOverdueActions() {
    deadlines.failOverdueActions();
  }

  /**
   * Refuses new records, writes those already queued, and flushes the producer, waiting at most
   * {@link #CLOSE_TIMEOUT} in all. Records that could not be written by then get their failure
   * callbacks (some perhaps after this returns, from a writer still stuck in a send), and the count
   * of those never handed to the producer is logged as an error. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (!queue.close()) {
      return;
    }
    long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
    writer.awaitEnd(deadline);
    Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    producer.close(left);
    try {
      producerMetrics.close();
    } catch (Exception e) {
      log.warn("could not unbind the WAL producer's metrics", e);
    }
    // Whatever the writer did not take (not started, or stuck past the deadline) is failed
    // here; the queue hands each record to one taker only, so none is settled twice.
    List<PendingRecord> unsent = queue.drain();
    if (!unsent.isEmpty()) {
      log.error("{} WAL records were never written: the appender closed first", unsent.size());
      KafkaException cause = new KafkaException("the WAL appender closed before writing");
      for (PendingRecord pending : unsent) {
        pending.failed(cause);
      }
    }
    // Last: actions still with the producer keep their deadline while close waits for them.
    deadlines.close();
  }
}
