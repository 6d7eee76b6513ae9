package dev.roomlog.gateway.cluster;

import dev.roomlog.protocol.GatewayRuns;
import dev.roomlog.protocol.Topic;
import dev.roomlog.protocol.WalRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second half of {@link GatewayIdCheck}: two gateways started under one id at the same moment
 * both pass the check (neither has beaten yet), so after its first beat a gateway reads partition 0
 * on from where the check stopped, for {@link #WATCH_INTERVALS} heartbeat intervals. A beat under
 * its id from another run means two are running: the processor keeps the members of the newer run
 * only (it takes the newer for a restart), so the older one must stop, and does: it is told through
 * {@code onConflict}. The newer one logs the conflict and goes on.
 *
 * <p>One daemon thread, ended by {@link #close()} or when the watch is over.
 */
public final class GatewayIdWatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GatewayIdWatch.class);
  private static final Duration POLL = Duration.ofMillis(100);

  /** How many heartbeat intervals after its first beat a gateway watches. */
  static final int WATCH_INTERVALS = 3;

  private final KafkaConsumer<String, byte[]> consumer;
  private final Thread thread;
  private volatile boolean closed;

  private GatewayIdWatch(
      KafkaConsumer<String, byte[]> consumer,
      Topic<String, WalRecord> actions,
      String gatewayId,
      String ownInstance,
      long watchUntil,
      Clock clock,
      Consumer<String> onConflict) {
    this.consumer = consumer;
    this.thread =
        new Thread(
            () -> watch(actions, gatewayId, ownInstance, watchUntil, clock, onConflict),
            "roomlog-gateway-id-watch-" + gatewayId);
    thread.setDaemon(true);
  }

  /**
   * Starts watching partition 0 from {@code fromOffset} (what {@link
   * GatewayIdCheck#ensureNoOtherRun} returned) for beats under {@code gatewayId} from a run other
   * than {@code ownInstance}.
   *
   * @param onConflict told why, if this run is the one that must stop; called at most once, on the
   *     watch's thread
   */
  public static GatewayIdWatch start(
      String bootstrapServers,
      Topic<String, WalRecord> actions,
      String gatewayId,
      String ownInstance,
      long fromOffset,
      Duration heartbeatInterval,
      Clock clock,
      Consumer<String> onConflict) {
    KafkaConsumer<String, byte[]> consumer =
        GatewayIdCheck.newConsumer(bootstrapServers, gatewayId);
    TopicPartition first = new TopicPartition(actions.name(), 0);
    consumer.assign(List.of(first));
    consumer.seek(first, fromOffset);
    long watchUntil = clock.millis() + WATCH_INTERVALS * heartbeatInterval.toMillis();
    GatewayIdWatch watch =
        new GatewayIdWatch(
            consumer,
            actions,
            gatewayId,
            Objects.requireNonNull(ownInstance, "ownInstance"),
            watchUntil,
            clock,
            onConflict);
    watch.thread.start();
    return watch;
  }

  /**
   * Whether run {@code own} must give way to run {@code other} of the same gateway id: the older
   * run does (the processor keeps the newer one's members), and of two started in the same
   * millisecond, the one whose id sorts first. Pure.
   */
  static boolean mustYield(String own, String other) {
    long ownStart = startOf(own);
    long otherStart = startOf(other);
    if (ownStart != otherStart) {
      return ownStart < otherStart;
    }
    return own.compareTo(other) < 0;
  }

  /** The start time at the front of a run id; 0 (the oldest) when it has none. */
  private static long startOf(String instance) {
    return GatewayRuns.startOf(instance).orElse(0);
  }

  private void watch(
      Topic<String, WalRecord> actions,
      String gatewayId,
      String ownInstance,
      long watchUntil,
      Clock clock,
      Consumer<String> onConflict) {
    try {
      while (!closed && clock.millis() < watchUntil) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
          if (!GatewayIdCheck.isHeartbeatOf(record, gatewayId, actions)) {
            continue;
          }
          String other = GatewayIdCheck.instanceOf(record, actions);
          if (other == null || other.equals(ownInstance)) {
            continue;
          }
          if (mustYield(ownInstance, other)) {
            String why =
                "another gateway started under gateway id '"
                    + gatewayId
                    + "' at the same time as"
                    + " this one (its run "
                    + other
                    + " is newer than this run "
                    + ownInstance
                    + "): this one stops; give each gateway its own --gateway-id (ROOMLOG_GATEWAY_ID)";
            log.error(why);
            onConflict.accept(why);
          } else {
            log.error(
                "another gateway started under gateway id '{}' at the same time as this one (its run {}"
                    + " is older than this run {}): it stops, this one goes on; give each gateway its own"
                    + " --gateway-id (ROOMLOG_GATEWAY_ID)",
                gatewayId,
                other,
                ownInstance);
          }
          return;
        }
      }
    } catch (WakeupException e) {
      // closed
    } catch (RuntimeException e) {
      log.warn(
          "gateway {}: watching the log for another run of this id failed: {}",
          gatewayId,
          e.toString());
    } finally {
      consumer.close();
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      consumer.wakeup();
    } catch (RuntimeException alreadyClosed) {
      // the watch is over
    }
    if (Thread.currentThread() == thread) {
      return; // closed from its own onConflict
    }
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
