package dev.roomlog.integrations;

import dev.roomlog.protocol.integration.RouteEvent;
import dev.roomlog.protocol.integration.Routes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The integrations worker: the module's one entry point. Starts one thread that reads room-events
 * as a member of the consumer group {@code integrationsGroupId} and calls the webhook
 * subscriptions' endpoints, and, when routes are configured, a second that reads the actions as a
 * member of {@code integrationsGroupId + "-routes"} and calls the routes' backends (README.md has
 * the guarantees). {@link #close()} stops them: each loop finishes its iteration, flushes its
 * producer and commits what is done, within 30 s.
 */
public final class Integrations implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Integrations.class);
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

  /**
   * How long the group waits for a silent worker before giving its partitions to another (or to
   * itself restarted): a killed worker's rooms and connections get no call meanwhile. Kafka's
   * default (45 s) held every call for that long after a SIGKILL (IntegrationsKillIT); 10 s is the
   * room processor's (RoomTopology), above the broker's minimum (6 s) with three heartbeats in it.
   */
  static final int SESSION_TIMEOUT_MS = 10_000;

  /** The suffix of the routes loop's consumer group. */
  static final String ROUTES_GROUP_SUFFIX = "-routes";

  private final List<Worker> workers = new ArrayList<>();
  private final SubscriptionsReader managedSubscriptions;
  private final int subscriptions;
  private final int routes;

  /** One loop with its Kafka clients and thread. */
  private record Worker(
      KafkaConsumer<byte[], byte[]> consumer,
      KafkaProducer<String, byte[]> producer,
      IntegrationsLoop loop,
      Thread thread) {}

  private Integrations(IntegrationsSettings settings, Consumer<Throwable> onFatal) {
    Subscriptions subs =
        settings.webhooksFile() == null
            ? new Subscriptions(List.of())
            : Subscriptions.read(settings.webhooksFile());
    this.managedSubscriptions =
        new SubscriptionsReader(
            subscriptionsConsumer(settings), settings.topics().webhookSubscriptions(), subs);
    Routes routeTable =
        settings.routesFile() == null ? Routes.NONE : Routes.read(settings.routesFile());
    this.subscriptions = subs.fromFile();
    RouteCalls routeCalls =
        new RouteCalls(
            routeTable, new RouteEvent.Place(settings.routeDomainName(), RouteEvent.STAGE));
    this.routes = routeCalls.any() ? routeTable.all().size() : 0;
    String events = settings.topics().roomEvents().name();
    workers.add(
        worker(
            settings,
            settings.groupId(),
            "roomlog-integrations",
            consumer ->
                new WebhookFeed(
                    events,
                    subs,
                    settings.topics().roomEvents().valueSerde().deserializer(),
                    managedSubscriptions::refresh),
            onFatal));
    if (routeCalls.any()) {
      String actions = settings.topics().actions().name();
      workers.add(
          worker(
              settings,
              settings.groupId() + ROUTES_GROUP_SUFFIX,
              "roomlog-integrations-routes",
              consumer ->
                  new RouteFeed(
                      actions,
                      settings.topics().deliveries().name(),
                      routeCalls,
                      settings.topics().actions().valueSerde().deserializer(),
                      settings.topics().deliveries().valueSerde().serializer(),
                      () -> consumer.partitionsFor(actions).size()),
              onFatal));
    }
  }

  /** Reads the managed subscriptions: every partition, no group, nothing committed. */
  private static KafkaConsumer<String, byte[]> subscriptionsConsumer(
      IntegrationsSettings settings) {
    return new KafkaConsumer<>(
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            settings.bootstrapServers(),
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false,
            // a topic made by a broker's auto-creation would not be compacted
            ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
            false,
            ConsumerConfig.CLIENT_ID_CONFIG,
            "roomlog-integrations-subscriptions"),
        new StringDeserializer(),
        new ByteArrayDeserializer());
  }

  private static Worker worker(
      IntegrationsSettings settings,
      String groupId,
      String name,
      java.util.function.Function<KafkaConsumer<byte[], byte[]>, Feed> feed,
      Consumer<Throwable> onFatal) {
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                settings.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                groupId,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                // room-events is written in the processor's transactions
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                // each partition of the feed's topic with the same one of the retry topic
                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                RangeAssignor.class.getName(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                500,
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
                SESSION_TIMEOUT_MS,
                ConsumerConfig.CLIENT_ID_CONFIG,
                name),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    KafkaProducer<String, byte[]> producer =
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
                name),
            new StringSerializer(),
            new ByteArraySerializer());
    Random random = new Random();
    RetryDecider decider =
        new RetryDecider(
            new Backoff(settings.retryBaseDelay(), settings.retryMaxDelay(), random::nextDouble),
            settings.inMemoryAttempts(),
            settings.retryMaxDelay());
    IntegrationsLoop loop =
        new IntegrationsLoop(
            settings,
            feed.apply(consumer),
            consumer,
            producer,
            new HttpCaller(settings.callTimeout()),
            decider,
            Clock.systemUTC());
    Thread thread =
        new Thread(
            () -> {
              loop.run();
              Throwable failure = loop.fatal();
              if (failure != null) {
                LOG.error("The integrations worker ({}) stopped", name, failure);
                onFatal.accept(failure);
              }
            },
            name);
    return new Worker(consumer, producer, loop, thread);
  }

  /**
   * Reads the subscriptions and routes (a bad file fails here, naming the subscription or route and
   * the field) and starts the worker's threads. {@code onFatal} is told if a loop stops on its own
   * (Kafka refused to take a parked call, a dead letter or a two-way answer): the command exits, so
   * a supervisor restarts it.
   */
  public static Integrations start(IntegrationsSettings settings, Consumer<Throwable> onFatal) {
    Integrations integrations = new Integrations(settings, onFatal);
    integrations.workers.forEach(w -> w.thread().start());
    return integrations;
  }

  /** The webhook subscriptions of its file (the managed ones come and go while it runs). */
  public int subscriptions() {
    return subscriptions;
  }

  /** The routes it calls (0 when only a {@code $connect} route, the gateway's, is configured). */
  public int routes() {
    return routes;
  }

  @Override
  public void close() {
    for (Worker w : workers) {
      w.loop().stop();
      w.consumer().wakeup();
    }
    for (Worker w : workers) {
      try {
        w.thread().join(CLOSE_WAIT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (w.thread().isAlive()) {
        LOG.warn(
            "The integrations worker ({}) did not stop within {}",
            w.thread().getName(),
            CLOSE_WAIT);
      } else {
        w.consumer().close();
      }
      w.producer().close(Duration.ofSeconds(5));
    }
    // Used by the webhooks loop's thread: closed once it has stopped.
    if (workers.get(0).thread().isAlive()) {
      return;
    }
    managedSubscriptions.close();
  }
}
