package dev.roomlog.server;

import dev.roomlog.gateway.Gateway;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.processor.ProcessorSettings;
import dev.roomlog.processor.RoomProcessor;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.systemtest.SharedKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.kafka.streams.KafkaStreams;

/**
 * A whole Roomlog (room processor + one gateway node with its delivery) in the test JVM, on the
 * shared real broker, with topics and a Streams application id of its own, and the gateway on a
 * free port.
 */
final class InProcessRoomlog implements AutoCloseable {
  static final String API_KEY = "it-secret-key";

  /** Partitions of each of its topics. */
  static final int PARTITIONS = 3;

  private static final short REPLICATION_FACTOR = 1;

  private final String bootstrap;
  private final String prefix;
  private final TopicSet topics;
  private final String gatewayId;
  private final String applicationId;
  private RoomProcessor processor;
  private UnaryOperator<ProcessorSettings> processorSettings = settings -> settings;
  private Gateway gateway;

  private InProcessRoomlog(String bootstrap, String prefix) {
    this.bootstrap = bootstrap;
    this.prefix = prefix;
    this.topics = TopicSet.prefixed(prefix);
    this.gatewayId = "gw-" + prefix;
    this.applicationId = prefix + "-processor";
  }

  static InProcessRoomlog start() {
    return start(gateway -> gateway);
  }

  /** As {@link #start()}, with gateway settings changed by {@code gatewaySettings}. */
  static InProcessRoomlog start(UnaryOperator<GatewaySettings.Builder> gatewaySettings) {
    return start(SharedKafka.bootstrapServers(), gatewaySettings);
  }

  /** As {@link #start(UnaryOperator)}, against the Kafka at {@code bootstrap}. */
  static InProcessRoomlog start(
      String bootstrap, UnaryOperator<GatewaySettings.Builder> gatewaySettings) {
    return start(bootstrap, gatewaySettings, processor -> processor);
  }

  /** As {@link #start()}, with the processor's settings changed by {@code processorSettings}. */
  static InProcessRoomlog startWithProcessor(UnaryOperator<ProcessorSettings> processorSettings) {
    return start(SharedKafka.bootstrapServers(), gateway -> gateway, processorSettings);
  }

  private static InProcessRoomlog start(
      String bootstrap,
      UnaryOperator<GatewaySettings.Builder> gatewaySettings,
      UnaryOperator<ProcessorSettings> processorSettings) {
    InProcessRoomlog roomlog = new InProcessRoomlog(bootstrap, SharedKafka.uniquePrefix());
    roomlog.processorSettings = processorSettings;
    TopicProvisioner.ensureTopics(bootstrap, roomlog.topics, PARTITIONS, REPLICATION_FACTOR);
    roomlog.startProcessorWithFreshStateDir();
    roomlog.gateway =
        Gateway.start(
            bootstrap,
            roomlog.topics,
            gatewaySettings
                .apply(
                    GatewaySettings.of(Set.of(API_KEY), roomlog.gatewayId).toBuilder()
                        .bindHost("127.0.0.1")
                        .port(0)
                        .adminPort(0))
                .build());
    return roomlog;
  }

  int port() {
    return gateway.port();
  }

  /** The gateway's management API port (started with {@code adminPort(0)}). */
  int managementPort() {
    return gateway.managementPort();
  }

  String bootstrapServers() {
    return bootstrap;
  }

  TopicSet topics() {
    return topics;
  }

  /** The prefix of its topics' names: a role started as a process takes it as --topic-prefix. */
  String topicPrefix() {
    return prefix;
  }

  String gatewayId() {
    return gatewayId;
  }

  /** The processor's Kafka Streams application id, which is also its consumer group. */
  String applicationId() {
    return applicationId;
  }

  /** The running room processor; null between {@link #stopProcessor} and a restart. */
  RoomProcessor processor() {
    return processor;
  }

  void stopProcessor() {
    processor.close();
    processor = null;
  }

  /** Starts a processor whose local state is empty, so that it restores everything from Kafka. */
  void startProcessorWithFreshStateDir() {
    try {
      Path stateDir = Files.createTempDirectory("roomlog-it-streams");
      ProcessorSettings settings =
          processorSettings.apply(
              ProcessorSettings.defaults(bootstrap, stateDir)
                  .withApplicationId(applicationId)
                  .withReplicationFactor(REPLICATION_FACTOR)
                  .withTopics(topics));
      processor = new RoomProcessor(settings);
      processor.start();
      Readiness.await(
          "the room processor",
          () -> processor.state() == KafkaStreams.State.RUNNING,
          Duration.ofSeconds(60));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      if (gateway != null) {
        gateway.close();
      }
    } finally {
      if (processor != null) {
        processor.close();
      }
    }
  }
}
