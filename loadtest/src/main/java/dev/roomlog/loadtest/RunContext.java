package dev.roomlog.loadtest;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a scenario runs with: its settings, the protocol, the connection pool, the run's metrics,
 * and an id that names its rooms. Built and closed by {@link LoadTest}.
 */
record RunContext(
    LoadTestConfig config,
    ChatProtocol protocol,
    WsClientPool pool,
    RunMetrics metrics,
    ProgressReporter progress,
    String runId,
    Instant startedAt) {

  /** Fails the run unless every connection became ready, naming what went wrong. */
  void requireAllReady(List<WsConnection> connections, String what) {
    long ready =
        connections.stream()
            .filter(c -> c.ready().isDone() && !c.ready().isCompletedExceptionally())
            .count();
    if (ready < connections.size()) {
      throw new RunFailed(
          what
              + ": "
              + (connections.size() - ready)
              + " of "
              + connections.size()
              + " connections failed "
              + metrics.errors.snapshot()
              + "; an http 503 means a connection limit (raise roomlog.gateway.maxConnections or"
              + " maxConnectionsPerIp, or use more --source-addresses), an http 429 the handshake rate"
              + " of one address (raise roomlog.gateway.handshakesPerSecondPerIp and handshakeBurstPerIp,"
              + " or lower --connect-rate), an http 401 a wrong --api-key");
    }
  }

  /**
   * Ends the run's clock (the last progress tick) and returns a result with this run's settings and
   * metrics filled in; the scenario gives the rest.
   */
  RunResult result(
      int rooms,
      double targetRate,
      double achievedRate,
      double deliveriesPerSecond,
      long expectedDeliveries,
      MessageLedger.Outstanding outstanding,
      double maxSendLagMs,
      Map<String, Number> figures) {
    return result(
        config.connections(),
        config.roomSize(),
        rooms,
        targetRate,
        achievedRate,
        deliveriesPerSecond,
        expectedDeliveries,
        outstanding,
        maxSendLagMs,
        figures);
  }

  /**
   * As above, for a run whose connections are not all this process's: a room several processes play
   * ({@link RoomShards}) reports every member.
   */
  RunResult result(
      int connections,
      int roomSize,
      int rooms,
      double targetRate,
      double achievedRate,
      double deliveriesPerSecond,
      long expectedDeliveries,
      MessageLedger.Outstanding outstanding,
      double maxSendLagMs,
      Map<String, Number> figures) {
    progress.stop();
    LoadTestConfig c = config;
    return new RunResult(
        c.scenario().flag(),
        protocol.name(),
        c.target(),
        startedAt,
        c.warmup().toNanos() / 1e9,
        c.duration().toNanos() / 1e9,
        connections,
        roomSize,
        rooms,
        targetRate,
        achievedRate,
        deliveriesPerSecond,
        metrics.sent.sum(),
        metrics.acked.sum(),
        metrics.delivered.sum(),
        expectedDeliveries,
        outstanding.messages(),
        outstanding.deliveries(),
        metrics.duplicates.sum(),
        metrics.errors.snapshot(),
        maxSendLagMs,
        metrics.primaryName(),
        metrics.histograms(),
        metrics.throughput(),
        new LinkedHashMap<>(figures));
  }
}
