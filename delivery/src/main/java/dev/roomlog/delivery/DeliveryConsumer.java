package dev.roomlog.delivery;

import dev.roomlog.protocol.control.GatewayControl;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the deliveries addressed to one gateway node and hands each to a {@link ConnectionSink}.
 *
 * <p>It assigns itself the single partition that the gatewayId key maps to (see {@link
 * GatewayPartition}), with no consumer group, and starts at the end of it: deliveries written
 * before this node started are for sockets that no longer exist. It reads with {@code
 * isolation.level=read_committed}, so a delivery from an aborted processor transaction is never
 * sent. Records keyed by other gateways that share the partition are skipped without parsing.
 *
 * <p>Error policy: a record that cannot be read is logged and skipped; an exception from the sink
 * is logged and the next record is delivered; a Kafka error in {@code poll} is logged and polling
 * resumes after a short back-off. Nothing stops the loop except {@link #close()}.
 *
 * <p>Lifecycle and threading: {@link #start()} once, then {@link #close()} once, from any one
 * thread. The Kafka consumer lives on this object's own thread; the sink is called there.
 */
public final class DeliveryConsumer implements AutoCloseable {
  /** How long a fetch may go unanswered before the consumer tries the partition's leader anew. */
  static final int REQUEST_TIMEOUT_MS = 10_000;

  private static final Logger log = LoggerFactory.getLogger(DeliveryConsumer.class);

  static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration METADATA_RETRY = Duration.ofMillis(100);
  private static final Duration ERROR_BACKOFF = Duration.ofSeconds(1);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private final DeliverySettings settings;
  private final ConnectionSink sink;
  private final ControlSink controls;
  private final Supplier<Consumer<byte[], byte[]>> consumerFactory;
  private final Duration startTimeout;
  private final DeliveryRouter router;
  private final DeliveryMetrics metrics;
  private final Clock clock;

  private final CompletableFuture<TopicPartition> positioned = new CompletableFuture<>();
  private final CountDownLatch closing = new CountDownLatch(1);
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong skippedOtherGateway = new AtomicLong();
  private final AtomicLong unreadable = new AtomicLong();
  private final AtomicLong sinkFailures = new AtomicLong();
  private final AtomicLong controlMessages = new AtomicLong();

  private volatile Consumer<byte[], byte[]> consumer;

  /** The Kafka consumer's own metrics on the registry; closed with the consumer. */
  private volatile AutoCloseable consumerMetrics;

  private Thread thread;

  /** A consumer whose meters nobody reads, taking no control messages. */
  public DeliveryConsumer(DeliverySettings settings, ConnectionSink sink) {
    this(settings, sink, DeliveryConsumer::noControls, new SimpleMeterRegistry());
  }

  /**
   * @param registry where the delivery latency, record counts, lag and the Kafka consumer's own
   *     metrics go
   */
  public DeliveryConsumer(DeliverySettings settings, ConnectionSink sink, MeterRegistry registry) {
    this(settings, sink, DeliveryConsumer::noControls, registry);
  }

  /** With {@code controls} taking the management API's control messages for this gateway. */
  public DeliveryConsumer(
      DeliverySettings settings,
      ConnectionSink sink,
      ControlSink controls,
      MeterRegistry registry) {
    this(
        settings,
        sink,
        controls,
        () -> newKafkaConsumer(settings),
        START_TIMEOUT,
        new DeliveryMetrics(registry),
        Clock.systemUTC());
  }

  DeliveryConsumer(
      DeliverySettings settings,
      ConnectionSink sink,
      Supplier<Consumer<byte[], byte[]>> consumerFactory,
      Duration startTimeout) {
    this(
        settings,
        sink,
        consumerFactory,
        startTimeout,
        new DeliveryMetrics(new SimpleMeterRegistry()),
        Clock.systemUTC());
  }

  DeliveryConsumer(
      DeliverySettings settings,
      ConnectionSink sink,
      Supplier<Consumer<byte[], byte[]>> consumerFactory,
      Duration startTimeout,
      DeliveryMetrics metrics,
      Clock clock) {
    this(
        settings,
        sink,
        DeliveryConsumer::noControls,
        consumerFactory,
        startTimeout,
        metrics,
        clock);
  }

  /**
   * @param clock the time a delivery is measured against its record's timestamp
   */
  DeliveryConsumer(
      DeliverySettings settings,
      ConnectionSink sink,
      ControlSink controls,
      Supplier<Consumer<byte[], byte[]>> consumerFactory,
      Duration startTimeout,
      DeliveryMetrics metrics,
      Clock clock) {
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.controls = Objects.requireNonNull(controls, "controls");
    this.consumerFactory = Objects.requireNonNull(consumerFactory, "consumerFactory");
    this.startTimeout = Objects.requireNonNull(startTimeout, "startTimeout");
    this.router = DeliveryRouter.of(settings);
  }

  /**
   * Starts the consumer thread and returns once it is assigned its partition and positioned at the
   * end of it, so that no delivery produced after this method returns is missed.
   *
   * @throws IllegalStateException if it was started before, or could not be positioned within the
   *     start timeout (30 s); the consumer is closed in that case
   */
  public synchronized void start() {
    if (thread != null) {
      throw new IllegalStateException("the delivery consumer was already started");
    }
    consumer = consumerFactory.get();
    metrics.bindCounts(this);
    consumerMetrics = metrics.bindConsumer(consumer);
    thread = new Thread(this::run, "roomlog-delivery-" + settings.gatewayId());
    thread.setDaemon(true);
    thread.start();
    try {
      TopicPartition partition = positioned.get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
      log.info(
          "delivery consumer of gateway {} reads {} from its end", settings.gatewayId(), partition);
    } catch (TimeoutException e) {
      close();
      throw new IllegalStateException(
          "the delivery consumer of gateway "
              + settings.gatewayId()
              + " was not positioned on topic "
              + settings.topic().name()
              + " within "
              + startTimeout
              + ": is Kafka at "
              + settings.bootstrapServers()
              + " reachable and does the topic exist?",
          e);
    } catch (ExecutionException e) {
      close();
      throw new IllegalStateException(
          "the delivery consumer of gateway "
              + settings.gatewayId()
              + " could not be positioned on topic "
              + settings.topic().name()
              + ": "
              + e.getCause().getMessage(),
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IllegalStateException("interrupted while starting the delivery consumer", e);
    }
  }

  /** Stops the thread (wakeup + bounded join) and closes the Kafka consumer. Idempotent. */
  @Override
  public synchronized void close() {
    closing.countDown();
    Consumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    if (thread != null && thread != Thread.currentThread()) {
      try {
        thread.join(CLOSE_TIMEOUT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (thread.isAlive()) {
        log.warn("the delivery consumer thread did not stop within {}", CLOSE_TIMEOUT);
      }
    }
  }

  long deliveredCount() {
    return delivered.get();
  }

  long skippedOtherGatewayCount() {
    return skippedOtherGateway.get();
  }

  long unreadableCount() {
    return unreadable.get();
  }

  long controlCount() {
    return controlMessages.get();
  }

  long sinkFailureCount() {
    return sinkFailures.get();
  }

  private boolean isClosing() {
    return closing.getCount() == 0;
  }

  private void run() {
    Consumer<byte[], byte[]> c = consumer;
    try {
      TopicPartition partition = positionAtEnd(c);
      positioned.complete(partition);
      while (!isClosing()) {
        pollOnce(c);
        // What the consumer knows from its last fetch; no request of its own.
        OptionalLong lag = c.currentLag(partition);
        if (lag.isPresent()) {
          metrics.lag(lag.getAsLong());
        }
      }
    } catch (WakeupException e) {
      if (!isClosing()) {
        log.error("delivery consumer woken up unexpectedly; it stops", e);
      }
      positioned.completeExceptionally(e);
    } catch (RuntimeException e) {
      log.error("delivery consumer of gateway {} stopped", settings.gatewayId(), e);
      positioned.completeExceptionally(e);
    } finally {
      try {
        c.close(CloseOptions.timeout(CLOSE_TIMEOUT));
      } catch (RuntimeException e) {
        log.warn("error while closing the delivery consumer", e);
      }
      closeConsumerMetrics();
    }
  }

  private void closeConsumerMetrics() {
    AutoCloseable bound = consumerMetrics;
    if (bound != null) {
      try {
        bound.close();
      } catch (Exception e) {
        log.warn("could not unbind the delivery consumer's metrics", e);
      }
    }
  }

  private TopicPartition positionAtEnd(Consumer<byte[], byte[]> c) {
    long deadline = System.nanoTime() + startTimeout.toNanos();
    String topic = settings.topic().name();
    List<PartitionInfo> partitions = List.of();
    while (partitions.isEmpty()) {
      if (isClosing()) {
        throw new WakeupException();
      }
      Duration left = Duration.ofNanos(deadline - System.nanoTime());
      if (left.isNegative() || left.isZero()) {
        throw new KafkaException("topic " + topic + " has no partitions (does it exist?)");
      }
      List<PartitionInfo> found = c.partitionsFor(topic, left);
      partitions = found == null ? List.of() : found;
      if (partitions.isEmpty()) {
        // An unknown topic answers at once: do not hammer the broker while it is being created.
        awaitClosing(METADATA_RETRY);
      }
    }
    int index = GatewayPartition.of(router.ownKey(), partitions.size());
    TopicPartition partition = new TopicPartition(topic, index);
    c.assign(List.of(partition));
    c.seekToEnd(List.of(partition));
    // seekToEnd is lazy; position() performs the lookup, so after it nothing new can be missed.
    c.position(partition, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
    return partition;
  }

  private void pollOnce(Consumer<byte[], byte[]> c) {
    ConsumerRecords<byte[], byte[]> records;
    try {
      records = c.poll(POLL_TIMEOUT);
    } catch (WakeupException e) {
      if (isClosing()) {
        return;
      }
      throw e;
    } catch (KafkaException e) {
      log.error("polling the deliveries failed; retrying in {}", ERROR_BACKOFF, e);
      awaitClosing(ERROR_BACKOFF);
      return;
    }
    for (ConsumerRecord<byte[], byte[]> record : records) {
      handle(record);
    }
  }

  private static void noControls(GatewayControl message) {
    log.warn("this gateway takes no control messages; skipping {}", message);
  }

  private void handle(ConsumerRecord<byte[], byte[]> record) {
    Header kind = record.headers().lastHeader(GatewayControl.KIND_HEADER);
    DeliveryRouter.Route route =
        router.route(
            record.key(),
            record.value(),
            kind == null || kind.value() == null
                ? null
                : new String(kind.value(), StandardCharsets.UTF_8));
    if (route instanceof DeliveryRouter.Route.Control control) {
      try {
        controls.accept(control.message());
        controlMessages.incrementAndGet();
      } catch (RuntimeException e) {
        sinkFailures.incrementAndGet();
        log.error("the control sink failed on {}; going on with the next", control.message(), e);
      }
    } else if (route instanceof DeliveryRouter.Route.Deliver deliver) {
      try {
        sink.deliver(deliver.delivery().connectionIds(), deliver.delivery().frame());
        delivered.incrementAndGet();
        // The processor stamps a delivery with the time of the action record that caused it,
        // which the gateway's producer stamped when it sent the action (CreateTime).
        if (record.timestamp() >= 0) {
          metrics.delivered(clock.millis() - record.timestamp());
        }
      } catch (RuntimeException e) {
        sinkFailures.incrementAndGet();
        log.error(
            "the connection sink failed on delivery {}-{}@{}; going on with the next",
            record.topic(),
            record.partition(),
            record.offset(),
            e);
      }
    } else if (route instanceof DeliveryRouter.Route.Unreadable bad) {
      unreadable.incrementAndGet();
      log.warn(
          "skipping unreadable delivery {}-{}@{}: {}",
          record.topic(),
          record.partition(),
          record.offset(),
          bad.reason());
    } else {
      skippedOtherGateway.incrementAndGet();
    }
  }

  private void awaitClosing(Duration timeout) {
    try {
      closing.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closing.countDown();
    }
  }

  private static Consumer<byte[], byte[]> newKafkaConsumer(DeliverySettings settings) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "roomlog-delivery-" + settings.gatewayId());
    // Deliveries come from exactly-once processor transactions: never send an aborted one.
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // No group: the partition is assigned by hand, and positions are never committed.
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    // Never create the topic by accident with broker defaults; the deployment creates it.
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    // A fetch sent to a frozen broker (a long GC pause, a hung host) is noticed only when it
    // times out; Kafka's 30 s default would hold every answer to this gateway's clients that
    // long after the partition's leadership has moved.
    config.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, REQUEST_TIMEOUT_MS);
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
