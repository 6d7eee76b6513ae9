package dev.roomlog.loadtest;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * The message scenarios: ingest (every connection alone in its room; the headline is the ack
 * latency), chat (rooms of {@code --room-size}; the latency to each member) and fanout (rooms with
 * one publisher each, by default one room of every connection; the latency to the last member of
 * the room). The same steps for all three: open the connections, create and join the rooms, send on
 * an open loop for warm-up plus duration, then wait up to the drain timeout for the messages still
 * in flight; what never arrives is a timeout.
 *
 * <p>Besides the messages: the time from the first join to the last {@code joined} answer ({@code
 * joinAllMs}: for one huge room, the time for the whole room to join), the servers' and the
 * generator's heap once every connection is in its room ({@code --server-pid}), and a counter of
 * the server's over the measured window ({@code --server-counter}).
 */
final class TrafficScenario {
  private TrafficScenario() {}

  static RunResult run(RunContext ctx) throws InterruptedException, IOException {
    LoadTestConfig cfg = ctx.config();
    if (cfg.shards() > 1) {
      return ShardedFanout.run(ctx);
    }
    RunMetrics metrics = ctx.metrics();
    RoomPlan plan =
        new RoomPlan(cfg.connections(), cfg.roomSize(), cfg.scenario() == Scenario.FANOUT);
    MessageLedger ledger = new MessageLedger();
    try (RoomSetup setup =
        new RoomSetup(
            ctx.protocol(),
            plan,
            ctx.runId(),
            cfg.setupRate(),
            cfg.connectTimeout(),
            metrics.errors)) {
      TrafficListener listener = new TrafficListener(plan, ledger, setup, metrics, false);
      metrics.primary(headline(cfg.scenario()));

      Map<String, Number> figures = new LinkedHashMap<>();
      HeapProbe heap = cfg.serverPids().isEmpty() ? null : new HeapProbe(cfg.serverPids());
      if (heap != null) {
        metrics.phase("heap before");
        figures.put("heapUsedBeforeBytes", heap.usedAfterGcBytes());
      }
      metrics.phase("connecting");
      List<WsConnection> connections = ctx.pool().open(cfg.connections(), listener, c -> {});
      ctx.requireAllReady(connections, "connecting");
      metrics.phase("rooms");
      setup.createRooms(connections);
      long joinStart = System.nanoTime();
      Map<Integer, RoomSetup.Joined> joined =
          setup.joinRooms(connections, c -> plan.slotOf(c) != 0);
      if (!joined.isEmpty()) {
        long last = joined.values().stream().mapToLong(RoomSetup.Joined::atNanos).max().orElse(0);
        double ms = Math.max(0, last - joinStart) / 1e6;
        figures.put("joinAllMs", ms);
        figures.put("joinsPerSecond", ms > 0 ? joined.size() * 1000.0 / ms : 0);
      }
      if (heap != null) {
        metrics.phase("heap after");
        figures.put("heapUsedAfterBytes", heap.usedAfterGcBytes());
        figures.put("generatorHeapUsedBytes", HeapProbe.ownUsedAfterGcBytes());
      }

      OpenLoopSender sender = OpenLoopSender.realTime();
      // A moment ahead, so that the first message is not already late when the loop starts.
      long start = System.nanoTime() + 1_000_000;
      ServerCounter.Window counter =
          send(ctx, plan, ledger, listener, connections, sender, start, id -> {});

      metrics.phase("draining");
      ledger.awaitNonePending(System.nanoTime() + cfg.drainTimeout().toNanos());
      MessageLedger.Outstanding outstanding = ledger.outstanding();

      double seconds = cfg.duration().toNanos() / 1e9;
      long sentAndNotRefused = metrics.sent.sum() - ledger.refusedCount();
      figures.put("refused", ledger.refusedCount());
      if (counter != null) {
        try {
          figures.put("serverCounterPerSecond", counter.ratePerSecond());
        } catch (IOException e) {
          // No figure then (a step judged on it does not pass); the messages' own figures stand,
          // and the reason goes where the tool's other messages go.
          System.err.println("roomlog-loadtest: --server-counter: " + e.getMessage());
        }
      }
      return ctx.result(
          plan.rooms(),
          cfg.rate(),
          listener.windowAcked.sum() / seconds,
          listener.windowDelivered.sum() / seconds,
          sentAndNotRefused * plan.roomSize(),
          outstanding,
          sender.maxLagNanos() / 1e6,
          figures);
    }
  }

  static String headline(Scenario s) {
    switch (s) {
      case INGEST:
        return TrafficListener.ACK;
      case FANOUT:
        return TrafficListener.LAST_MEMBER;
      default:
        return TrafficListener.DELIVERY;
    }
  }

  /**
   * Warm-up then the measured window, on one open loop from {@code start}; a message is measured by
   * its due time. Returns the server counter's reading over the window, or null without {@code
   * --server-counter}.
   *
   * @param notSent told the id of each message that could not go (its connection was closed)
   */
  static ServerCounter.Window send(
      RunContext ctx,
      RoomPlan plan,
      MessageLedger ledger,
      TrafficListener listener,
      List<WsConnection> connections,
      OpenLoopSender sender,
      long start,
      LongConsumer notSent) {
    LoadTestConfig cfg = ctx.config();
    RunMetrics metrics = ctx.metrics();
    long measureFrom = start + cfg.warmup().toNanos();
    long measureTo = measureFrom + cfg.duration().toNanos();
    listener.window(measureFrom, measureTo);
    ServerCounter.Window counter =
        cfg.serverCounter() == null
            ? null
            : ServerCounter.Window.start(cfg.serverCounter(), measureFrom, measureTo);
    sender.lagFrom(measureFrom);
    OpenLoopSchedule schedule =
        OpenLoopSchedule.forDuration(
            start, cfg.rate(), cfg.warmup().plus(cfg.duration()).toNanos());
    metrics.phase(cfg.warmup().isZero() ? "running" : "warmup");
    sender.run(
        schedule,
        (k, due) -> {
          boolean measured = due >= measureFrom;
          if (measured && !"running".equals(metrics.phase())) {
            metrics.phase("running");
          }
          int c = plan.senderOf(k);
          WsConnection connection = connections.get(c);
          if (!connection.isOpen()) {
            // The server closed it (counted then); the message cannot go, and is not expected.
            metrics.errors.add("not sent: connection closed");
            notSent.accept(k);
            return;
          }
          ledger.sent(k, due, plan.roomSize(), plan.slotOf(c), measured);
          metrics.sent.increment();
          connection.send(
              ctx.protocol()
                  .sendMessage(
                      RoomPlan.roomId(ctx.runId(), plan.roomOf(c)),
                      MessageText.format(k, due, cfg.messageSize()),
                      TrafficListener.messageRequestId(k)));
        },
        () -> Thread.currentThread().isInterrupted());
    return counter;
  }
}
