package dev.roomlog.integrations;

import dev.roomlog.protocol.integration.ParkedCall;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the calls: one {@link Lane} per target and room (or connection), at most one call in flight
 * per lane and {@code maxConcurrency} per target, batches of up to {@code maxBatch} events, and
 * what the {@link RetryDecider} says after each answer. No Kafka: records come in as {@link Item}s
 * and leave through a {@link Sink} (delivered, parked, dead-lettered), which the worker's loop
 * turns into offsets and records. Calls go through {@code caller}; their answers come back through
 * {@code inbox}, which runs them on the worker's thread. Not thread-safe: everything but the caller
 * runs on that one thread.
 */
final class Dispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

  /** Where finished items go. Each item of a record reaches exactly one of these once. */
  interface Sink {
    /**
     * Delivered with {@code answer} (a two-way route's body is in it): its record is done for this
     * target once the sink has done what the answer asks.
     */
    void done(Item item, Answer answer);

    /** Write it to the retry topic; its record is done once Kafka has it. */
    void park(Item item, ParkedCall call);

    /** Write it to the dead-letter topic; its record is done once Kafka has it. */
    void deadLetter(Item item, ParkedCall call);
  }

  private final Targets targets;
  private final RetryDecider decider;
  private final Function<Call, CompletableFuture<Answer>> caller;
  private final Executor inbox;
  private final Sink sink;
  private final Clock clock;
  private final int maxBatch;
  private final Duration defaultRetryFor;
  private final Map<String, Lane> lanes = new LinkedHashMap<>();
  private final Map<String, Integer> inFlight = new HashMap<>();
  private int buffered;

  Dispatcher(
      Targets targets,
      RetryDecider decider,
      Function<Call, CompletableFuture<Answer>> caller,
      Executor inbox,
      Sink sink,
      Clock clock,
      int maxBatch,
      Duration defaultRetryFor) {
    this.targets = targets;
    this.decider = decider;
    this.caller = caller;
    this.inbox = inbox;
    this.sink = sink;
    this.clock = clock;
    this.maxBatch = maxBatch;
    this.defaultRetryFor = defaultRetryFor;
  }

  /**
   * A fresh event: called from memory, or, when its lane has calls parked, parked behind them at
   * once (so it is not called before them).
   */
  void offer(Item item) {
    Lane lane = lane(item);
    if (lane.parked()) {
      lane.parkedAdded(1);
      sink.park(item, item.toParked(clock.instant()));
      return;
    }
    lane.add(item);
    buffered++;
  }

  /**
   * A call read back from the retry topic. {@code counted}: its lane already counts it as parked
   * (this worker wrote it); otherwise (written before this worker took the partition) it is counted
   * now.
   */
  void offerParked(Item item, boolean counted) {
    if (!targets.has(item.targetId)) {
      sink.deadLetter(item, item.toParked(clock.instant()).deadLettered(targets.gone()));
      Lane lane = lanes.get(key(item.targetId, item.laneKey()));
      if (counted && lane != null) {
        lane.parkedFinished();
      }
      return;
    }
    Lane lane = lane(item);
    // A record this worker did not write (an earlier owner's, or a dead letter an operator
    // replayed into the retry topic) is counted now; one it wrote finds its lane still parked.
    if (!counted || !lane.parked()) {
      lane.parkedAdded(1);
    }
    lane.add(item);
  }

  /** Starts every call that may start now. */
  void pump() {
    Instant now = clock.instant();
    List<Lane> started = new ArrayList<>();
    Map<Lane, List<Item>> orphans = new LinkedHashMap<>();
    for (Lane lane : lanes.values()) {
      if (!lane.ready(now)) {
        continue;
      }
      boolean known = targets.has(lane.targetId);
      int busy = inFlight.getOrDefault(lane.targetId, 0);
      if (known && busy >= targets.maxConcurrency(lane.targetId)) {
        continue;
      }
      List<Item> batch = lane.take(maxBatch);
      if (!known) {
        orphans.put(lane, batch);
        continue;
      }
      inFlight.merge(lane.targetId, 1, Integer::sum);
      started.add(lane);
      Call call = targets.call(lane.targetId, batch, now);
      caller
          .apply(call)
          .whenComplete(
              (answer, error) ->
                  inbox.execute(
                      () ->
                          answered(
                              lane,
                              batch,
                              answer != null ? answer : Answer.none(String.valueOf(error)),
                              false)));
    }
    orphans.forEach((lane, batch) -> answered(lane, batch, Answer.none(targets.gone()), true));
    // Lanes that just called go to the back, so that lanes of a busy target take turns.
    for (Lane lane : started) {
      String key = key(lane.targetId, lane.laneKey);
      if (lanes.get(key) == lane) {
        lanes.remove(key);
        lanes.put(key, lane);
      }
    }
  }

  private void answered(Lane lane, List<Item> batch, Answer answer, boolean gone) {
    if (!gone) {
      inFlight.computeIfPresent(lane.targetId, (t, n) -> n > 1 ? n - 1 : null);
    }
    if (lanes.get(key(lane.targetId, lane.laneKey)) != lane) {
      return; // its partition was taken away meanwhile: the new owner calls again
    }
    Instant now = clock.instant();
    batch.forEach(item -> item.attempted(now, answer));
    Item first = batch.get(0);
    int attempts = batch.stream().mapToInt(i -> i.attempts).max().orElse(1);
    Instant firstAt = batch.stream().map(i -> i.firstAttemptAt).min(Instant::compareTo).orElse(now);
    Outcome outcome =
        gone
            ? new Outcome.DeadLetter(targets.gone())
            : decider.decide(answer, attempts, firstAt, first.parked, retryFor(lane.targetId), now);
    String what = lane.targetId + " " + targets.callId(batch);
    if (outcome instanceof Outcome.Done) {
      for (Item item : lane.finishHead()) {
        finished(lane, item);
        sink.done(item, answer);
      }
    } else if (outcome instanceof Outcome.RetryAt r) {
      LOG.debug("{}: {}, again at {}", what, answer.error(), r.at());
      lane.retryAt(r.at());
    } else if (outcome instanceof Outcome.Park) {
      List<Item> parked = lane.parkAll();
      buffered -= parked.size();
      LOG.info(
          "{}: {} after {} attempts; parked with {} more of its lane in the retry topic",
          what,
          answer.error(),
          attempts,
          parked.size() - batch.size());
      for (Item item : parked) {
        sink.park(item, item.toParked(now));
      }
    } else if (outcome instanceof Outcome.DeadLetter dl) {
      LOG.warn("{}: given up, {}", what, dl.reason());
      for (Item item : lane.finishHead()) {
        finished(lane, item);
        sink.deadLetter(item, item.toParked(now).deadLettered(dl.reason()));
      }
    }
    if (lane.idle()) {
      lanes.remove(key(lane.targetId, lane.laneKey));
    }
  }

  private void finished(Lane lane, Item item) {
    if (item.parked) {
      lane.parkedFinished();
    } else {
      buffered--;
    }
  }

  private Duration retryFor(String targetId) {
    Duration own = targets.has(targetId) ? targets.retryFor(targetId) : null;
    return own != null ? own : defaultRetryFor;
  }

  /** Drops the lanes of partition {@code partition} (taken away); late answers are ignored. */
  void forget(int partition) {
    Iterator<Lane> it = lanes.values().iterator();
    while (it.hasNext()) {
      Lane lane = it.next();
      if (lane.partition == partition) {
        buffered -= lane.freshWaiting();
        it.remove();
      }
    }
  }

  /** Fresh events held in memory, not yet delivered or parked. */
  int buffered() {
    return buffered;
  }

  /** Whether the lane of {@code targetId} and {@code roomId} has calls parked (for tests). */
  boolean parked(String targetId, String roomId) {
    Lane lane = lanes.get(key(targetId, roomId));
    return lane != null && lane.parked();
  }

  private Lane lane(Item item) {
    return lanes.computeIfAbsent(
        key(item.targetId, item.laneKey()),
        k -> new Lane(item.targetId, item.laneKey(), item.source.partition()));
  }

  private static String key(String targetId, String laneKey) {
    return targetId + '\u0000' + laneKey;
  }
}
