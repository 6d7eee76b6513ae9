package dev.roomlog.loadtest;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fanout scenario for one room played by several generator processes ({@code --shard I/N}):
 * each process holds a descriptor per connection and cannot raise its hard limit, so a room of
 * 100,000 members needs several. Every shard opens its connections; once all are open, shard 0
 * creates the room and every shard joins its members at once. Shard 0 then publishes on the same
 * open loop as the plain fanout scenario, and the others register the same schedule (its start is
 * shared) so that each message is expected by every member. At the end the member shards send their
 * counts to shard 0 ({@link ShardReport}), which reports the whole room: its members, its
 * deliveries, what never arrived, and per message the latency of the room's last member (the
 * largest of the shards' last members).
 *
 * <p>The times are System.nanoTime of different processes: CLOCK_MONOTONIC on Linux, which every
 * process on a machine shares.
 */
final class ShardedFanout {
  /** Time for the member shards to read the start before the first message is due. */
  private static final Duration START_AHEAD = Duration.ofSeconds(1);

  /** How much longer than its own drain shard 0 waits for the others' reports. */
  private static final Duration REPORT_GRACE = Duration.ofSeconds(60);

  private ShardedFanout() {}

  static RunResult run(RunContext ctx) throws InterruptedException, IOException {
    LoadTestConfig cfg = ctx.config();
    RoomShards shards = new RoomShards(cfg.shardDir(), cfg.shard(), cfg.shards());
    shards.requireFresh();
    int own = cfg.connections();
    RoomPlan plan = new RoomPlan(own, own, true);
    MessageLedger ledger = new MessageLedger();
    try (RoomSetup setup =
        new RoomSetup(
            ctx.protocol(),
            plan,
            ctx.runId(),
            cfg.setupRate(),
            cfg.connectTimeout(),
            ctx.metrics().errors,
            shards.shard())) {
      TrafficListener listener = new TrafficListener(plan, ledger, setup, ctx.metrics(), false);
      listener.collectCompletions();
      Shard shard = new Shard(ctx, shards, plan, ledger, setup, listener);
      return shards.publishes() ? shard.publish() : shard.listen();
    } catch (RuntimeException | IOException | InterruptedException e) {
      shards.announceFailure(String.valueOf(e.getMessage()));
      throw e;
    }
  }

  /** This process's part of the room, and the two roles it can play. */
  private static final class Shard {
    private final RunContext ctx;
    private final LoadTestConfig cfg;
    private final RunMetrics metrics;
    private final RoomShards shards;
    private final RoomPlan plan;
    private final MessageLedger ledger;
    private final RoomSetup setup;
    private final TrafficListener listener;
    private final int own;

    Shard(
        RunContext ctx,
        RoomShards shards,
        RoomPlan plan,
        MessageLedger ledger,
        RoomSetup setup,
        TrafficListener listener) {
      this.ctx = ctx;
      this.cfg = ctx.config();
      this.metrics = ctx.metrics();
      this.shards = shards;
      this.plan = plan;
      this.ledger = ledger;
      this.setup = setup;
      this.listener = listener;
      this.own = cfg.connections();
    }

    /** Shard 0: creates the room, publishes, and reports the whole room. */
    RunResult publish() throws InterruptedException, IOException {
      metrics.primary(TrafficListener.LAST_MEMBER);
      Map<String, Number> figures = new LinkedHashMap<>();
      HeapProbe heap = cfg.serverPids().isEmpty() ? null : new HeapProbe(cfg.serverPids());
      if (heap != null) {
        metrics.phase("heap before");
        figures.put("heapUsedBeforeBytes", heap.usedAfterGcBytes());
      }
      metrics.phase("connecting");
      List<WsConnection> connections = ctx.pool().open(own, listener, c -> {});
      ctx.requireAllReady(connections, "connecting");
      shards.announceConnected(own);
      metrics.phase("others connecting");
      int members =
          own + shards.awaitOthersConnected(cfg.connectTimeout()).stream().mapToInt(n -> n).sum();

      metrics.phase("rooms");
      setup.createRooms(connections);
      long joinStart = System.nanoTime();
      shards.announceRoom(ctx.runId());
      Map<Integer, RoomSetup.Joined> joined = setup.joinRooms(connections, c -> c != 0);
      long lastJoined =
          joined.values().stream().mapToLong(RoomSetup.Joined::atNanos).max().orElse(joinStart);
      int joins = joined.size();
      metrics.phase("others joining");
      for (RoomShards.JoinSpan span : shards.awaitOthersJoined(cfg.connectTimeout())) {
        lastJoined = Math.max(lastJoined, span.lastJoinedNanos());
        joins += span.joined();
      }
      double joinMs = Math.max(0, lastJoined - joinStart) / 1e6;
      figures.put("joinAllMs", joinMs);
      figures.put("joinsPerSecond", joinMs > 0 ? joins * 1000.0 / joinMs : 0);
      figures.put("shards", shards.shards());
      if (heap != null) {
        metrics.phase("heap after");
        figures.put("heapUsedAfterBytes", heap.usedAfterGcBytes());
        figures.put("generatorHeapUsedBytes", HeapProbe.ownUsedAfterGcBytes());
      }

      long start = System.nanoTime() + START_AHEAD.toNanos();
      shards.announceStart(start);
      Set<Long> notSent = ConcurrentHashMap.newKeySet();
      OpenLoopSender sender = OpenLoopSender.realTime();
      TrafficScenario.send(ctx, plan, ledger, listener, connections, sender, start, notSent::add);

      metrics.phase("draining");
      ledger.awaitNonePending(System.nanoTime() + cfg.drainTimeout().toNanos());
      List<Long> neverComing = new ArrayList<>(notSent);
      neverComing.addAll(ledger.refusedIds());
      shards.announcePublished(neverComing);
      metrics.phase("others draining");
      List<ShardReport> reports = shards.awaitOthersReports(cfg.drainTimeout().plus(REPORT_GRACE));

      LatencyRecorder lastMember = metrics.latency(TrafficListener.LAST_MEMBER);
      roomCompletions(listener.completions(), reports).values().forEach(lastMember::record);
      // The last progress tick now (it also takes in the latencies just recorded): the other
      // shards'
      // counts, added below, are not deliveries of the last second (the throughput series stays
      // this process's own members').
      ctx.progress().stop();
      MessageLedger.Outstanding mine = ledger.outstanding();
      Set<Long> missing = new TreeSet<>(ledger.outstandingIds());
      long outstandingDeliveries = mine.deliveries();
      long windowDelivered = listener.windowDelivered.sum();
      for (ShardReport r : reports) {
        metrics.delivered.add(r.delivered());
        metrics.duplicates.add(r.duplicates());
        r.errors().forEach(metrics.errors::add);
        windowDelivered += r.windowDelivered();
        missing.addAll(r.missing());
        outstandingDeliveries += r.outstanding().deliveries();
      }

      double seconds = cfg.duration().toNanos() / 1e9;
      long sentAndNotRefused = metrics.sent.sum() - ledger.refusedCount();
      figures.put("refused", ledger.refusedCount());
      return ctx.result(
          members,
          members,
          1,
          cfg.rate(),
          listener.windowAcked.sum() / seconds,
          windowDelivered / seconds,
          sentAndNotRefused * members,
          // A message is outstanding if any member of any shard lacks it.
          new MessageLedger.Outstanding(missing.size(), outstandingDeliveries),
          sender.maxLagNanos() / 1e6,
          figures);
    }

    /** Shards 1..N-1: join the room shard 0 created, expect its messages, report to it. */
    RunResult listen() throws InterruptedException {
      metrics.primary(TrafficListener.DELIVERY);
      metrics.phase("connecting");
      List<WsConnection> connections = ctx.pool().open(own, listener, c -> {});
      ctx.requireAllReady(connections, "connecting");
      shards.announceConnected(own);

      metrics.phase("waiting for the room");
      String roomRun = shards.awaitRoom(cfg.connectTimeout());
      metrics.phase("rooms");
      long joinStart = System.nanoTime();
      Map<Integer, RoomSetup.Joined> joined = setup.joinRooms(connections, c -> true, roomRun);
      long lastJoined =
          joined.values().stream().mapToLong(RoomSetup.Joined::atNanos).max().orElse(joinStart);
      shards.announceJoined(new RoomShards.JoinSpan(joinStart, lastJoined, joined.size()));

      metrics.phase("waiting for the start");
      long start = shards.awaitStart(cfg.connectTimeout());
      long measureFrom = start + cfg.warmup().toNanos();
      long measureTo = measureFrom + cfg.duration().toNanos();
      OpenLoopSchedule schedule =
          OpenLoopSchedule.forDuration(
              start, cfg.rate(), cfg.warmup().plus(cfg.duration()).toNanos());
      // Every message of the schedule, before the first is due: a copy must never arrive before
      // its entry. Shard 0 later names the ones that will not come.
      for (long k = 0; k < schedule.count(); k++) {
        long due = schedule.dueNanos(k);
        ledger.expect(k, due, own, due >= measureFrom);
      }
      listener.window(measureFrom, measureTo);
      metrics.phase(cfg.warmup().isZero() ? "running" : "warmup");
      sleepUntil(measureFrom);
      metrics.phase("running");
      sleepUntil(measureTo);

      metrics.phase("draining");
      for (long id : shards.awaitPublished(cfg.drainTimeout().plus(REPORT_GRACE))) {
        ledger.refused(id);
      }
      ledger.awaitNonePending(System.nanoTime() + cfg.drainTimeout().toNanos());
      MessageLedger.Outstanding outstanding = ledger.outstanding();
      shards.announceReport(
          new ShardReport(
              metrics.delivered.sum(),
              listener.windowDelivered.sum(),
              metrics.duplicates.sum(),
              outstanding,
              ledger.outstandingIds(),
              metrics.errors.snapshot(),
              listener.completions()));
      double seconds = cfg.duration().toNanos() / 1e9;
      return ctx.result(
          1,
          cfg.rate(),
          0,
          listener.windowDelivered.sum() / seconds,
          (schedule.count() - ledger.refusedCount()) * own,
          outstanding,
          0,
          Map.of("joinAllMs", Math.max(0, lastJoined - joinStart) / 1e6));
    }
  }

  /**
   * The room's last-member latency of each message every shard's members all received: the largest
   * of the shards' own. A message some shard lacks has no last member yet, so it has no sample (it
   * is outstanding).
   */
  static Map<Long, Long> roomCompletions(Map<Long, Long> own, List<ShardReport> others) {
    Map<Long, Long> room = new LinkedHashMap<>();
    own.forEach(
        (id, nanos) -> {
          long last = nanos;
          for (ShardReport r : others) {
            Long theirs = r.completions().get(id);
            if (theirs == null) {
              return;
            }
            last = Math.max(last, theirs);
          }
          room.put(id, last);
        });
    return room;
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    long left;
    while ((left = nanos - System.nanoTime()) > 0) {
      Thread.sleep(Math.max(1, Math.min(left / 1_000_000, 100)));
    }
  }
}
