package dev.roomlog.loadtest;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Clients drop at once and come back: rooms of {@code --room-size} each get {@code
 * --messages-per-room} messages, all acknowledged; then every connection is closed at the same
 * moment (a network drop, no close handshake), and reopened and rejoined to its room as fast as
 * {@code --connect-rate} and {@code --setup-rate} allow. Reports each client's time from the drop
 * to its {@code joined} answer (the headline, {@code reconnect}), the time until all are back, and
 * how many acknowledged messages the rejoin's history lacked.
 *
 * <p>A rejoin here is a plain joinRoom, a new member that gets the room's recent history, which is
 * what is checked (the same rejoin works against the Socket.IO peer). Roomlog's gap-free resume, a
 * join with afterSeq, is proven by the server's FaultToleranceIT.
 */
final class ReconnectScenario {
  static final String RECONNECT = "reconnect";

  private ReconnectScenario() {}

  static RunResult run(RunContext ctx) throws InterruptedException {
    LoadTestConfig cfg = ctx.config();
    RunMetrics metrics = ctx.metrics();
    RoomPlan plan = new RoomPlan(cfg.connections(), cfg.roomSize(), false);
    MessageLedger ledger = new MessageLedger();
    try (RoomSetup setup =
        new RoomSetup(
            ctx.protocol(),
            plan,
            ctx.runId(),
            cfg.setupRate(),
            cfg.connectTimeout(),
            metrics.errors)) {
      TrafficListener listener = new TrafficListener(plan, ledger, setup, metrics, true);
      LatencyRecorder reconnect = metrics.latency(RECONNECT);
      metrics.primary(RECONNECT);

      metrics.phase("connecting");
      List<WsConnection> first = ctx.pool().open(cfg.connections(), listener, c -> {});
      ctx.requireAllReady(first, "connecting");
      metrics.phase("rooms");
      setup.createRooms(first);
      setup.joinRooms(first, c -> plan.slotOf(c) != 0);

      metrics.phase("messages");
      long count = (long) cfg.messagesPerRoom() * plan.rooms();
      OpenLoopSender sender = OpenLoopSender.realTime();
      sender.run(
          new OpenLoopSchedule(System.nanoTime(), cfg.rate(), count),
          (k, due) -> {
            int c = plan.senderOf(k);
            ledger.sent(k, due, plan.roomSize(), plan.slotOf(c), true);
            metrics.sent.increment();
            first
                .get(c)
                .send(
                    ctx.protocol()
                        .sendMessage(
                            RoomPlan.roomId(ctx.runId(), plan.roomOf(c)),
                            MessageText.format(k, due, cfg.messageSize()),
                            TrafficListener.messageRequestId(k)));
          },
          () -> Thread.currentThread().isInterrupted());
      ledger.awaitNonePending(System.nanoTime() + cfg.drainTimeout().toNanos());
      MessageLedger.Outstanding beforeDrop = ledger.outstanding();

      metrics.phase("drop");
      long dropNanos = System.nanoTime();
      for (WsConnection c : first) {
        c.close();
      }
      awaitClosed(first, cfg.connectTimeout().toNanos());

      metrics.phase("reconnecting");
      List<WsConnection> again = ctx.pool().open(cfg.connections(), listener, c -> {});
      ctx.requireAllReady(again, "reconnecting");
      Map<Integer, RoomSetup.Joined> back = setup.joinRooms(again, c -> true);

      long slowest = 0;
      long missing = 0;
      long acked = 0;
      for (int room = 0; room < plan.rooms(); room++) {
        acked += listener.ackedTexts(room).size();
      }
      for (Map.Entry<Integer, RoomSetup.Joined> e : back.entrySet()) {
        long took = e.getValue().atNanos() - dropNanos;
        reconnect.record(took);
        slowest = Math.max(slowest, took);
        Set<String> history = new HashSet<>(e.getValue().answer().history());
        for (String text : listener.ackedTexts(plan.roomOf(e.getKey()))) {
          if (!history.contains(text)) {
            missing++;
          }
        }
      }

      Map<String, Number> figures = new LinkedHashMap<>();
      figures.put("messagesBeforeDrop", acked);
      figures.put("rejoined", back.size());
      figures.put("reconnectAllMs", Math.round(slowest / 1e3) / 1e3);
      figures.put("missingAfterReconnect", missing);
      return ctx.result(
          plan.rooms(),
          cfg.connectRate(),
          back.size() / Math.max(1e-9, slowest / 1e9),
          0,
          count * plan.roomSize(),
          beforeDrop,
          sender.maxLagNanos() / 1e6,
          figures);
    }
  }

  private static void awaitClosed(List<WsConnection> connections, long timeoutNanos)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    for (WsConnection c : connections) {
      try {
        c.closed().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (ExecutionException | TimeoutException e) {
        return;
      }
    }
  }
}
