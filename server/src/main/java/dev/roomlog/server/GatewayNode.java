package dev.roomlog.server;

import dev.roomlog.delivery.DeliveryConsumer;
import dev.roomlog.delivery.DeliverySettings;
import dev.roomlog.gateway.ConnectionRegistry;
import dev.roomlog.gateway.GatewayServer;
import dev.roomlog.gateway.GatewaySettings;
import dev.roomlog.gateway.GatewayHeartbeat;
import dev.roomlog.gateway.GatewayIdCheck;
import dev.roomlog.gateway.KafkaWalAppender;
import dev.roomlog.protocol.TopicSet;
import java.time.Clock;

/**
 * One gateway node: the WebSocket server, its write-ahead-log producer, and the delivery
 * consumer that pushes frames back to its sockets, wired together.
 *
 * <p>Start order: delivery first (positioned at the end of this node's deliveries before any
 * client can connect, so no answer is missed), then the log producer, then the server. Close
 * order is the reverse, so that the {@code $disconnect} of every open socket still reaches the
 * log before the producer closes.
 */
final class GatewayNode implements AutoCloseable {
  private final ConnectionRegistry registry = new ConnectionRegistry();
  /** Each part is pushed before it starts: its close is safe unstarted, and a failed start closes it. */
  private final Stack parts = new Stack();
  private final GatewayServer server;

  private GatewayNode(String bootstrapServers, TopicSet topics, GatewaySettings settings) {
    // Before anything else, above all before this node's first heartbeat, which would evict
    // the members of another gateway running under the same id.
    GatewayIdCheck.ensureNoOtherRun(
        bootstrapServers, topics.actions(), settings.gatewayId(), settings.heartbeatInterval(), Clock.systemUTC());
    try {
      parts
          .push(
              new DeliveryConsumer(
                  DeliverySettings.of(bootstrapServers, settings.gatewayId(), topics),
                  registry::deliver))
          .start();
      KafkaWalAppender wal =
          parts.push(
              new KafkaWalAppender(bootstrapServers, topics.actions(), settings));
      wal.start();
      server = parts.push(new GatewayServer(settings, wal, registry, Clock.systemUTC()));
      // The run's first heartbeat goes before any connection's record: it is how the processor
      // learns that an earlier run of this gateway (a crash) is over and removes its members.
      parts
          .push(new GatewayHeartbeat(wal, server, settings, Clock.systemUTC()))
          .start(settings.logWriteTimeout());
      server.start();
    } catch (RuntimeException e) {
      parts.close();
      throw e;
    }
  }

  static GatewayNode start(String bootstrapServers, TopicSet topics, GatewaySettings settings) {
    return new GatewayNode(bootstrapServers, topics, settings);
  }

  int port() {
    return server.port();
  }

  @Override
  public void close() {
    parts.close();
  }
}
