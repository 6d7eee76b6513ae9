package dev.roomlog.loadtest;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Idle authenticated connections: opens {@code --connections} (each counts once the server's ready
 * frame arrives), holds them for {@code --duration}, and reports how many were opened and how many
 * were still open at the end. With {@code --server-pid}, the server's heap after a full GC is read
 * before the first connection and once all are open; the difference over the connections opened is
 * the heap cost of one connection.
 */
final class ConnectionsScenario {
  static final String CONNECT = "connect";
  private static final double GIB = 1024.0 * 1024 * 1024;

  private ConnectionsScenario() {}

  static RunResult run(RunContext ctx) throws InterruptedException, IOException {
    LoadTestConfig cfg = ctx.config();
    RunMetrics metrics = ctx.metrics();
    LatencyRecorder connect = metrics.latency(CONNECT);
    HeapProbe heap = cfg.serverPids().isEmpty() ? null : new HeapProbe(cfg.serverPids());

    metrics.phase("heap before");
    long before = heap == null ? -1 : heap.usedAfterGcBytes();

    metrics.phase("connecting");
    long openStart = System.nanoTime();
    List<WsConnection> connections =
        ctx.pool()
            .open(
                cfg.connections(),
                (c, in, at) -> {},
                c -> {
                  metrics.sent.increment();
                  c.ready()
                      .thenAccept(
                          at -> {
                            metrics.acked.increment();
                            connect.record(at - c.dueNanos());
                          });
                });
    long opened = connections.stream().filter(WsConnection::isOpen).count();
    double openSeconds = (System.nanoTime() - openStart) / 1e9;

    metrics.phase("holding");
    long holdEnd = System.nanoTime() + cfg.duration().toNanos();
    long after = heap == null ? -1 : heap.usedAfterGcBytes();
    long left = holdEnd - System.nanoTime();
    if (left > 0) {
      // The scenario's point is to hold idle connections this long: the server's pings,
      // timeouts and memory have time to show.
      Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
    }
    long held = connections.stream().filter(WsConnection::isOpen).count();

    Map<String, Number> figures = new LinkedHashMap<>();
    figures.put("connectionsOpened", opened);
    figures.put("connectionsFailed", cfg.connections() - opened);
    figures.put("connectionsHeld", held);
    if (heap != null) {
      figures.put("heapUsedBeforeBytes", before);
      figures.put("heapUsedAfterBytes", after);
      if (opened > 0) {
        // With few connections the difference is within the heap's own noise, and can even be
        // negative; it is reported as measured, and the per-GiB figure only when it means
        // something.
        double perConnection = (after - before) / (double) opened;
        figures.put("bytesPerConnection", Math.round(perConnection));
        if (perConnection >= 1) {
          figures.put("connectionsPerGiB", Math.round(GIB / perConnection));
        }
      }
    }
    return ctx.result(
        0,
        cfg.connectRate(),
        opened / Math.max(1e-9, openSeconds),
        0,
        0,
        new MessageLedger.Outstanding(0, 0),
        0,
        figures);
  }
}
