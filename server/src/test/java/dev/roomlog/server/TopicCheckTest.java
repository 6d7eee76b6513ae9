package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.processor.RoomTopology;
import dev.roomlog.protocol.TopicSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The layout a deployment's settings describe, and what counts as a cluster that differs. */
class TopicCheckTest {
  private static final TopicLayout LAYOUT = TopicLayout.of(TopicSet.DEFAULT, 6, (short) 3, -1);

  private static TopicLayout.Wanted wanted(String name) {
    return LAYOUT.wanted().stream().filter(w -> w.name().equals(name)).findFirst().orElseThrow();
  }

  /** The topic as Roomlog would have created it, with a broker default on top. */
  private static TopicCheck.Actual asCreated(TopicLayout.Wanted wanted) {
    Map<String, String> configs = new HashMap<>(wanted.createConfigs());
    configs.put("segment.bytes", "1073741824");
    return new TopicCheck.Actual(
        wanted.name(), wanted.partitions(), wanted.replicationFactor(), configs);
  }

  private static TopicCheck.Actual with(TopicCheck.Actual topic, String config, String value) {
    Map<String, String> configs = new HashMap<>(topic.configs());
    configs.put(config, value);
    return new TopicCheck.Actual(
        topic.name(), topic.partitions(), topic.replicationFactor(), configs);
  }

  @Test
  void topicsAsCreatedMatch() {
    for (TopicLayout.Wanted wanted : LAYOUT.wanted()) {
      assertEquals(List.of(), TopicCheck.problems(wanted, asCreated(wanted)), wanted.name());
    }
  }

  @Test
  void aWidenedOrNarrowedTopicIsRefusedWithTheCountToSet() {
    TopicLayout.Wanted actions = wanted("roomlog.actions");
    for (int partitions : new int[] {5, 7}) {
      TopicCheck.Actual topic = asCreated(actions);
      List<String> problems =
          TopicCheck.problems(
              actions, new TopicCheck.Actual(topic.name(), partitions, 3, topic.configs()));
      assertEquals(1, problems.size(), problems.toString());
      assertTrue(
          problems
              .get(0)
              .startsWith(
                  "roomlog.actions (the write-ahead log) has "
                      + partitions
                      + " partitions, the settings say 6"),
          problems.get(0));
      assertTrue(problems.get(0).contains("set --partitions to " + partitions), problems.get(0));
    }
  }

  @Test
  void aDifferentReplicationFactorIsRefused() {
    TopicLayout.Wanted events = wanted("roomlog.room-events");
    TopicCheck.Actual topic = asCreated(events);
    List<String> problems =
        TopicCheck.problems(events, new TopicCheck.Actual(topic.name(), 6, 2, topic.configs()));
    assertEquals(
        List.of(
            "roomlog.room-events (each room's history) has replication factor 2, the settings say 3 (--replication-factor / ROOMLOG_REPLICATION_FACTOR)."),
        problems);
  }

  @Test
  void theLogMustBeKeptForeverAndNeverCompacted() {
    TopicLayout.Wanted actions = wanted("roomlog.actions");
    assertEquals(
        1,
        TopicCheck.problems(actions, with(asCreated(actions), "retention.ms", "604800000")).size());
    List<String> compacted =
        TopicCheck.problems(actions, with(asCreated(actions), "cleanup.policy", "compact"));
    assertEquals(1, compacted.size());
    assertTrue(
        compacted.get(0).contains("cleanup.policy=compact, it must be delete"), compacted.get(0));
  }

  @Test
  void minInsyncReplicasMustBeTheSetting() {
    TopicLayout.Wanted deliveries = wanted("roomlog.deliveries");
    List<String> problems =
        TopicCheck.problems(deliveries, with(asCreated(deliveries), "min.insync.replicas", "1"));
    assertEquals(1, problems.size());
    assertTrue(problems.get(0).contains("min.insync.replicas=1, it must be 2"), problems.get(0));
  }

  @Test
  void deliveriesMaxMessageBytesAtTheLimitPassesAndOneBelowFails() {
    TopicLayout.Wanted deliveries = wanted("roomlog.deliveries");
    int limit = RoomTopology.MAX_RECORD_BYTES;
    TopicCheck.Actual created = asCreated(deliveries);
    assertEquals(
        List.of(),
        TopicCheck.problems(deliveries, with(created, "max.message.bytes", String.valueOf(limit))));
    assertEquals(
        List.of(),
        TopicCheck.problems(
            deliveries, with(created, "max.message.bytes", String.valueOf(limit + 1))));
    assertEquals(
        1,
        TopicCheck.problems(
                deliveries, with(created, "max.message.bytes", String.valueOf(limit - 1)))
            .size());
  }

  @Test
  void deliveriesRetentionIsTheOperatorsToTune() {
    TopicLayout.Wanted deliveries = wanted("roomlog.deliveries");
    assertEquals(
        List.of(),
        TopicCheck.problems(deliveries, with(asCreated(deliveries), "retention.ms", "600000")));
  }

  @Test
  void minInsyncReplicasAtTheReplicationFactorIsAllowedAndAboveItIsNot() {
    TopicLayout atLimit = new TopicLayout(TopicSet.DEFAULT, 1, (short) 3, 3, -1);
    assertEquals(3, atLimit.minInsyncReplicas());
    IllegalArgumentException above =
        assertThrows(
            IllegalArgumentException.class,
            () -> new TopicLayout(TopicSet.DEFAULT, 1, (short) 3, 4, -1));
    assertEquals(
        "--min-insync-replicas must be between 1 and the replication factor (3), got 4",
        above.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new TopicLayout(TopicSet.DEFAULT, 1, (short) 3, 0, -1));
  }

  @Test
  void theDefaultMinInsyncSurvivesOneBrokerLossWhereThereAreReplicasToLose() {
    assertEquals(1, TopicLayout.of(TopicSet.DEFAULT, 1, (short) 1, -1).minInsyncReplicas());
    assertEquals(2, TopicLayout.of(TopicSet.DEFAULT, 1, (short) 2, -1).minInsyncReplicas());
    assertEquals(2, TopicLayout.of(TopicSet.DEFAULT, 1, (short) 3, -1).minInsyncReplicas());
  }
}
