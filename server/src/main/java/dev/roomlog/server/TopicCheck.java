package dev.roomlog.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compares a cluster's topic with what the {@link TopicLayout} wants. Pure: the caller describes
 * the topic. Each problem is a sentence an operator can act on.
 */
final class TopicCheck {
  private TopicCheck() {}

  /**
   * A topic as the cluster has it.
   *
   * @param replicationFactor the smallest replica count over its partitions
   * @param configs its effective settings (broker defaults included)
   */
  record Actual(String name, int partitions, int replicationFactor, Map<String, String> configs) {}

  /** The problems of one topic; empty when it matches. */
  static List<String> problems(TopicLayout.Wanted wanted, Actual actual) {
    List<String> problems = new ArrayList<>();
    String topic = wanted.name() + " (" + wanted.role() + ")";
    if (actual.partitions() != wanted.partitions()) {
      problems.add(
          topic
              + " has "
              + actual.partitions()
              + " partitions, the settings say "
              + wanted.partitions()
              + " (--partitions / ROOMLOG_PARTITIONS). Topics are keyed by"
              + " room and by gateway, so a different count sends records to other partitions"
              + " than their state: set --partitions to "
              + actual.partitions()
              + " to use this cluster as it is.");
    }
    if (actual.replicationFactor() != wanted.replicationFactor()) {
      problems.add(
          topic
              + " has replication factor "
              + actual.replicationFactor()
              + ", the settings say "
              + wanted.replicationFactor()
              + " (--replication-factor / ROOMLOG_REPLICATION_FACTOR).");
    }
    wanted
        .exact()
        .forEach(
            (name, value) -> {
              String has = actual.configs().get(name);
              if (!value.equals(has)) {
                problems.add(
                    topic + " has " + name + "=" + has + ", it must be " + value + why(name) + ".");
              }
            });
    wanted
        .atLeast()
        .forEach(
            (name, value) -> {
              String has = actual.configs().get(name);
              if (has == null || parseOrZero(has) < value) {
                problems.add(
                    topic
                        + " has "
                        + name
                        + "="
                        + has
                        + ", it must be at least "
                        + value
                        + why(name)
                        + ".");
              }
            });
    return problems;
  }

  private static long parseOrZero(String value) {
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String why(String config) {
    return switch (config) {
      case "cleanup.policy" -> " (compaction would keep only each room's last record)";
      case "retention.ms", "retention.bytes" -> " (the write-ahead log is kept forever)";
      case "min.insync.replicas" -> " (--min-insync-replicas / ROOMLOG_MIN_INSYNC_REPLICAS)";
      case "max.message.bytes" -> " (a joined reply carries the room's recent history)";
      default -> "";
    };
  }
}
