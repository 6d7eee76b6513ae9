package dev.roomlog.server;

import dev.roomlog.processor.RoomTopology;
import dev.roomlog.protocol.TopicSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.TopicConfig;

/**
 * How one deployment's topics must be laid out: their names, partitions, replication and the
 * settings each needs. Pure: {@link TopicProvisioner} creates topics from it and {@link TopicCheck}
 * compares a cluster's topics with it.
 *
 * <p>Partitions are part of the layout, not a tuning knob: actions and room-events are keyed by
 * room, and deliveries by gateway, so a topic widened after it was written would send a room's new
 * actions to another partition than its state, and a gateway's deliveries to a partition it does
 * not read.
 *
 * @param minInsyncReplicas how many replicas must have a write before it is acknowledged
 * @param roomEventsRetentionMs how long room-events keeps history, -1 for forever
 */
record TopicLayout(
    TopicSet topics,
    int partitions,
    short replicationFactor,
    int minInsyncReplicas,
    long roomEventsRetentionMs) {

  static final String DELIVERIES_RETENTION_MS = String.valueOf(TimeUnit.HOURS.toMillis(1));
  static final String FOREVER = "-1";

  /**
   * Parked webhook calls are committed (read past) once delivered or given up, so the retry topic
   * only has to outlive the longest retry period; a week leaves room past the default day.
   */
  static final String WEBHOOK_RETRY_RETENTION_MS = String.valueOf(TimeUnit.DAYS.toMillis(7));

  TopicLayout {
    Objects.requireNonNull(topics, "topics");
    if (partitions < 1) {
      throw new IllegalArgumentException("--partitions must be at least 1, got " + partitions);
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException(
          "--replication-factor must be at least 1, got " + replicationFactor);
    }
    if (minInsyncReplicas < 1 || minInsyncReplicas > replicationFactor) {
      throw new IllegalArgumentException(
          "--min-insync-replicas must be between 1 and the replication factor ("
              + replicationFactor
              + "), got "
              + minInsyncReplicas);
    }
    if (roomEventsRetentionMs < -1 || roomEventsRetentionMs == 0) {
      throw new IllegalArgumentException(
          "the room-events retention must be positive or -1 (forever), got "
              + roomEventsRetentionMs);
    }
  }

  /**
   * With the default min.insync.replicas: 2 where there are at least 2 replicas (a write survives
   * the loss of one broker), else 1.
   */
  static TopicLayout of(
      TopicSet topics, int partitions, short replicationFactor, long roomEventsRetentionMs) {
    return new TopicLayout(
        topics,
        partitions,
        replicationFactor,
        defaultMinInsync(replicationFactor),
        roomEventsRetentionMs);
  }

  static int defaultMinInsync(short replicationFactor) {
    return Math.min(2, replicationFactor);
  }

  /**
   * One topic as the layout wants it.
   *
   * @param exact settings the topic must keep: set at creation, and a cluster whose topic differs
   *     is refused (they decide ordering, durability or what is kept)
   * @param atLeast numeric settings the topic must have at least (a larger one is fine)
   * @param initial settings given at creation and then left to the operator to tune
   */
  record Wanted(
      String name,
      String role,
      int partitions,
      short replicationFactor,
      Map<String, String> exact,
      Map<String, Long> atLeast,
      Map<String, String> initial) {

    /** Every setting the topic is created with. */
    Map<String, String> createConfigs() {
      Map<String, String> all = new TreeMap<>(initial);
      all.putAll(exact);
      atLeast.forEach((name, value) -> all.put(name, String.valueOf(value)));
      return all;
    }
  }

  List<Wanted> wanted() {
    String minInsync = String.valueOf(minInsyncReplicas);
    return List.of(
        new Wanted(
            topics.actions().name(),
            "the write-ahead log",
            partitions,
            replicationFactor,
            Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, FOREVER,
                TopicConfig.RETENTION_BYTES_CONFIG, FOREVER,
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, minInsync),
            Map.of(),
            Map.of()),
        new Wanted(
            topics.roomEvents().name(),
            "each room's history",
            partitions,
            replicationFactor,
            Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG,
                TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
                minInsync),
            Map.of(),
            // How long history is kept is the operator's to change later (kafka-configs), and
            // only the command that creates the topic needs the setting: not checked.
            Map.of(
                TopicConfig.RETENTION_MS_CONFIG,
                String.valueOf(roomEventsRetentionMs),
                TopicConfig.RETENTION_BYTES_CONFIG,
                FOREVER)),
        new Wanted(
            topics.deliveries().name(),
            "frames for the gateways",
            partitions,
            replicationFactor,
            Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, minInsync),
            // a joined reply carries the room's recent history
            Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, (long) RoomTopology.MAX_RECORD_BYTES),
            // transient: a frame for a socket that is gone is useless
            Map.of(TopicConfig.RETENTION_MS_CONFIG, DELIVERIES_RETENTION_MS)),
        new Wanted(
            topics.deadLetters().name(),
            "WAL records the processor set aside",
            partitions,
            replicationFactor,
            Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG,
                TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
                minInsync),
            // a dead letter is a record of the log plus its reason in headers: whatever the log
            // took must fit, or the processor could not set it aside (and would stop on it)
            Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, (long) RoomTopology.MAX_RECORD_BYTES),
            // Kept as long as the log they come from, by default: each is evidence of a bug or
            // a foreign writer, and the operator decides when it has been dealt with.
            Map.of(
                TopicConfig.RETENTION_MS_CONFIG, FOREVER,
                TopicConfig.RETENTION_BYTES_CONFIG, FOREVER)),
        // Keyed by room with room-events' partitions: the integrations worker that owns a
        // partition of room-events owns the same partition here, where that partition's parked
        // rooms are (their order and the parked state across restarts depend on it). Route
        // calls are parked here too, keyed by connection, as the actions are.
        new Wanted(
            topics.webhookRetry().name(),
            "webhook calls parked for retry",
            partitions,
            replicationFactor,
            Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG,
                TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
                minInsync),
            Map.of(),
            Map.of(TopicConfig.RETENTION_MS_CONFIG, WEBHOOK_RETRY_RETENTION_MS)),
        new Wanted(
            topics.webhookDeadLetter().name(),
            "webhook calls given up",
            partitions,
            replicationFactor,
            Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG,
                TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
                minInsync),
            Map.of(),
            // As the processor's dead letters: kept until the operator has dealt with them.
            Map.of(
                TopicConfig.RETENTION_MS_CONFIG, FOREVER,
                TopicConfig.RETENTION_BYTES_CONFIG, FOREVER)),
        // A table, not a log: each subscription's latest record is kept, a tombstone deletes it.
        // One partition: a few hundred small records, read whole by every worker and gateway.
        new Wanted(
            topics.webhookSubscriptions().name(),
            "webhook subscriptions of the management API",
            1,
            replicationFactor,
            Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG,
                TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
                minInsync),
            Map.of(),
            Map.of()));
  }
}
