package dev.roomlog.loadtest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The message scenarios: ingest (every connection alone in its room; the headline is the ack
 * latency), chat (rooms of {@code --room-size}; the latency to each member) and fanout (rooms with
 * one publisher each, by default one room of every connection; the latency to the last member of
 * the room). The same steps for all three: open the connections, create and join the rooms, send on
 * an open loop for warm-up plus duration, then wait up to the drain timeout for the messages still
 * in flight; what never arrives is a timeout.
 */
final class TrafficScenario {
  private TrafficScenario() {}

  static RunResult run(RunContext ctx) throws InterruptedException {
    LoadTestConfig cfg = ctx.config();
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

      metrics.phase("connecting");
      List<WsConnection> connections = ctx.pool().open(cfg.connections(), listener, c -> {});
      ctx.requireAllReady(connections, "connecting");
      metrics.phase("rooms");
      setup.createRooms(connections);
      setup.joinRooms(connections, c -> plan.slotOf(c) != 0);

      OpenLoopSender sender = OpenLoopSender.realTime();
      send(ctx, plan, ledger, listener, connections, sender);

      metrics.phase("draining");
      ledger.awaitNonePending(System.nanoTime() + cfg.drainTimeout().toNanos());
      MessageLedger.Outstanding outstanding = ledger.outstanding();

      double seconds = cfg.duration().toNanos() / 1e9;
      long sentAndNotRefused = metrics.sent.sum() - ledger.refusedCount();
      Map<String, Number> figures = new LinkedHashMap<>();
      figures.put("refused", ledger.refusedCount());
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

  /** Warm-up then the measured window, on one open loop; a message is measured by its due time. */
  private static void send(
      RunContext ctx,
      RoomPlan plan,
      MessageLedger ledger,
      TrafficListener listener,
      List<WsConnection> connections,
      OpenLoopSender sender) {
    LoadTestConfig cfg = ctx.config();
    RunMetrics metrics = ctx.metrics();
    // A moment ahead, so that the first message is not already late when the loop starts.
    long start = System.nanoTime() + 1_000_000;
    long measureFrom = start + cfg.warmup().toNanos();
    listener.window(measureFrom, measureFrom + cfg.duration().toNanos());
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
  }
}
