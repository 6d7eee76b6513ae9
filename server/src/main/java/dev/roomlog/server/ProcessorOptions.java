package dev.roomlog.server;

import dev.roomlog.processor.ProcessorSettings;
import dev.roomlog.protocol.TopicSet;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The room processor's flags, each with its environment variable. */
final class ProcessorOptions {
  @Option(
      names = "--application-id",
      defaultValue = "${env:ROOMLOG_APPLICATION_ID:-roomlog-processor}",
      description = "Kafka Streams application id, shared by every processor of one deployment (env ROOMLOG_APPLICATION_ID; default ${DEFAULT-VALUE}).")
  String applicationId;

  @Option(
      names = "--history-size",
      defaultValue = "${env:ROOMLOG_HISTORY_SIZE:-50}",
      description = "Recent messages per room kept for joins (env ROOMLOG_HISTORY_SIZE; default ${DEFAULT-VALUE}).")
  int historySize;

  @Option(
      names = "--commit-interval-ms",
      defaultValue = "${env:ROOMLOG_COMMIT_INTERVAL_MS:-10}",
      description = "Exactly-once commit interval; bounds the latency of every answer (env ROOMLOG_COMMIT_INTERVAL_MS; default ${DEFAULT-VALUE}).")
  long commitIntervalMs;

  ProcessorSettings settings(
      String bootstrapServers, Path stateDir, TopicSet topics, int replicationFactor) {
    return ProcessorSettings.defaults(bootstrapServers, stateDir)
        .withApplicationId(applicationId)
        .withHistorySize(historySize)
        .withCommitIntervalMs(commitIntervalMs)
        .withReplicationFactor(replicationFactor)
        .withTopics(topics);
  }
}
