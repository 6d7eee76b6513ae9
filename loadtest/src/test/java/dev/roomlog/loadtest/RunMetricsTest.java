package dev.roomlog.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class RunMetricsTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void eachTickIsOneThroughputSampleOfRatesSinceTheLast() {
    RunMetrics m = new RunMetrics(0);
    m.phase("running");
    m.sent.add(100);
    m.acked.add(90);
    m.delivered.add(900);
    m.tick(SECOND);
    m.sent.add(50);
    m.tick(SECOND + SECOND / 2);
    List<ThroughputSample> t = m.throughput();
    assertEquals(new ThroughputSample(1.0, "running", 100, 90, 900), t.get(0));
    assertEquals(new ThroughputSample(1.5, "running", 100, 0, 0), t.get(1));
  }

  @Test
  void theProgressShowsTheHeadlineP99SoFar() {
    RunMetrics m = new RunMetrics(0);
    m.latency("ack");
    m.primary("delivery");
    for (int i = 1; i <= 100; i++) {
      m.latency("delivery").record(i * 1_000_000L);
    }
    RunMetrics.Progress p = m.tick(SECOND);
    assertEquals("delivery", p.latencyName());
    assertEquals(99, Math.round(p.latencyP99Nanos() / 1e6));
    assertEquals(
        99, Math.round(m.tick(2 * SECOND).latencyP99Nanos() / 1e6), "so far: totals accumulate");
    assertEquals(100, m.histograms().get("delivery").getTotalCount());
    assertEquals(List.of("ack", "delivery"), List.copyOf(m.histograms().keySet()));
  }

  @Test
  void theProgressLineSaysWhatIsGoingOn() {
    RunMetrics m = new RunMetrics(0);
    m.phase("running");
    m.latency("delivery").record(3_210_000);
    m.sent.add(12);
    String line = ProgressLine.format(m.tick(2 * SECOND));
    assertEquals(
        "[   2s running     ] sent 12 (6/s) recv 0 (0/s) acked 0 errors 0 p99(delivery) 3.21 ms",
        line);
  }
}
