package dev.roomlog.delivery;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.clients.consumer.Consumer;

/**
 * The delivery consumer's meters, named {@code roomlog.delivery.*} (Prometheus: {@code
 * roomlog_delivery_*}): the end-to-end latency of each delivery, what became of the records read,
 * and how far the consumer is behind the end of its partition. docs/OPERATIONS.md says exactly what
 * the latency measures.
 *
 * <p>Thread-safe; the latency and lag are recorded on the consumer's thread, read by any.
 */
final class DeliveryMetrics {
  private final MeterRegistry registry;
  private final Timer latency;
  private final AtomicLong lag = new AtomicLong();

  DeliveryMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.latency =
        Timer.builder("roomlog.delivery.latency")
            .description(
                "From the action record's timestamp (when the gateway's WAL writer handed it to"
                    + " the producer) until its delivery was handed to the sockets' event loops")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(60))
            .register(registry);
    Gauge.builder("roomlog.delivery.lag", lag, AtomicLong::get)
        .description("Records between the consumer's position and the end of its partition")
        .baseUnit("records")
        .register(registry);
  }

  /** One delivery handed to the sockets {@code millis} after its action record's timestamp. */
  void delivered(long millis) {
    // A clock behind the record's (another gateway's machine) cannot make it negative.
    latency.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
  }

  /** Records behind the end of the partition, as the consumer last knew it. */
  void lag(long records) {
    lag.set(records);
  }

  /** The consumer's record counts, read from them rather than counted twice. */
  void bindCounts(DeliveryCounts counts) {
    counter(counts, "delivered", DeliveryCounts::deliveredCount);
    counter(counts, "otherGateway", DeliveryCounts::skippedOtherGatewayCount);
    counter(counts, "unreadable", DeliveryCounts::unreadableCount);
    counter(counts, "sinkFailed", DeliveryCounts::sinkFailureCount);
    counter(counts, "control", DeliveryCounts::controlCount);
    counter(counts, "membership", DeliveryCounts::membershipChangeCount);
  }

  private void counter(
      DeliveryCounts counts, String result, ToDoubleFunction<DeliveryCounts> count) {
    FunctionCounter.builder("roomlog.delivery.records", counts, count)
        .description("Delivery records read, by what became of them")
        .tag("result", result)
        .register(registry);
  }

  /**
   * Binds the Kafka consumer's own metrics ({@code kafka_consumer_*}); close it with the consumer.
   */
  AutoCloseable bindConsumer(Consumer<?, ?> consumer) {
    KafkaClientMetrics metrics = new KafkaClientMetrics(consumer);
    metrics.bindTo(registry);
    return metrics;
  }
}
