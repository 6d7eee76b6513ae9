package dev.roomlog.server;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code roomlog tail}: prints the records of roomlog.actions or roomlog.room-events, decoded, one
 * JSON object a line, optionally only one room's or one connection's. The loop only reads; {@link
 * StartPosition}, {@link TailFilter} and {@link LogEntry} decide and format.
 */
@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    description = {
      "Prints the records of roomlog.actions or roomlog.room-events as JSON lines:",
      "{\"topic\",\"partition\",\"offset\",\"timestamp\",\"key\",\"value\"}; a value that is not JSON is printed as a string with \"unreadable\":true.",
      "Reads without a consumer group, so it never disturbs the cluster. Ctrl-C ends it."
    })
final class TailCommand implements Callable<Integer> {
  @Mixin KafkaOptions kafka;
  @Spec CommandSpec spec;

  @Option(
      names = "--topic",
      defaultValue = "actions",
      paramLabel = "actions|room-events",
      description =
          "The topic to read: actions (the write-ahead log) or room-events (default ${DEFAULT-VALUE}).")
  String topic;

  @Option(
      names = "--room",
      paramLabel = "ROOM_ID",
      description = "Only the records of this room (the record's key or the value's roomId).")
  String room;

  @Option(
      names = "--connection",
      paramLabel = "CONNECTION_ID",
      description =
          "Only the records of this connection (an action's requestContext.connectionId, an event's connectionId).")
  String connection;

  @Option(
      names = "--from",
      defaultValue = "end",
      paramLabel = "beginning|end|PARTITION:OFFSET|TIME",
      description =
          "Where to start: beginning, end, PARTITION:OFFSET (that partition only) or an ISO-8601 time such as 2025-11-26T10:00:00Z (default ${DEFAULT-VALUE}).")
  String from;

  @Option(
      names = "--follow",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Keep printing new records until Ctrl-C (the default); --no-follow stops at the end the topic had at start.")
  boolean follow;

  @Option(names = "--limit", paramLabel = "N", description = "Stop after printing N records.")
  Long limit;

  @Override
  public Integer call() {
    LogTopic logTopic = LogTopic.parse(topic);
    StartPosition start = StartPosition.parse(from);
    TailFilter filter = new TailFilter(logTopic, room, connection);
    if (limit != null && limit < 1) {
      throw new IllegalArgumentException("--limit must be 1 or more, was " + limit);
    }
    String topicName = logTopic.name(kafka.topics());
    PrintWriter out = spec.commandLine().getOut();
    try (LogConsumer log = new LogConsumer(kafka.bootstrapServers, "roomlog-tail")) {
      List<TopicPartition> partitions = readPartitions(log, topicName, start);
      KafkaConsumer<String, byte[]> consumer = log.kafka();
      consumer.assign(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      seek(consumer, partitions, start, end);
      long printed = 0;
      while (follow || partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (!follow
              && record.offset()
                  >= end.get(new TopicPartition(record.topic(), record.partition()))) {
            continue;
          }
          LogEntry entry =
              LogEntry.of(
                  record.topic(),
                  record.partition(),
                  record.offset(),
                  record.timestamp(),
                  record.key(),
                  record.value());
          if (filter.accepts(entry)) {
            out.println(entry.toJsonLine());
            if (limit != null && ++printed >= limit) {
              out.flush();
              return 0;
            }
          }
        }
        out.flush();
        if (out.checkError()) {
          return 0; // stdout is gone (e.g. piped to head): nothing left to print to
        }
      }
    } catch (WakeupException stopped) {
      // Ctrl-C: the records printed so far are the output.
    }
    out.flush();
    return 0;
  }

  private List<TopicPartition> readPartitions(
      LogConsumer log, String topicName, StartPosition start) {
    List<TopicPartition> all = log.partitions(topicName);
    List<TopicPartition> read = all.stream().filter(p -> start.reads(p.partition())).toList();
    if (read.isEmpty()) {
      throw new IllegalArgumentException(
          "--from names a partition "
              + topicName
              + " does not have: it has "
              + all.size()
              + " (0 to "
              + (all.size() - 1)
              + ")");
    }
    return read;
  }

  private static void seek(
      KafkaConsumer<String, byte[]> consumer,
      List<TopicPartition> partitions,
      StartPosition start,
      Map<TopicPartition, Long> end) {
    Map<TopicPartition, Long> beginning = consumer.beginningOffsets(partitions);
    Map<TopicPartition, OffsetAndTimestamp> atTime = new HashMap<>();
    if (start instanceof StartPosition.Since since) {
      Map<TopicPartition, Long> query = new HashMap<>();
      partitions.forEach(p -> query.put(p, since.time().toEpochMilli()));
      consumer
          .offsetsForTimes(query)
          .forEach(
              (p, found) -> {
                if (found != null) atTime.put(p, found);
              });
    }
    for (TopicPartition p : partitions) {
      OffsetAndTimestamp found = atTime.get(p);
      consumer.seek(
          p, start.offset(beginning.get(p), end.get(p), found == null ? null : found.offset()));
    }
  }
}
