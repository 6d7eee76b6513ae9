package dev.roomlog.server;

import dev.roomlog.delivery.DeliveryConsumer;
import dev.roomlog.delivery.DeliverySettings;
import dev.roomlog.gateway.ConnectionRegistry;
import dev.roomlog.gateway.GatewayServer;
import dev.roomlog.gateway.GatewaySettings;
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
  private final DeliveryConsumer delivery;
  private final KafkaWalAppender wal;
  private final GatewayServer server;

  private GatewayNode(String bootstrapServers, TopicSet topics, GatewaySettings settings) {
    delivery =
        new DeliveryConsumer(
            DeliverySettings.of(bootstrapServers, settings.gatewayId(), topics), registry::deliver);
    delivery.start();
    wal = startWal(bootstrapServers, topics, settings);
    try {
      server = new GatewayServer(settings, wal, registry, Clock.systemUTC());
      server.start();
    } catch (RuntimeException e) {
      wal.close();
      delivery.close();
      throw e;
    }
  }

  private KafkaWalAppender startWal(String bootstrapServers, TopicSet topics, GatewaySettings settings) {
    KafkaWalAppender appender =
        new KafkaWalAppender(bootstrapServers, topics.actions(), settings.maxPendingAppends());
    try {
      appender.start();
      return appender;
    } catch (RuntimeException e) {
      appender.close();
      delivery.close();
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
    try {
      server.close();
    } finally {
      try {
        wal.close();
      } finally {
        delivery.close();
      }
    }
  }
}
