package dev.roomlog.delivery;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the deliveries addressed to one gateway node and hands each to a {@link ConnectionSink}
 * (control messages to a {@link ControlSink}). The delivery module's one entry point: {@link
 * #create} wires it for production; it owns its thread's start and stop.
 *
 * <p>It assigns itself the single partition that the gatewayId key maps to (see {@link
 * GatewayPartition}), with no consumer group, and starts at the end of it ({@link EndOfPartition}).
 * It reads with {@code isolation.level=read_committed}, so a delivery from an aborted processor
 * transaction is never sent. What a record becomes is {@link DeliveryRouter}'s decision, carried
 * out by {@link RecordDispatcher}; the thread runs {@link DeliveryLoop}.
 *
 * <p>Error policy: a record that cannot be read is logged and skipped; an exception from the sink
 * is logged and the next record is delivered; a Kafka error in {@code poll} is logged and polling
 * resumes after a short back-off. Nothing stops the loop except {@link #close()}.
 *
 * <p>Lifecycle and threading: {@link #start()} once, then {@link #close()} once, from any one
 * thread. The Kafka consumer lives on this object's own thread; the sinks are called there.
 */
public final class DeliveryConsumer implements AutoCloseable {
  /** How long a fetch may go unanswered before the consumer tries the partition's leader anew. */
  static final int REQUEST_TIMEOUT_MS = 10_000;

  static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private static final Logger log = LoggerFactory.getLogger(DeliveryConsumer.class);

  private final DeliverySettings settings;
  private final Supplier<Consumer<byte[], byte[]>> consumerFactory;
  private final Duration startTimeout;
  private final DeliveryMetrics metrics;
  private final DeliveryCounts counts = new DeliveryCounts();
  private final StopSignal stop = new StopSignal();
  private final EndOfPartition endOfPartition;
  private final RecordDispatcher dispatcher;

  /** Set by {@link #start()}; both guarded by this. */
  private DeliveryLoop loop;

  private Thread thread;

  /**
   * The consumer of production: a {@link KafkaConsumer} for {@code settings}, started within 30 s,
   * its meters on {@code registry}, deliveries timed by the system clock.
   *
   * @param sink takes the frames addressed to this gateway's connections
   * @param controls takes the management API's control messages for this gateway
   * @param registry where the delivery latency, record counts, lag and the Kafka consumer's own
   *     metrics go
   */
  public static DeliveryConsumer create(
      DeliverySettings settings,
      ConnectionSink sink,
      ControlSink controls,
      MeterRegistry registry) {
    return new DeliveryConsumer(
        settings,
        sink,
        controls,
        () -> newKafkaConsumer(settings),
        START_TIMEOUT,
        new DeliveryMetrics(registry),
        Clock.systemUTC());
  }

  /**
   * @param consumerFactory makes the Kafka consumer, once, in {@link #start()}
   * @param startTimeout how long {@link #start()} waits to be positioned
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
    this.settings = Objects.requireNonNull(settings, "settings");
    this.consumerFactory = Objects.requireNonNull(consumerFactory, "consumerFactory");
    this.startTimeout = Objects.requireNonNull(startTimeout, "startTimeout");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    DeliveryRouter router = DeliveryRouter.of(settings);
    this.endOfPartition =
        new EndOfPartition(settings.topic().name(), router.ownKey(), startTimeout, stop);
    this.dispatcher = new RecordDispatcher(router, sink, controls, counts, metrics, clock);
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
    Consumer<byte[], byte[]> consumer = consumerFactory.get();
    metrics.bindCounts(counts);
    AutoCloseable consumerMetrics = metrics.bindConsumer(consumer);
    loop =
        new DeliveryLoop(
            settings.gatewayId(),
            consumer,
            consumerMetrics,
            endOfPartition,
            dispatcher,
            metrics,
            stop);
    thread = new Thread(loop, "roomlog-delivery-" + settings.gatewayId());
    thread.setDaemon(true);
    thread.start();
    try {
      TopicPartition partition =
          loop.positioned().get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
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
    stop.raise();
    if (loop != null) {
      loop.wakeup();
    }
    if (thread != null && thread != Thread.currentThread()) {
      try {
        thread.join(DeliveryLoop.CLOSE_TIMEOUT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (thread.isAlive()) {
        log.warn("the delivery consumer thread did not stop within {}", DeliveryLoop.CLOSE_TIMEOUT);
      }
    }
  }

  /** What became of the records read so far. */
  DeliveryCounts counts() {
    return counts;
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
