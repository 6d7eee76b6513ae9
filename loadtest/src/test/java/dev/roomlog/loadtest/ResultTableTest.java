package dev.roomlog.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ResultTableTest {
  @Test
  void showsRatesErrorsByStatusAndTheHeadlinePercentiles() {
    List<String> lines = ResultTable.format(Results.chat()).lines().toList();
    assertEquals(
        List.of(
            "scenario",
            "protocol",
            "target/s",
            "achieved/s",
            "deliveries/s",
            "errors",
            "timeouts",
            "latency",
            "p50",
            "ms",
            "p90",
            "ms",
            "p99",
            "ms",
            "p99.9",
            "ms",
            "max",
            "ms"),
        List.of(lines.get(0).trim().split("\\s+")));
    assertEquals(
        "chat roomlog 200 199.5 1995 429 rateLimited: 2, close 1013: 1 0 delivery 500.17 900.20 990.38 999.29 1000.34",
        String.join(" ", lines.get(1).trim().split("\\s+")));
    assertEquals(
        "sent 2400, acked 2398, delivered 23980 of 23980 expected, duplicates 1, missing deliveries 0, max send lag 1.3 ms",
        lines.get(2));
    assertEquals("refused 2", lines.get(3));
  }
}
