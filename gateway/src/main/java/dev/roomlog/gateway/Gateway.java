package dev.roomlog.gateway;

import dev.roomlog.delivery.DeliveryConsumer;
import dev.roomlog.delivery.DeliverySettings;
import dev.roomlog.gateway.cluster.GatewayHeartbeat;
import dev.roomlog.gateway.cluster.GatewayIdCheck;
import dev.roomlog.gateway.cluster.GatewayIdWatch;
import dev.roomlog.gateway.connection.ConnectionRegistry;
import dev.roomlog.gateway.management.ConnectionCommands;
import dev.roomlog.gateway.management.KafkaControlPublisher;
import dev.roomlog.gateway.management.KafkaWebhookStore;
import dev.roomlog.gateway.management.ManagementApi;
import dev.roomlog.gateway.management.ManagementServer;
import dev.roomlog.gateway.management.RoomQueryForwarder;
import dev.roomlog.gateway.metrics.GatewayMetrics;
import dev.roomlog.gateway.pages.PageHandler;
import dev.roomlog.gateway.pages.PageSite;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.gateway.wal.KafkaWalAppender;
import dev.roomlog.protocol.TopicSet;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One gateway node, and the only way to run one: it assembles the WebSocket server, its
 * write-ahead-log producer, the delivery consumer that pushes frames back to its sockets, the
 * cluster checks and the management API, starts them in the one order that loses nothing, and
 * closes them in the reverse order. The {@code server} module only turns flags into {@link
 * GatewaySettings} and calls {@link #start}.
 *
 * <p>Start order ({@link #startOrder()}; the gateway README lists it and a test compares):
 *
 * <ol>
 *   <li>the gateway id check, before anything else and above all before this node's first
 *       heartbeat, which would evict the members of another gateway running under the same id;
 *   <li>{@code timers}, {@code controls}: what the management API's connection commands need;
 *   <li>{@code delivery}: positioned at the end of this node's deliveries before any client can
 *       connect, so no answer is missed;
 *   <li>{@code wal}: the log producer, warmed up;
 *   <li>{@code server} (created, not yet listening), then {@code heartbeat}: the run's first
 *       heartbeat, acknowledged, goes before any connection's record: it is how the processor
 *       learns that an earlier run of this gateway (a crash) is over and removes its members;
 *   <li>{@code idWatch}: another gateway started under this id at the same moment passed its check
 *       too, and one of the two must stop;
 *   <li>{@code listening}: the server accepts connections;
 *   <li>{@code management}: the management API, when it has a port.
 * </ol>
 *
 * <p>Closing goes the other way, so the {@code $disconnect} of every open socket still reaches the
 * log before the producer closes. A part that fails to start closes the ones started before it.
 */
public final class Gateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  /** How long the management API waits for another gateway to answer about its connection. */
  static final Duration CONNECTION_COMMAND_TIMEOUT = Duration.ofSeconds(5);

  /** How long a server post waits for the room's answer (the log, then the processor). */
  static final Duration ROOM_POST_TIMEOUT = Duration.ofSeconds(10);

  private final ConnectionRegistry registry = new ConnectionRegistry();

  /** Each part is pushed before it starts: its close is safe unstarted. Closed last-in first. */
  private final Deque<NamedPart> parts = new ArrayDeque<>();

  private final List<String> startOrder = new ArrayList<>();
  private final GatewayServer server;
  private final ManagementServer management;

  private record NamedPart(String name, AutoCloseable part) {}

  private Gateway(
      String bootstrapServers,
      TopicSet topics,
      GatewaySettings settings,
      MeterRegistry meters,
      Supplier<String> scrape,
      Consumer<String> onIdConflict) {
    Clock clock = Clock.systemUTC();
    long checkedUpTo =
        GatewayIdCheck.ensureNoOtherRun(
            bootstrapServers,
            topics.actions(),
            settings.gatewayId(),
            settings.heartbeatInterval(),
            clock);
    startOrder.add("idCheck");
    try {
      ScheduledThreadPoolExecutor timers =
          new ScheduledThreadPoolExecutor(
              1,
              runnable -> {
                Thread thread = new Thread(runnable, "roomlog-management-timers");
                thread.setDaemon(true);
                return thread;
              });
      // Most timeouts are cancelled (the answer came): drop them at once rather than keeping
      // each, with its answer, queued for its whole 5 or 10 s.
      timers.setRemoveOnCancelPolicy(true);
      started("timers", timers::shutdownNow);
      KafkaControlPublisher controls =
          started(
              "controls",
              new KafkaControlPublisher(
                  bootstrapServers, topics.deliveries(), settings.gatewayId()));
      ConnectionCommands commands =
          new ConnectionCommands(
              settings.gatewayId(), registry, controls, timers, CONNECTION_COMMAND_TIMEOUT, clock);
      DeliveryConsumer delivery =
          pushed(
              "delivery",
              DeliveryConsumer.create(
                  DeliverySettings.of(bootstrapServers, settings.gatewayId(), topics),
                  registry::deliver,
                  commands::accept,
                  meters));
      delivery.start();
      startOrder.add("delivery");
      GatewayMetrics metrics = new GatewayMetrics(meters);
      KafkaWalAppender wal =
          pushed(
              "wal",
              KafkaWalAppender.create(bootstrapServers, topics.actions(), settings, metrics));
      wal.start();
      startOrder.add("wal");
      KafkaWalAppender beats =
          pushed(
              "heartbeatWal",
              KafkaWalAppender.createForHeartbeats(
                  bootstrapServers, topics.actions(), settings, metrics));
      beats.start();
      startOrder.add("heartbeatWal");
      server =
          started("server", new GatewayServer(settings, wal, registry, clock, metrics, scrape));
      pushed(
              "heartbeat",
              new GatewayHeartbeat(
                  beats,
                  settings.gatewayId(),
                  server.gatewayInstance(),
                  settings.heartbeatInterval(),
                  clock))
          .start(settings.logWriteTimeout());
      startOrder.add("heartbeat");
      started(
          "idWatch",
          GatewayIdWatch.start(
              bootstrapServers,
              topics.actions(),
              settings.gatewayId(),
              server.gatewayInstance(),
              checkedUpTo,
              settings.heartbeatInterval(),
              clock,
              onIdConflict == null
                  ? why -> new Thread(this::close, "roomlog-gateway-stop").start()
                  : onIdConflict));
      server.start();
      startOrder.add("listening");
      management =
          settings.adminPort() >= 0
              ? startManagement(
                  settings,
                  commands,
                  timers,
                  scrape,
                  clock,
                  started(
                      "webhooks",
                      new KafkaWebhookStore(
                          bootstrapServers, topics.webhookSubscriptions(), settings.gatewayId())))
              : null;
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private ManagementServer startManagement(
      GatewaySettings settings,
      ConnectionCommands commands,
      ScheduledThreadPoolExecutor timers,
      Supplier<String> scrape,
      Clock clock,
      KafkaWebhookStore webhooks) {
    ManagementApi api =
        new ManagementApi(
            settings.stage(),
            settings.adminKey(),
            commands,
            server.roomPoster(timers, ROOM_POST_TIMEOUT),
            scrape);
    if (!settings.roomsUrls().isEmpty()) {
      api.withRoomQueries(new RoomQueryForwarder(settings.roomsUrls()));
    }
    Map<String, String> awsKeys = new LinkedHashMap<>();
    settings.awsAccessKeys().forEach(key -> awsKeys.put(key.id(), key.secret()));
    api.withAwsAccessKeys(awsKeys, clock);
    api.withWebhooks(webhooks, clock);
    ManagementServer started =
        pushed(
            "management",
            new ManagementServer(
                settings.adminBindHost(),
                settings.adminPort(),
                api,
                settings.adminTls() ? server.tls() : null));
    if (!"off".equals(settings.pages())) {
      PageSite inspector = PageSite.inspector();
      started.withPages(() -> new PageHandler(inspector, null, "'self'"));
    }
    started.start();
    startOrder.add("management");
    return started;
  }

  /** Keeps {@code part} to close, and records it as started (it starts when made). */
  private <T extends AutoCloseable> T started(String name, T part) {
    pushed(name, part);
    startOrder.add(name);
    return part;
  }

  /** Keeps {@code part} to close before its start, so a failed start closes it too. */
  private <T extends AutoCloseable> T pushed(String name, T part) {
    parts.push(new NamedPart(name, Objects.requireNonNull(part, name)));
    return part;
  }

  /**
   * A node whose meters nobody reads, with no {@code /metrics}, that closes itself if another
   * gateway started under its id at the same moment and it is the one to give way.
   */
  public static Gateway start(String bootstrapServers, TopicSet topics, GatewaySettings settings) {
    return start(bootstrapServers, topics, settings, new SimpleMeterRegistry(), null, null);
  }

  /**
   * Starts a gateway node; returns once it accepts connections (and its management API, if it has a
   * port, requests).
   *
   * @param meters where the gateway's, its delivery consumer's and its Kafka clients' meters go
   * @param scrape the answer to {@code GET /metrics} on the WebSocket and management ports; null
   *     for none
   * @param onIdConflict told why when another gateway started under this id at the same moment and
   *     this one must stop ({@link GatewayIdWatch}); null to close this node
   * @throws RuntimeException when a part cannot start (another run holds the id, Kafka cannot be
   *     reached, a port is taken); what had started is closed
   */
  public static Gateway start(
      String bootstrapServers,
      TopicSet topics,
      GatewaySettings settings,
      MeterRegistry meters,
      Supplier<String> scrape,
      Consumer<String> onIdConflict) {
    return new Gateway(bootstrapServers, topics, settings, meters, scrape, onIdConflict);
  }

  /** The WebSocket port it listens on (the one picked, when the settings said 0). */
  public int port() {
    return server.port();
  }

  /** The management API's port; -1 when this node has none. */
  public int managementPort() {
    return management == null ? -1 : management.port();
  }

  /**
   * What started, in order: {@code idCheck, timers, controls, delivery, wal, server, heartbeat,
   * idWatch, listening} and {@code management} when it has a port. Closing runs backwards.
   */
  public List<String> startOrder() {
    return List.copyOf(startOrder);
  }

  /** Closes every part that started, last first; goes on past a part that fails to close. */
  @Override
  public synchronized void close() {
    while (!parts.isEmpty()) {
      NamedPart next = parts.pop();
      try {
        next.part().close();
      } catch (Exception e) {
        LOG.warn("Closing the gateway's {} failed; going on with the rest", next.name(), e);
      }
    }
  }
}
