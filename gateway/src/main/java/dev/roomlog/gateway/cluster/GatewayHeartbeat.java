package dev.roomlog.gateway.cluster;

import dev.roomlog.gateway.wal.WalAppender;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.ActionNames;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.action.RequestContext.EventType;
import dev.roomlog.protocol.action.RequestContext.Identity;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes this gateway's heartbeat to every partition of the log at a fixed interval, so that the
 * processor can remove the members of a gateway that died without writing their {@code
 * $disconnect}s (SIGKILL, a lost machine). The first beat of a run also tells the processor that
 * the gateway's earlier run is over: its members go at once.
 *
 * <p>Lifecycle: {@link #start(Duration)} before the server accepts its first connection (so the new
 * run's beat precedes its connections' records on every partition), {@link #close()} before the WAL
 * appender is closed. A beat is skipped while the previous one is unsettled, so a Kafka outage does
 * not pile them up. Thread-safe.
 */
public final class GatewayHeartbeat implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GatewayHeartbeat.class);

  private final WalAppender wal;
  private final String gatewayId;
  private final String gatewayInstance;
  private final Duration interval;
  private final Clock clock;
  private final AtomicBoolean beating = new AtomicBoolean();
  private ScheduledExecutorService timer;
  private final AtomicLong beats = new AtomicLong();

  public GatewayHeartbeat(
      WalAppender wal, String gatewayId, String gatewayInstance, Duration interval, Clock clock) {
    this.wal = Objects.requireNonNull(wal, "wal");
    this.gatewayId = Objects.requireNonNull(gatewayId, "gatewayId");
    this.gatewayInstance = Objects.requireNonNull(gatewayInstance, "gatewayInstance");
    this.interval = Objects.requireNonNull(interval, "interval");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Writes the run's first heartbeat and waits for Kafka to acknowledge it on every partition, then
   * beats every interval on a thread of its own.
   *
   * @throws IllegalStateException if the first beat is not acknowledged within {@code atMost}: the
   *     gateway must not accept connections the processor could take for an earlier run's
   */
  public synchronized void start(Duration atMost) {
    if (timer != null) {
      throw new IllegalStateException("the heartbeat was already started");
    }
    try {
      beat().get(atMost.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "the gateway's first heartbeat was not acknowledged by the log within " + atMost, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing the first heartbeat", e);
    }
    timer =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "roomlog-heartbeat");
              thread.setDaemon(true);
              return thread;
            });
    long millis = interval.toMillis();
    timer.scheduleAtFixedRate(this::beatQuietly, millis, millis, TimeUnit.MILLISECONDS);
    log.info(
        "gateway {} (run {}) beats every {} ms on every partition of the log",
        gatewayId,
        gatewayInstance,
        millis);
  }

  /** Heartbeats written so far (for tests and metrics). */
  public long beats() {
    return beats.get();
  }

  /** Writes one heartbeat unless the previous one is still unsettled; for the timer and tests. */
  CompletableFuture<Void> beat() {
    CompletableFuture<Void> settled = new CompletableFuture<>();
    if (!beating.compareAndSet(false, true)) {
      settled.completeExceptionally(new SkippedBeat());
      return settled;
    }
    long now = clock.millis();
    RequestContext context =
        new RequestContext(
            ActionNames.HEARTBEAT,
            EventType.HEARTBEAT,
            null,
            now,
            now,
            gatewayInstance + "-hb-" + now,
            new Identity(null),
            gatewayId,
            gatewayInstance,
            null);
    boolean accepted =
        wal.append(
            new WalRecord(new Action.Heartbeat(), context),
            new WalAppender.Callback() {
              @Override
              public void onAcknowledged() {
                beats.incrementAndGet();
                beating.set(false);
                settled.complete(null);
              }

              @Override
              public void onFailure(Exception cause) {
                beating.set(false);
                settled.completeExceptionally(cause);
              }
            });
    if (!accepted) {
      beating.set(false);
      settled.completeExceptionally(new IllegalStateException("the WAL appender is closed"));
    }
    return settled;
  }

  private void beatQuietly() {
    // An exception escaping a scheduled task would silently cancel every later beat.
    try {
      beat()
          .whenComplete(
              (ok, failure) -> {
                if (failure instanceof SkippedBeat) {
                  log.debug("a heartbeat skipped: the previous one is still unsettled");
                } else if (failure != null) {
                  log.warn("a heartbeat was not written: {}", failure.toString());
                }
              });
    } catch (RuntimeException e) {
      log.error("the heartbeat failed; it beats again", e);
    }
  }

  /** A beat not written because the previous one is still unsettled (Kafka is slow or down). */
  static final class SkippedBeat extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    SkippedBeat() {
      super("the previous beat is unsettled", null);
    }
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
