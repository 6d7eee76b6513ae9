package dev.roomlog.integrations;

import dev.roomlog.protocol.integration.ParkedCall;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The integrations worker: the module's one entry point. Starts one thread that reads room-events
 * as a member of the consumer group {@code integrationsGroupId} and calls the webhook
 * subscriptions' endpoints (README.md has the guarantees). {@link #close()} stops it: the loop
 * finishes its iteration, flushes the producer and commits what is done, within 30 s.
 */
public final class Integrations implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Integrations.class);
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<String, ParkedCall> producer;
  private final IntegrationsLoop loop;
  private final Thread thread;
  private final int subscriptions;

  private Integrations(IntegrationsSettings settings, Consumer<Throwable> onFatal) {
    Subscriptions subs =
        settings.webhooksFile() == null
            ? Subscriptions.NONE
            : Subscriptions.read(settings.webhooksFile());
    this.subscriptions = subs.all().size();
    this.consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                settings.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                settings.groupId(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                // room-events is written in the processor's transactions
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                // each partition of room-events with the same one of the retry topic
                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                RangeAssignor.class.getName(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                500,
                ConsumerConfig.CLIENT_ID_CONFIG,
                "roomlog-integrations"),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    this.producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                settings.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.LINGER_MS_CONFIG,
                5,
                ProducerConfig.CLIENT_ID_CONFIG,
                "roomlog-integrations"),
            new StringSerializer(),
            settings.topics().webhookRetry().valueSerde().serializer());
    Random random = new Random();
    RetryDecider decider =
        new RetryDecider(
            new Backoff(settings.retryBaseDelay(), settings.retryMaxDelay(), random::nextDouble),
            settings.inMemoryAttempts(),
            settings.retryMaxDelay());
    this.loop =
        new IntegrationsLoop(
            settings,
            subs,
            consumer,
            producer,
            new HttpCaller(settings.callTimeout()),
            decider,
            Clock.systemUTC());
    this.thread =
        new Thread(
            () -> {
              loop.run();
              Throwable failure = loop.fatal();
              if (failure != null) {
                LOG.error("The integrations worker stopped", failure);
                onFatal.accept(failure);
              }
            },
            "roomlog-integrations");
  }

  /**
   * Reads the subscriptions (a bad file fails here, naming the subscription and field) and starts
   * the worker's thread. {@code onFatal} is told if the worker stops on its own (Kafka refused to
   * take a parked call or a dead letter): the command exits, so a supervisor restarts it.
   */
  public static Integrations start(IntegrationsSettings settings, Consumer<Throwable> onFatal) {
    Integrations integrations = new Integrations(settings, onFatal);
    integrations.thread.start();
    return integrations;
  }

  /** The webhook subscriptions it serves. */
  public int subscriptions() {
    return subscriptions;
  }

  @Override
  public void close() {
    loop.stop();
    consumer.wakeup();
    try {
      thread.join(CLOSE_WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      LOG.warn("The integrations worker did not stop within {}", CLOSE_WAIT);
    } else {
      consumer.close();
    }
    producer.close(Duration.ofSeconds(5));
  }
}
