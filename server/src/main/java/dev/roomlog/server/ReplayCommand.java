package dev.roomlog.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
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
 * {@code roomlog replay}: prints one room's history from roomlog.room-events itself, however far
 * back the topic keeps it (the processor keeps only the recent events). Reads only the room's
 * partition ({@link RoomPartition}), up to the end it had at start; {@link ReplaySelection} decides
 * what is printed.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Prints a room's events from roomlog.room-events, one JSON line each, in seq order, as they are in the topic.",
      "Exits 1 if nothing matched (an unknown room, or no events from there)."
    })
final class ReplayCommand implements Callable<Integer> {
  @Mixin KafkaOptions kafka;
  @Spec CommandSpec spec;

  @Option(names = "--room", required = true, paramLabel = "ROOM_ID", description = "The room.")
  String room;

  @Option(
      names = "--from-seq",
      paramLabel = "N",
      description = "Print the events with seq N or later (0 or 1: all).")
  Long fromSeq;

  @Option(
      names = "--from-time",
      paramLabel = "TIME",
      description =
          "Print the events that happened at this ISO-8601 time or later, e.g. 2025-11-26T10:00:00Z.")
  String fromTime;

  @Option(names = "--to-seq", paramLabel = "M", description = "Stop after seq M.")
  Long toSeq;

  @Override
  public Integer call() {
    ReplaySelection selection = ReplaySelection.of(room, fromSeq, fromTime, toSeq);
    String topic = kafka.topics().roomEvents().name();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (LogConsumer log = new LogConsumer(kafka.bootstrapServers, "roomlog-replay")) {
      KafkaConsumer<String, byte[]> consumer = log.kafka();
      List<TopicPartition> partitions = log.partitions(topic);
      TopicPartition partition =
          new TopicPartition(topic, RoomPartition.of(room, partitions.size()));
      consumer.assign(List.of(partition));
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      consumer.seek(partition, startOffset(consumer, partition, selection, end));
      boolean noticed = false;
      read:
      while (consumer.position(partition) < end) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (record.offset() >= end) {
            break read;
          }
          JsonNode event = room.equals(record.key()) ? LogEntry.decode(record.value()) : null;
          if (event == null && room.equals(record.key())) {
            err.printf(
                "roomlog: skipped an unreadable record of room %s at %s offset %d%n",
                room, partition, record.offset());
          }
          ReplaySelection.Step step = selection.next(record.key(), event);
          if (!noticed && selection.gapNotice().isPresent()) {
            err.println(selection.gapNotice().get());
            noticed = true;
          }
          if (step == ReplaySelection.Step.STOP) {
            break read;
          }
          if (step == ReplaySelection.Step.PRINT) {
            out.println(event.toString());
          }
        }
        out.flush();
      }
    } catch (WakeupException stopped) {
      out.flush();
      return 0;
    }
    out.flush();
    if (selection.nothingPrinted().isPresent()) {
      err.println(selection.nothingPrinted().get());
      err.flush();
      return 1;
    }
    return 0;
  }

  private static long startOffset(
      KafkaConsumer<String, byte[]> consumer,
      TopicPartition partition,
      ReplaySelection selection,
      long end) {
    if (selection.fromTime().isEmpty()) {
      return consumer.beginningOffsets(List.of(partition)).get(partition);
    }
    OffsetAndTimestamp found =
        consumer
            .offsetsForTimes(Map.of(partition, selection.fromTime().get().toEpochMilli()))
            .get(partition);
    return found == null ? end : found.offset();
  }
}
