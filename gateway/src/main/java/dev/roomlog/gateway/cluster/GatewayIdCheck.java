package dev.roomlog.gateway.cluster;

import dev.roomlog.protocol.Topic;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses to start a gateway whose id another running gateway already uses. Two gateways with one
 * id would take each other's runs for restarts and remove each other's members from their rooms,
 * and each would read the other's deliveries.
 *
 * <p>How: every gateway heartbeats on every partition of the log, so partition 0 shows who is
 * alive. Before its own first beat, a starting gateway reads partition 0's last two heartbeat
 * intervals (plus {@link #CLOCK_MARGIN}, for clocks that differ). If a beat under its id is there,
 * that run may have just crashed (a supervisor restarting it) or may still be running: it watches
 * for two more intervals, and a new beat under its id in that time means another gateway is alive
 * with it. Judged by log offsets, not clocks. Costs a start nothing when no run of the id beat
 * lately, and two intervals after a crash.
 */
public final class GatewayIdCheck {
  private static final Logger log = LoggerFactory.getLogger(GatewayIdCheck.class);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration CATCH_UP_DEADLINE = Duration.ofSeconds(30);

  /**
   * Added to the look-back: record times are the other gateway's clock (and it may beat at a longer
   * interval), so a live one a little behind must not fall before the window.
   */
  static final Duration CLOCK_MARGIN = Duration.ofSeconds(60);

  private GatewayIdCheck() {}

  /**
   * @return the offset of partition 0 up to which the log was read: a beat under {@code gatewayId}
   *     after it, from another run, is one this check could not see (a gateway started at the same
   *     moment; see {@link GatewayIdWatch})
   * @throws IllegalArgumentException if another gateway beats under {@code gatewayId}
   * @throws IllegalStateException if the log cannot be read within 30 s
   */
  public static long ensureNoOtherRun(
      String bootstrapServers,
      Topic<String, WalRecord> actions,
      String gatewayId,
      Duration heartbeatInterval,
      Clock clock) {
    TopicPartition first = new TopicPartition(actions.name(), 0);
    try (KafkaConsumer<String, byte[]> consumer = newConsumer(bootstrapServers, gatewayId)) {
      consumer.assign(List.of(first));
      long start = clock.millis();
      long end = consumer.endOffsets(List.of(first)).get(first);
      OffsetAndTimestamp from =
          consumer
              .offsetsForTimes(
                  Map.of(first, start - 2 * heartbeatInterval.toMillis() - CLOCK_MARGIN.toMillis()))
              .get(first);
      if (from == null) {
        return end; // nothing was written lately
      }
      consumer.seek(first, from.offset());

      long catchUpBy = start + CATCH_UP_DEADLINE.toMillis();
      RecentBeats beats = new RecentBeats(end);
      while (!beats.caughtUp(consumer.position(first))) {
        if (clock.millis() > catchUpBy) {
          throw new IllegalStateException(
              "could not read the log's recent heartbeats within "
                  + CATCH_UP_DEADLINE.toSeconds()
                  + " s");
        }
        readHeartbeats(consumer.poll(POLL), gatewayId, actions, beats);
      }
      if (beats.verdict() == RecentBeats.Verdict.WATCH) {
        log.info(
            "gateway {}: a run of this id beat in the last {} ms; watching as long again whether it is still alive",
            gatewayId,
            2 * heartbeatInterval.toMillis());
        long watchUntil = clock.millis() + 2 * heartbeatInterval.toMillis() + POLL.toMillis();
        while (beats.verdict() != RecentBeats.Verdict.TAKEN && clock.millis() < watchUntil) {
          readHeartbeats(consumer.poll(POLL), gatewayId, actions, beats);
        }
      }
      if (beats.verdict() == RecentBeats.Verdict.TAKEN) {
        throw new IllegalArgumentException(
            "another gateway is running with gateway id '"
                + gatewayId
                + "' (its run "
                + beats.aliveRun()
                + " beat just now): give each gateway its own"
                + " --gateway-id (ROOMLOG_GATEWAY_ID), or stop the other one first");
      }
      return consumer.position(first);
    }
  }

  private static void readHeartbeats(
      Iterable<ConsumerRecord<String, byte[]>> records,
      String gatewayId,
      Topic<String, WalRecord> actions,
      RecentBeats beats) {
    for (ConsumerRecord<String, byte[]> record : records) {
      if (isHeartbeatOf(record, gatewayId, actions)) {
        beats.heartbeat(record.offset(), instanceOf(record, actions));
      }
    }
  }

  static boolean isHeartbeatOf(
      ConsumerRecord<String, byte[]> record, String gatewayId, Topic<String, WalRecord> actions) {
    if (!gatewayId.equals(record.key()) || record.value() == null) {
      return false;
    }
    try {
      WalRecord wal =
          actions.valueSerde().deserializer().deserialize(actions.name(), record.value());
      return wal.action() instanceof Action.Heartbeat;
    } catch (RuntimeException unreadable) {
      return false;
    }
  }

  static String instanceOf(
      ConsumerRecord<String, byte[]> record, Topic<String, WalRecord> actions) {
    return actions
        .valueSerde()
        .deserializer()
        .deserialize(actions.name(), record.value())
        .requestContext()
        .gatewayInstance();
  }

  static KafkaConsumer<String, byte[]> newConsumer(String bootstrapServers, String gatewayId) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "roomlog-gateway-id-check-" + gatewayId);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CATCH_UP_DEADLINE.toMillis());
    return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
  }
}
