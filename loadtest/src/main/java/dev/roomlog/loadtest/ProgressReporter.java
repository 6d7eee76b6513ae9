package dev.roomlog.loadtest;

import java.io.PrintWriter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Ticks the run's metrics once a second, which makes the throughput series, and prints the progress
 * line (to stderr, so that stdout keeps only the table), unless quiet. {@link #stop} ends the ticks
 * and takes a last one, so the totals hold everything recorded.
 */
final class ProgressReporter implements AutoCloseable {
  private final RunMetrics metrics;
  private final PrintWriter out;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "progress");
            t.setDaemon(true);
            return t;
          });
  private boolean stopped;

  /**
   * @param out where the line goes, or null for none
   */
  ProgressReporter(RunMetrics metrics, PrintWriter out) {
    this.metrics = metrics;
    this.out = out;
    timer.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
  }

  private void tick() {
    RunMetrics.Progress p = metrics.tick(System.nanoTime());
    if (out != null) {
      out.println(ProgressLine.format(p));
      out.flush();
    }
  }

  /** Stops the ticks and takes the last one; later calls do nothing. */
  synchronized void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    timer.shutdown();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    tick();
  }

  @Override
  public void close() {
    stop();
  }
}
