package dev.roomlog.gateway.wal;

import dev.roomlog.gateway.GatewayMetrics;
import dev.roomlog.gateway.GatewaySettings;
import dev.roomlog.gateway.limits.InFlightLimiter;
import dev.roomlog.protocol.Topic;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.RequestContext.EventType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes WAL records to Kafka without ever blocking the caller.
 *
 * <p>{@link #append} puts the record on a queue and returns at once. The queue never refuses a
 * record for lack of room, so a {@code $disconnect} is never dropped; what waits in it is bounded
 * before it gets here: client actions by {@link InFlightLimiter}, and lifecycle records by {@link
 * #acceptingConnections()}, which turns false once {@code maxPendingLifecycleRecords} {@code
 * $connect}/{@code $disconnect} records are unsettled, so that the gateway refuses new handshakes
 * (503) instead of queueing {@code $connect}s it cannot write in time while Kafka is down. One
 * writer thread takes records in order and calls {@code KafkaProducer.send}, which may block
 * (metadata, a full producer buffer) without holding up a Netty event loop. One thread and one
 * idempotent producer keep each connection's records in the order they were accepted. The producer
 * uses {@code acks=all} and {@code enable.idempotence=true}, so a record Kafka acknowledged
 * survives the loss of a broker.
 *
 * <p>Bounded time: every accepted client action's callback is called within {@code logWriteTimeout}
 * (see {@link WriteBudget}), on the writer thread, the producer's I/O thread or the deadline thread
 * ({@code roomlog-wal-deadlines}), so a client waiting for an action's answer gets it or a 503
 * within that bound, whatever is ahead of it in the queue. Lifecycle records have no deadline: no
 * client waits for them, and a {@code $disconnect} that is not written leaves a ghost member.
 *
 * <p>Lifecycle: {@link #start()} once (warms up the topic's metadata, starts the writer and the
 * deadline thread), then {@link #close()} once, after the gateway server is closed. A record
 * accepted before close is written or failed, never silently dropped; one offered after close is
 * refused.
 */
public final class KafkaWalAppender implements WalAppender, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KafkaWalAppender.class);

  /** How long close() waits for queued and in-flight records to reach Kafka. */
  public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Unsettled {@code $connect}/{@code $disconnect} records past which {@link
   * #acceptingConnections()} is false, for the constructors that take no bound: twice the default
   * {@code maxConnections}, one of each for every connection.
   */
  public static final int DEFAULT_MAX_PENDING_LIFECYCLE_RECORDS =
      lifecycleBound(GatewaySettings.DEFAULT_MAX_CONNECTIONS);

  static final int LINGER_MS = 5;
  private static final long IDLE_POLL_MILLIS = 100;

  private final Producer<String, WalRecord> producer;
  private final String topicName;
  private final long queueBudgetNanos;
  private final long overdueAfterNanos;
  private final long sweepIntervalNanos;
  private final int maxPendingLifecycleRecords;
  private final LongSupplier nanoTime;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();

  /** Client actions accepted and not yet settled: what the deadline sweep looks at. */
  private final Set<Pending> unsettledActions = ConcurrentHashMap.newKeySet();

  /** {@code $connect}/{@code $disconnect} records accepted and not yet settled. */
  private final AtomicInteger unsettledLifecycle = new AtomicInteger();

  /**
   * Appends hold the read side while they check {@code closed} and enqueue; close takes the write
   * side to set it. So once {@code closed} is true no append is still half-way, and the queue holds
   * every record that will ever be accepted.
   */
  private final ReadWriteLock closing = new ReentrantReadWriteLock();

  private final GatewayMetrics metrics;

  /** The producer's own metrics bound to the registry, closed with the producer; or null. */
  private AutoCloseable producerMetrics;

  private final Thread writer;
  private ScheduledExecutorService deadlines;
  private volatile boolean closed;
  private boolean started;

  /**
   * How {@code logWriteTimeout} (W) is split so that each client action's callback comes within W.
   * A client action may wait in this appender's queue (behind sends that block), then block in
   * {@code send} (max.block.ms), then wait for Kafka (delivery.timeout.ms, which counts from when
   * send returns and covers retries):
   *
   * <ul>
   *   <li>{@code delivery} = W/2, with request.timeout.ms = delivery - linger.ms (at most Kafka's
   *       default 30 s), as the producer requires;
   *   <li>{@code maxBlock} = W/4;
   *   <li>{@code queue} = the rest (about W/4): an action the writer takes after it waited longer
   *       is failed without being sent, since it could no longer be sent and acknowledged in time.
   * </ul>
   *
   * Those keep the producer's own timeouts inside W, but the writer is one thread: behind a run of
   * lifecycle records whose sends each block for max.block.ms (a full producer buffer), an action
   * can wait far longer than {@code queue} before the writer even looks at it. So the deadline does
   * not depend on the writer: every {@code sweep} (W/10) a thread of its own fails each client
   * action unsettled for {@code W - sweep} or more, wherever it is (queued, blocked in send, or
   * sent), so each is settled before W. One the sweep fails while it is queued is never sent (it is
   * then past {@code queue}, so the writer fails it unsent, which settles nothing twice); one
   * already handed to the producer may still land, which the client's 503 says.
   *
   * <p>Lifecycle records are never failed for waiting: no client waits for their answer, and a
   * {@code $disconnect} that is not written leaves a ghost member.
   */
  record WriteBudget(
      Duration queue, Duration maxBlock, Duration delivery, Duration request, Duration sweep) {
    static final Duration MIN_LOG_WRITE_TIMEOUT = Duration.ofSeconds(1);
    private static final long MAX_REQUEST_TIMEOUT_MS = 30_000;

    static WriteBudget of(Duration logWriteTimeout) {
      Objects.requireNonNull(logWriteTimeout, GatewaySettings.LOG_WRITE_TIMEOUT);
      if (logWriteTimeout.compareTo(MIN_LOG_WRITE_TIMEOUT) < 0) {
        throw new IllegalArgumentException(
            GatewaySettings.LOG_WRITE_TIMEOUT
                + " must be at least "
                + MIN_LOG_WRITE_TIMEOUT.toMillis()
                + " ms (the Kafka producer's request timeout is derived from it), was "
                + logWriteTimeout.toMillis()
                + " ms");
      }
      long total = logWriteTimeout.toMillis();
      long delivery = total / 2;
      long maxBlock = total / 4;
      long queue = total - delivery - maxBlock;
      long request = Math.min(MAX_REQUEST_TIMEOUT_MS, delivery - LINGER_MS);
      return new WriteBudget(
          Duration.ofMillis(queue),
          Duration.ofMillis(maxBlock),
          Duration.ofMillis(delivery),
          Duration.ofMillis(request),
          Duration.ofMillis(total / 10));
    }

    /** The age at which the sweep fails a client action: W - sweep. */
    Duration overdueAfter() {
      return queue.plus(maxBlock).plus(delivery).minus(sweep);
    }
  }

  /**
   * One accepted record; its callback runs at most once, whoever settles it first (Kafka's
   * callback, the writer, the deadline sweep or close), and settling takes it out of the counts.
   */
  private final class Pending {
    final WalRecord record;
    final Callback callback;
    final long acceptedAt;
    final boolean clientAction;
    final AtomicBoolean settled = new AtomicBoolean();

    Pending(WalRecord record, Callback callback, long acceptedAt) {
      this.record = record;
      this.callback = callback;
      this.acceptedAt = acceptedAt;
      this.clientAction = record.requestContext().eventType() == EventType.MESSAGE;
    }

    void acknowledged() {
      if (settle()) {
        metrics.walSettled(
            record.requestContext().eventType(), true, nanoTime.getAsLong() - acceptedAt);
        try {
          callback.onAcknowledged();
        } catch (RuntimeException e) {
          log.error("a WAL acknowledgement callback threw", e);
        }
      }
    }

    void failed(Exception cause) {
      if (settle()) {
        metrics.walSettled(
            record.requestContext().eventType(), false, nanoTime.getAsLong() - acceptedAt);
        try {
          callback.onFailure(cause);
        } catch (RuntimeException e) {
          log.error("a WAL failure callback threw", e);
        }
      }
    }

    private boolean settle() {
      if (!settled.compareAndSet(false, true)) {
        return false;
      }
      if (clientAction) {
        unsettledActions.remove(this);
      } else {
        unsettledLifecycle.decrementAndGet();
      }
      return true;
    }
  }

  /**
   * A producer for {@code topic} with the gateway's settings (acks=all, idempotence on, linger 5
   * ms, timeouts from {@code logWriteTimeout} as {@link WriteBudget} says); {@code overrides}
   * replace or add producer properties.
   */
  public KafkaWalAppender(
      String bootstrapServers,
      Topic<String, WalRecord> topic,
      Duration logWriteTimeout,
      Map<String, Object> overrides) {
    this(
        new KafkaProducer<>(
            producerConfig(bootstrapServers, logWriteTimeout, overrides),
            topic.keySerde().serializer(),
            topic.valueSerde().serializer()),
        topic.name(),
        logWriteTimeout,
        System::nanoTime);
  }

  /** See {@link #KafkaWalAppender(String, Topic, Duration, Map)}; no overrides. */
  public KafkaWalAppender(
      String bootstrapServers, Topic<String, WalRecord> topic, Duration logWriteTimeout) {
    this(bootstrapServers, topic, logWriteTimeout, Map.of());
  }

  /**
   * The appender of a gateway with these settings: {@code logWriteTimeout} from them, and new
   * connections refused while more than twice {@code maxConnections} lifecycle records are
   * unsettled. {@code overrides} replace or add producer properties.
   */
  public KafkaWalAppender(
      String bootstrapServers,
      Topic<String, WalRecord> topic,
      GatewaySettings settings,
      Map<String, Object> overrides) {
    this(
        new KafkaProducer<>(
            producerConfig(bootstrapServers, settings.logWriteTimeout(), overrides),
            topic.keySerde().serializer(),
            topic.valueSerde().serializer()),
        topic.name(),
        settings.logWriteTimeout(),
        lifecycleBound(settings.maxConnections()),
        System::nanoTime);
  }

  /** See {@link #KafkaWalAppender(String, Topic, GatewaySettings, Map)}; no overrides. */
  public KafkaWalAppender(
      String bootstrapServers, Topic<String, WalRecord> topic, GatewaySettings settings) {
    this(bootstrapServers, topic, settings, Map.of());
  }

  /**
   * As {@link #KafkaWalAppender(String, Topic, GatewaySettings, Map)} with no overrides, timing
   * each record from append to Kafka's answer on {@code metrics} ({@code
   * roomlog.gateway.wal.append}) and binding the producer's own metrics there.
   */
  public KafkaWalAppender(
      String bootstrapServers,
      Topic<String, WalRecord> topic,
      GatewaySettings settings,
      GatewayMetrics metrics) {
    this(
        new KafkaProducer<>(
            producerConfig(bootstrapServers, settings.logWriteTimeout(), Map.of()),
            topic.keySerde().serializer(),
            topic.valueSerde().serializer()),
        topic.name(),
        settings.logWriteTimeout(),
        lifecycleBound(settings.maxConnections()),
        System::nanoTime,
        metrics);
    this.producerMetrics = metrics.bindProducer(producer);
  }

  /**
   * @param nanoTime measures how long a record waited (tests move it by hand)
   */
  KafkaWalAppender(
      Producer<String, WalRecord> producer,
      String topicName,
      Duration logWriteTimeout,
      LongSupplier nanoTime) {
    this(producer, topicName, logWriteTimeout, DEFAULT_MAX_PENDING_LIFECYCLE_RECORDS, nanoTime);
  }

  /**
   * @param maxPendingLifecycleRecords unsettled lifecycle records at which {@link
   *     #acceptingConnections()} turns false
   * @param nanoTime measures how long a record waited (tests move it by hand)
   */
  KafkaWalAppender(
      Producer<String, WalRecord> producer,
      String topicName,
      Duration logWriteTimeout,
      int maxPendingLifecycleRecords,
      LongSupplier nanoTime) {
    this(
        producer,
        topicName,
        logWriteTimeout,
        maxPendingLifecycleRecords,
        nanoTime,
        new GatewayMetrics(new SimpleMeterRegistry()));
  }

  /**
   * @param metrics where each record's time from append to Kafka's answer is recorded
   */
  KafkaWalAppender(
      Producer<String, WalRecord> producer,
      String topicName,
      Duration logWriteTimeout,
      int maxPendingLifecycleRecords,
      LongSupplier nanoTime,
      GatewayMetrics metrics) {
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    WriteBudget budget = WriteBudget.of(logWriteTimeout);
    if (maxPendingLifecycleRecords < 1) {
      throw new IllegalArgumentException(
          "maxPendingLifecycleRecords must be at least 1, was " + maxPendingLifecycleRecords);
    }
    this.queueBudgetNanos = budget.queue().toNanos();
    this.overdueAfterNanos = budget.overdueAfter().toNanos();
    this.sweepIntervalNanos = budget.sweep().toNanos();
    this.maxPendingLifecycleRecords = maxPendingLifecycleRecords;
    this.producer = Objects.requireNonNull(producer, "producer");
    this.topicName = Objects.requireNonNull(topicName, "topicName");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.writer = new Thread(this::writeLoop, "roomlog-wal-writer");
    this.writer.setDaemon(true);
  }

  /** One {@code $connect} and one {@code $disconnect} for each of {@code maxConnections}. */
  static int lifecycleBound(int maxConnections) {
    return (int) Math.min(Integer.MAX_VALUE, 2L * maxConnections);
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
    deadlines =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "roomlog-wal-deadlines");
              thread.setDaemon(true);
              return thread;
            });
    deadlines.scheduleAtFixedRate(
        this::sweep, sweepIntervalNanos, sweepIntervalNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public boolean append(WalRecord record, Callback callback) {
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(callback, "callback");
    closing.readLock().lock();
    try {
      if (closed) {
        return false;
      }
      Pending pending = new Pending(record, callback, nanoTime.getAsLong());
      // Counted before it is queued, so that it cannot be settled before it is counted.
      if (pending.clientAction) {
        unsettledActions.add(pending);
      } else {
        unsettledLifecycle.incrementAndGet();
      }
      return queue.add(pending);
    } finally {
      closing.readLock().unlock();
    }
  }

  /**
   * False while {@code maxPendingLifecycleRecords} or more {@code $connect}/{@code $disconnect}
   * records are unsettled: Kafka is not keeping up with them, and a new connection's {@code
   * $connect} would only queue up behind them.
   */
  @Override
  public boolean acceptingConnections() {
    return unsettledLifecycle.get() < maxPendingLifecycleRecords;
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  /** Records accepted but not yet handed to the producer. */
  public int pending() {
    return queue.size();
  }

  /** {@code $connect}/{@code $disconnect} records accepted and not yet settled. */
  public int pendingLifecycleRecords() {
    return unsettledLifecycle.get();
  }

  /**
   * Fails every client action unsettled for {@code W - sweep} or more. Runs every {@code sweep} on
   * the deadline thread; package-private so that tests can run it at a time of their choosing.
   */
  void failOverdueActions() {
    long now = nanoTime.getAsLong();
    for (Pending pending : unsettledActions) {
      long waited = now - pending.acceptedAt;
      if (waited >= overdueAfterNanos) {
        pending.failed(
            new TimeoutException(
                "the log did not acknowledge the action within "
                    + TimeUnit.NANOSECONDS.toMillis(waited)
                    + " ms"));
      }
    }
  }

  private void sweep() {
    // An exception escaping a scheduled task would silently cancel every later sweep.
    try {
      failOverdueActions();
    } catch (RuntimeException e) {
      log.error("the WAL deadline sweep failed; it runs again", e);
    }
  }

  /**
   * Refuses new records, writes those already queued, and flushes the producer, waiting at most
   * {@link #CLOSE_TIMEOUT} in all. Records that could not be written by then get their failure
   * callbacks (some perhaps after this returns, from a writer still stuck in a send), and the count
   * of those never handed to the producer is logged as an error. Idempotent.
   */
  @Override
  public synchronized void close() {
    closing.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
    } finally {
      closing.writeLock().unlock();
    }
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
    if (producerMetrics != null) {
      try {
        producerMetrics.close();
      } catch (Exception e) {
        log.warn("could not unbind the WAL producer's metrics", e);
      }
    }
    // Whatever the writer did not take (not started, or stuck past the deadline) is failed
    // here; the queue hands each record to one taker only, so none is settled twice.
    List<Pending> unsent = new ArrayList<>();
    queue.drainTo(unsent);
    if (!unsent.isEmpty()) {
      log.error("{} WAL records were never written: the appender closed first", unsent.size());
      KafkaException cause = new KafkaException("the WAL appender closed before writing");
      for (Pending pending : unsent) {
        pending.failed(cause);
      }
    }
    // Last: actions still with the producer keep their deadline while close waits for them.
    if (deadlines != null) {
      deadlines.shutdownNow();
    }
  }

  private void writeLoop() {
    while (true) {
      Pending next;
      try {
        next = queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
        if (next == null && closed) {
          // closed is set only once no append is half-way, so an empty queue now stays empty.
          next = queue.poll();
          if (next == null) {
            return;
          }
        }
      } catch (InterruptedException e) {
        // Nobody is meant to interrupt this thread; stopping would strand every later record.
        log.warn("the WAL writer was interrupted; it goes on until the appender is closed");
        continue;
      }
      if (next == null) {
        continue;
      }
      try {
        send(next);
      } catch (RuntimeException e) {
        // A bug, not Kafka being down (send handles that): tell this record's client and keep
        // writing the others rather than let every later client wait for nothing.
        log.error("the WAL writer failed unexpectedly on one record; it goes on", e);
        next.failed(e);
      }
    }
  }

  private void send(Pending pending) {
    long waited = nanoTime.getAsLong() - pending.acceptedAt;
    if (pending.clientAction && waited > queueBudgetNanos) {
      pending.failed(
          new TimeoutException(
              "the action waited "
                  + TimeUnit.NANOSECONDS.toMillis(waited)
                  + " ms for the WAL writer and was not sent"));
      return;
    }
    WalRecord record = pending.record;
    try {
      if (record.toEveryPartition()) {
        sendToEveryPartition(pending);
        return;
      }
      producer.send(
          new ProducerRecord<>(topicName, record.key(), record),
          (metadata, exception) -> {
            if (exception == null) {
              pending.acknowledged();
            } else {
              pending.failed(exception);
            }
          });
    } catch (RuntimeException e) {
      // Thrown before the record was queued in the producer: a serialization error, an
      // interrupted wait, or a closed producer. (Timeouts on metadata or buffer space come to
      // the callback instead.)
      pending.failed(e);
    }
  }

  /**
   * Sends one copy of the record to each partition, in partition order, and settles it once:
   * acknowledged when every copy is, failed at the first copy that fails. Copies already sent may
   * land either way; a repeated {@code $disconnect} or heartbeat is harmless.
   */
  private void sendToEveryPartition(Pending pending) {
    WalRecord record = pending.record;
    int partitions = producer.partitionsFor(topicName).size();
    if (partitions == 0) {
      pending.failed(new KafkaException("topic " + topicName + " has no partitions"));
      return;
    }
    AtomicInteger unacknowledged = new AtomicInteger(partitions);
    for (int partition = 0; partition < partitions; partition++) {
      producer.send(
          new ProducerRecord<>(topicName, partition, record.key(), record),
          (metadata, exception) -> {
            if (exception != null) {
              pending.failed(exception);
            } else if (unacknowledged.decrementAndGet() == 0) {
              pending.acknowledged();
            }
          });
    }
  }

  /**
   * The producer's properties: the gateway's fixed choices, timeouts from the budget, overrides.
   */
  static Map<String, Object> producerConfig(
      String bootstrapServers, Duration logWriteTimeout, Map<String, Object> overrides) {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    WriteBudget budget = WriteBudget.of(logWriteTimeout);
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "roomlog-gateway-wal");
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS);
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, budget.maxBlock().toMillis());
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, intMillis(budget.delivery()));
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, intMillis(budget.request()));
    config.putAll(overrides);
    return config;
  }

  /** For the producer's int-typed settings; capping (at 24 days) only shortens a bound. */
  private static int intMillis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
  }
}
