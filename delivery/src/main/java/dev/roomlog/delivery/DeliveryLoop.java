package dev.roomlog.delivery;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of the delivery consumer's thread: positions the Kafka consumer at the end of its
 * partition, then polls and hands each record to the {@link RecordDispatcher} until the stop signal
 * is raised, and finally closes the Kafka consumer and unbinds its metrics.
 *
 * <p>Error policy: a Kafka error in {@code poll} is logged and polling resumes after a back-off
 * (cut short by the stop signal); anything else ends the loop, logged.
 *
 * <p>Threading: {@link #run()} on one thread, once; {@link #wakeup()} from any. It owns the Kafka
 * consumer it is given and closes it.
 */
final class DeliveryLoop implements Runnable {
  // The consumer's own logger: its log lines keep one name whichever part writes them.
  private static final Logger log = LoggerFactory.getLogger(DeliveryConsumer.class);

  private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration ERROR_BACKOFF = Duration.ofSeconds(1);
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private final String gatewayId;
  private final Consumer<byte[], byte[]> consumer;
  private final AutoCloseable consumerMetrics;
  private final EndOfPartition start;
  private final RecordDispatcher dispatcher;
  private final DeliveryMetrics metrics;
  private final StopSignal stop;
  private final CompletableFuture<TopicPartition> positioned = new CompletableFuture<>();

  /**
   * @param consumer the Kafka consumer, closed when the loop ends
   * @param consumerMetrics the Kafka consumer's own metrics on the registry, unbound after it
   */
  DeliveryLoop(
      String gatewayId,
      Consumer<byte[], byte[]> consumer,
      AutoCloseable consumerMetrics,
      EndOfPartition start,
      RecordDispatcher dispatcher,
      DeliveryMetrics metrics,
      StopSignal stop) {
    this.gatewayId = Objects.requireNonNull(gatewayId, "gatewayId");
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.consumerMetrics = Objects.requireNonNull(consumerMetrics, "consumerMetrics");
    this.start = Objects.requireNonNull(start, "start");
    this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.stop = Objects.requireNonNull(stop, "stop");
  }

  /**
   * Completes with the partition once the consumer is positioned at its end; exceptionally if the
   * loop ends before that.
   */
  CompletableFuture<TopicPartition> positioned() {
    return positioned;
  }

  /** Interrupts a blocking poll or metadata wait; raise the stop signal first. */
  void wakeup() {
    consumer.wakeup();
  }

  @Override
  public void run() {
    try {
      TopicPartition partition = start.assignAtEnd(consumer);
      positioned.complete(partition);
      while (!stop.isRaised()) {
        pollOnce();
        // What the consumer knows from its last fetch; no request of its own.
        OptionalLong lag = consumer.currentLag(partition);
        if (lag.isPresent()) {
          metrics.lag(lag.getAsLong());
        }
      }
    } catch (WakeupException e) {
      if (!stop.isRaised()) {
        log.error("delivery consumer woken up unexpectedly; it stops", e);
      }
      positioned.completeExceptionally(e);
    } catch (RuntimeException e) {
      log.error("delivery consumer of gateway {} stopped", gatewayId, e);
      positioned.completeExceptionally(e);
    } finally {
      try {
        consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
      } catch (RuntimeException e) {
        log.warn("error while closing the delivery consumer", e);
      }
      unbindConsumerMetrics();
    }
  }

  private void pollOnce() {
    ConsumerRecords<byte[], byte[]> records;
    try {
      records = consumer.poll(POLL_TIMEOUT);
    } catch (WakeupException e) {
      if (stop.isRaised()) {
        return;
      }
      throw e;
    } catch (KafkaException e) {
      log.error("polling the deliveries failed; retrying in {}", ERROR_BACKOFF, e);
      stop.await(ERROR_BACKOFF);
      return;
    }
    for (ConsumerRecord<byte[], byte[]> record : records) {
      dispatcher.dispatch(record);
    }
  }

  private void unbindConsumerMetrics() {
    try {
      consumerMetrics.close();
    } catch (Exception e) {
      log.warn("could not unbind the delivery consumer's metrics", e);
    }
  }
}
