package dev.roomlog.server;

import dev.roomlog.delivery.DeliveryConsumer;
import dev.roomlog.delivery.DeliverySettings;
import dev.roomlog.gateway.GatewayMetrics;
import dev.roomlog.gateway.GatewayServer;
import dev.roomlog.gateway.GatewaySettings;
import dev.roomlog.gateway.cluster.GatewayHeartbeat;
import dev.roomlog.gateway.cluster.GatewayIdCheck;
import dev.roomlog.gateway.cluster.GatewayIdWatch;
import dev.roomlog.gateway.connection.ConnectionRegistry;
import dev.roomlog.gateway.management.ConnectionCommands;
import dev.roomlog.gateway.management.KafkaControlPublisher;
import dev.roomlog.gateway.management.ManagementApi;
import dev.roomlog.gateway.management.ManagementServer;
import dev.roomlog.gateway.management.RoomQueryForwarder;
import dev.roomlog.gateway.wal.KafkaWalAppender;
import dev.roomlog.protocol.TopicSet;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One gateway node: the WebSocket server, its write-ahead-log producer, and the delivery consumer
 * that pushes frames back to its sockets, wired together.
 *
 * <p>Start order: delivery first (positioned at the end of this node's deliveries before any client
 * can connect, so no answer is missed), then the log producer, then the server. Close order is the
 * reverse, so that the {@code $disconnect} of every open socket still reaches the log before the
 * producer closes.
 */
final class GatewayNode implements AutoCloseable {
  private final ConnectionRegistry registry = new ConnectionRegistry();

  /**
   * Each part is pushed before it starts: its close is safe unstarted, and a failed start closes
   * it.
   */
  private final Stack parts = new Stack();

  private final GatewayServer server;
  private final ManagementServer management;

  /** How long the management API waits for another gateway to answer about its connection. */
  static final Duration CONNECTION_COMMAND_TIMEOUT = Duration.ofSeconds(5);

  /** How long a server post waits for the room's answer (the log, then the processor). */
  static final Duration ROOM_POST_TIMEOUT = Duration.ofSeconds(10);

  private GatewayNode(
      String bootstrapServers,
      TopicSet topics,
      GatewaySettings settings,
      MeterRegistry meters,
      Supplier<String> scrape,
      Consumer<String> onIdConflict) {
    // Before anything else, above all before this node's first heartbeat, which would evict
    // the members of another gateway running under the same id.
    long checkedUpTo =
        GatewayIdCheck.ensureNoOtherRun(
            bootstrapServers,
            topics.actions(),
            settings.gatewayId(),
            settings.heartbeatInterval(),
            Clock.systemUTC());
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
      parts.push(timers::shutdownNow);
      KafkaControlPublisher controls =
          parts.push(
              new KafkaControlPublisher(
                  bootstrapServers, topics.deliveries(), settings.gatewayId()));
      ConnectionCommands commands =
          new ConnectionCommands(
              settings.gatewayId(),
              registry,
              controls,
              timers,
              CONNECTION_COMMAND_TIMEOUT,
              Clock.systemUTC());
      parts
          .push(
              DeliveryConsumer.create(
                  DeliverySettings.of(bootstrapServers, settings.gatewayId(), topics),
                  registry::deliver,
                  commands::accept,
                  meters))
          .start();
      GatewayMetrics metrics = new GatewayMetrics(meters);
      KafkaWalAppender wal =
          parts.push(new KafkaWalAppender(bootstrapServers, topics.actions(), settings, metrics));
      wal.start();
      server =
          parts.push(
              new GatewayServer(settings, wal, registry, Clock.systemUTC(), metrics, scrape));
      // The run's first heartbeat goes before any connection's record: it is how the processor
      // learns that an earlier run of this gateway (a crash) is over and removes its members.
      parts
          .push(new GatewayHeartbeat(wal, server, settings, Clock.systemUTC()))
          .start(settings.logWriteTimeout());
      // Another gateway started under this id at the same moment passed its check too.
      parts.push(
          GatewayIdWatch.start(
              bootstrapServers,
              topics.actions(),
              settings.gatewayId(),
              server.gatewayInstance(),
              checkedUpTo,
              settings.heartbeatInterval(),
              Clock.systemUTC(),
              onIdConflict == null
                  ? why -> new Thread(this::close, "roomlog-gateway-stop").start()
                  : onIdConflict));
      server.start();
      if (settings.adminPort() >= 0) {
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
        management =
            parts.push(new ManagementServer(settings.adminBindHost(), settings.adminPort(), api));
        management.start();
      } else {
        management = null;
      }
    } catch (RuntimeException e) {
      parts.close();
      throw e;
    }
  }

  /**
   * A node whose meters nobody reads, with no {@code /metrics}, that closes itself if another
   * gateway started under its id at the same moment and it is the one to give way.
   */
  static GatewayNode start(String bootstrapServers, TopicSet topics, GatewaySettings settings) {
    return start(bootstrapServers, topics, settings, new SimpleMeterRegistry(), null);
  }

  /**
   * @param meters where the gateway's, its delivery consumer's and its Kafka clients' meters go
   * @param scrape the answer to {@code GET /metrics} on the WebSocket port; null for none
   */
  static GatewayNode start(
      String bootstrapServers,
      TopicSet topics,
      GatewaySettings settings,
      MeterRegistry meters,
      Supplier<String> scrape) {
    return new GatewayNode(bootstrapServers, topics, settings, meters, scrape, null);
  }

  /**
   * @param onIdConflict told why when another gateway started under this id at the same moment and
   *     this one must stop ({@link GatewayIdWatch}); null to close this node
   */
  static GatewayNode start(
      String bootstrapServers,
      TopicSet topics,
      GatewaySettings settings,
      MeterRegistry meters,
      Supplier<String> scrape,
      Consumer<String> onIdConflict) {
    return new GatewayNode(bootstrapServers, topics, settings, meters, scrape, onIdConflict);
  }

  int port() {
    return server.port();
  }

  /** The management API's port; -1 when this node has none. */
  int managementPort() {
    return management == null ? -1 : management.port();
  }

  @Override
  public void close() {
    parts.close();
  }
}
