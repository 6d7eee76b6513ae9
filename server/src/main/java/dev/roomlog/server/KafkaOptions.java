package dev.roomlog.server;

import dev.roomlog.protocol.TopicSet;
import dev.roomlog.protocol.settings.Durations;
import picocli.CommandLine.Option;

/** Where the Kafka cluster is and how Roomlog's topics are laid out on it. */
final class KafkaOptions {
  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT[,HOST:PORT...]",
      defaultValue = "${env:ROOMLOG_BOOTSTRAP_SERVERS:-localhost:9092}",
      description =
          "Kafka bootstrap servers (env ROOMLOG_BOOTSTRAP_SERVERS; default ${DEFAULT-VALUE}).")
  String bootstrapServers;

  @Option(
      names = "--partitions",
      defaultValue = "${env:ROOMLOG_PARTITIONS:-6}",
      description =
          "Partitions of each topic: used when a topic is created, and checked at every start (a topic's partitions cannot change once it holds rooms) (env ROOMLOG_PARTITIONS; default ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--replication-factor",
      defaultValue = "${env:ROOMLOG_REPLICATION_FACTOR:-3}",
      description =
          "Replication factor of Roomlog's topics and the processor's internal topics: used when a topic is created, and checked at every start (env ROOMLOG_REPLICATION_FACTOR; default ${DEFAULT-VALUE}).")
  short replicationFactor;

  @Option(
      names = "--min-insync-replicas",
      defaultValue = "${env:ROOMLOG_MIN_INSYNC_REPLICAS}",
      description =
          "Replicas that must have a write before it is acknowledged, for Roomlog's topics (env ROOMLOG_MIN_INSYNC_REPLICAS; default 2, or 1 with a replication factor of 1).")
  Integer minInsyncReplicas;

  @Option(
      names = "--topic-prefix",
      defaultValue = "${env:ROOMLOG_TOPIC_PREFIX:-}",
      description =
          "A prefix for every topic name, so several deployments can share a cluster (env ROOMLOG_TOPIC_PREFIX; default none).")
  String topicPrefix;

  @Option(
      names = "--room-events-retention",
      defaultValue = "${env:ROOMLOG_ROOM_EVENTS_RETENTION:-forever}",
      description =
          "How long roomlog.room-events keeps each room's history: 'forever' or a duration such as 30d; used only when the topic is created; change it later with kafka-configs (env ROOMLOG_ROOM_EVENTS_RETENTION; default ${DEFAULT-VALUE}).")
  String roomEventsRetention;

  /** The room-events retention in milliseconds, -1 for forever. */
  long roomEventsRetentionMs() {
    if ("forever".equalsIgnoreCase(roomEventsRetention.strip())) {
      return -1;
    }
    return Durations.parse("--room-events-retention", roomEventsRetention).toMillis();
  }

  TopicSet topics() {
    return topicPrefix == null || topicPrefix.isBlank()
        ? TopicSet.DEFAULT
        : TopicSet.prefixed(topicPrefix);
  }

  /** The topics' layout these options describe; throws on a bad setting. */
  TopicLayout layout() {
    return new TopicLayout(
        topics(),
        partitions,
        replicationFactor,
        minInsyncReplicas == null
            ? TopicLayout.defaultMinInsync(replicationFactor)
            : minInsyncReplicas,
        roomEventsRetentionMs());
  }

  void validate() {
    layout();
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("--bootstrap-servers must name at least one broker");
    }
  }
}
