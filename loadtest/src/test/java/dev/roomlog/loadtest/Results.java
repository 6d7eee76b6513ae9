package dev.roomlog.loadtest;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** A made-up run result for the tests of what is written from one. */
final class Results {
  private Results() {}

  /** Delivery latencies of 1..1000 ms, one each; acks of 1..100 ms. */
  static RunResult chat() {
    Histogram delivery =
        new Histogram(LatencyRecorder.HIGHEST_NANOS, LatencyRecorder.SIGNIFICANT_DIGITS);
    for (int ms = 1; ms <= 1000; ms++) {
      delivery.recordValue(ms * 1_000_000L);
    }
    Histogram ack =
        new Histogram(LatencyRecorder.HIGHEST_NANOS, LatencyRecorder.SIGNIFICANT_DIGITS);
    for (int ms = 1; ms <= 100; ms++) {
      ack.recordValue(ms * 1_000_000L);
    }
    Map<String, Histogram> latencies = new LinkedHashMap<>();
    latencies.put("ack", ack);
    latencies.put("delivery", delivery);
    Map<String, Number> figures = new LinkedHashMap<>();
    figures.put("refused", 2L);
    return new RunResult(
        "chat",
        "roomlog",
        "127.0.0.1:8080",
        Instant.parse("2026-11-26T06:00:00Z"),
        2,
        10,
        100,
        10,
        10,
        200,
        199.5,
        1995,
        2400,
        2398,
        23980,
        23980,
        0,
        0,
        1,
        Map.of("429 rateLimited", 2L, "close 1013", 1L),
        1.25,
        "delivery",
        latencies,
        List.of(
            new ThroughputSample(1.0, "running", 200, 199, 1990),
            new ThroughputSample(2.0, "running", 200, 200, 2000)),
        figures);
  }
}
