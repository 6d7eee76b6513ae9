package dev.roomlog.loadtest;

import java.io.IOException;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;

/**
 * Runs one scenario from start to end: the pool, the metrics and the progress line around it,
 * everything closed afterwards whatever happened. The I/O-free parts live in the classes it calls;
 * this is the edge that starts and stops things.
 */
final class LoadTest {
  private LoadTest() {}

  /**
   * @param progressOut where the progress line goes each second, or null for none
   * @throws RunFailed when the run could not go on; its message says why
   */
  static RunResult run(LoadTestConfig cfg, PrintWriter progressOut)
      throws IOException, InterruptedException {
    ChatProtocol protocol = cfg.chatProtocol();
    RunMetrics metrics = new RunMetrics(System.nanoTime());
    WsClientPool.Settings settings =
        new WsClientPool.Settings(
            cfg.targets(),
            protocol,
            cfg.sourceAddresses(),
            cfg.connectRate(),
            cfg.connectTimeout(),
            cfg.ioThreads());
    try (WsClientPool pool = new WsClientPool(settings, metrics.errors);
        ProgressReporter progress = new ProgressReporter(metrics, progressOut)) {
      RunContext ctx =
          new RunContext(cfg, protocol, pool, metrics, progress, runId(), Instant.now());
      try {
        switch (cfg.scenario()) {
          case CONNECTIONS:
            return ConnectionsScenario.run(ctx);
          case RECONNECT:
            return ReconnectScenario.run(ctx);
          default:
            return TrafficScenario.run(ctx);
        }
      } finally {
        metrics.phase("closing");
        pool.closeAll(Duration.ofSeconds(10));
      }
    }
  }

  /** Names the rooms of one run: a data directory reused across runs never mixes them. */
  private static String runId() {
    String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    SecureRandom random = new SecureRandom();
    StringBuilder b = new StringBuilder("lt-");
    for (int i = 0; i < 8; i++) {
      b.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return b.toString();
  }
}
