package dev.roomlog.server;

import dev.roomlog.processor.RoomTopology;
import dev.roomlog.protocol.TopicSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates Roomlog's topics when they are missing, with the settings each one needs. Existing
 * topics are left as they are (an operator may have tuned them), so running it again is safe.
 *
 * <ul>
 *   <li>actions are kept forever: it is the write-ahead log. room-events, each room's whole
 *       history, is kept forever by default ({@code --room-events-retention}).
 *   <li>deliveries are transient (a frame for a socket that is gone is useless), kept one hour.
 * </ul>
 */
final class TopicProvisioner {
  private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);
  static final String DELIVERIES_RETENTION_MS = String.valueOf(TimeUnit.HOURS.toMillis(1));

  private TopicProvisioner() {}

  static void ensureTopics(String bootstrapServers, TopicSet topics, int partitions, short replicationFactor) {
    ensureTopics(bootstrapServers, topics, partitions, replicationFactor, -1);
  }

  /**
   * @param roomEventsRetentionMs how long room-events keeps history, -1 for forever; the
   *     processor's recent window is separate (its history size)
   */
  static void ensureTopics(
      String bootstrapServers,
      TopicSet topics,
      int partitions,
      short replicationFactor,
      long roomEventsRetentionMs) {
    String minInsync = String.valueOf(Math.min(2, replicationFactor));
    Map<String, String> keepForever =
        Map.of(
            TopicConfig.RETENTION_MS_CONFIG, "-1",
            TopicConfig.RETENTION_BYTES_CONFIG, "-1",
            TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, minInsync);
    List<NewTopic> wanted =
        List.of(
            new NewTopic(topics.actions().name(), partitions, replicationFactor).configs(keepForever),
            new NewTopic(topics.roomEvents().name(), partitions, replicationFactor)
                .configs(
                    Map.of(
                        TopicConfig.RETENTION_MS_CONFIG, String.valueOf(roomEventsRetentionMs),
                        TopicConfig.RETENTION_BYTES_CONFIG, "-1",
                        TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, minInsync)),
            new NewTopic(topics.deliveries().name(), partitions, replicationFactor)
                .configs(
                    Map.of(
                        TopicConfig.RETENTION_MS_CONFIG, DELIVERIES_RETENTION_MS,
                        TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, minInsync,
                        // a joined reply carries the room's recent history
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                        String.valueOf(RoomTopology.MAX_RECORD_BYTES))));

    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (NewTopic topic : wanted) {
        if (!existing.contains(topic.name())) {
          missing.add(topic);
        }
      }
      if (missing.isEmpty()) {
        return;
      }
      try {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        // Another node may have created them between our list and our create.
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
      for (NewTopic topic : missing) {
        LOG.info(
            "Created topic {} ({} partitions, replication factor {})",
            topic.name(),
            partitions,
            replicationFactor);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "cannot reach Kafka at " + bootstrapServers + " within 30 s to create Roomlog's topics", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "cannot create Roomlog's topics on " + bootstrapServers + ": " + e.getMessage(), e);
    }
  }
}
