package dev.roomlog.loadtest.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchReportWriterTest {
  private static final List<Path> PLOTS =
      List.of(
          Path.of("bench/roomlog-chat-latency-by-percentile.png"),
          Path.of("bench/roomlog-chat-throughput.png"));

  private final String report =
      BenchReportWriter.render(SampleResults.load(), SampleResults.MACHINE, PLOTS, Before.NONE);
  private final List<String> lines = report.lines().toList();

  private void assertLine(String expected) {
    assertTrue(lines.contains(expected), () -> "no line\n" + expected + "\nin\n" + report);
  }

  @Test
  void tableSetsEachFigureBesideItsBaselineWithTheRatioAndTheVerdict() {
    assertLine(
        "| ingest, into the log: actions/s Kafka acknowledged to the gateway (its"
            + " `roomlog_gateway_wal_append_seconds_count`), at the highest rate sustained so | 70,000"
            + " | Kafka ProducerPerformance (acks=all, idempotent, 400 B records), records/s | 100,000 | 70%"
            + " | ≥ 50% of ProducerPerformance | **PASS** |");
    assertLine(
        "| ingest, answered by the processor: actions/s whose sender got its own copy back, at the highest"
            + " rate sustained so | 60,000 | Kafka ProducerPerformance (acks=all, idempotent, 400 B records),"
            + " records/s | 100,000 | 60% | none (reported beside the rate into the log) | **reported** |");
    assertLine(
        "| chat: maximum sustained rate, msg/s offered, rooms of 10, the same step search for each server"
            + " (every message delivered, no error) | 4,000 | bare Netty, same search, msg/s | ≥ 16,000 | 25%"
            + " | ≥ 17,500 msg/s (10× the 1,750 of 2026-11-26); goal: ≥ Socket.IO's | **MISS** |");
    assertLine("|  |  | Socket.IO, same search, msg/s | 8,000 | 50% |  |  |");
    assertLine(
        "| chat: p99 end-to-end (send to each member's copy), ms, at 1,000 msg/s, 25% of the maximum sustained"
            + " 4,000 msg/s, rooms of 10 | 42.5 | bare Netty, same flags, p99 ms | 3.20 | 13.3× | p99 ≤ 30.0 ms, every message"
            + " delivered | **MISS** |");
    assertLine("|  |  | Socket.IO, same flags, p99 ms | 5.10 | 8.33× |  |  |");
    assertLine(
        "| fanout: deliveries/s to one room of 1,000, 100 msg/s offered | 99,500 (2 timeouts, 3 errors)"
            + " | bare Netty, same flags, deliveries/s | 100,000 | 100% | ≥ 100,000/s and ≥ Socket.IO's | **MISS** |");
    assertLine(
        "| connections: idle authenticated connections per GiB of heap (heap after GC, before and after 20,000"
            + " connections; -Xmx4g) | 40,000 (26,844 B each) | - | - | - | ≥ 50,000 per GiB | **MISS** |");
    assertLine(
        "| recovery: processor state restore, changelog records/s (60,000 records, state directory deleted) | 30,000"
            + " | Kafka ConsumerPerformance, fetch records/s (group join left out) | 200,000 | 15%"
            + " | ≥ 50% of ConsumerPerformance (fetch) | **MISS** |");
    assertLine("|  |  | Kafka ConsumerPerformance, records/s (whole run) | 150,000 | 20% |  |  |");
  }

  @Test
  void missedSectionNamesEachMissedTargetWithAPlaceholderForTheLead() {
    assertLine(
        "Missed: chat-max (MISS), chat (MISS), fanout (MISS), connections (MISS), restore (MISS).");
    assertLine("### fanout");
    assertLine(
        "fanout: 99,500 deliveries/s against Socket.IO's 100,000 (target ≥ 100,000/s and ≥ Socket.IO's).");
    assertLine("### connections");
    assertLine("### restore");
    assertFalse(lines.contains("### ingest"));
    assertFalse(lines.contains("### ingest-log"));
    assertFalse(lines.contains("### huge-room"), "reported, not judged");
    assertEquals(5, lines.stream().filter(BenchReportWriter.TO_FILL::equals).count());
  }

  @Test
  void statesTheMachineTheCommandAndTheLoad() {
    assertLine("| cores | 2 |");
    assertLine("| CPU | Test CPU 3000 |");
    assertLine("| memory | 8.0 GiB |");
    assertLine("| Kafka | 4.1.1 (embedded broker, clients, Streams, tools) |");
    assertLine("- **Command:** `bench/run.sh --commit-interval-ms 50`, at commit abc1234");
    assertLine("- **Date:** 2026-01-02T03:00:00Z to 2026-01-02T03:12:34Z (12 min 34 s)");
    assertLine(
        "| load average | 1-minute: 0.50 at the start, 3.10 at most (before socketio-fanout; the benchmark's own"
            + " processes raise it), 0.90 at the end |");
    assertTrue(report.contains("commit interval 50 ms,"), report);
    assertFalse(report.contains("Quick run"));
  }

  @Test
  void detailTablesGiveEachRunsPercentilesAndErrorsByStatus() {
    assertLine(
        "| roomlog-chat | Roomlog | 1,000 | 100 × 10 | 1,000 | 1,000 | 10,000 | 12,000 | 0 | 0 | 0 | delivery"
            + " | 20.0 | 30.0 | 42.5 | 48.0 | 60.0 | 1.50 |");
    assertLine(
        "| roomlog-connections | Roomlog | 20,000 | - | 2,000 | 1,900 | 0 | 20,000 | 0 | 0 | 0 | connect"
            + " | 100 | 200 | 300 | 400 | 500 | 1.50 |");
    assertLine("| roomlog-fanout | 503 overloaded | 2 |");
    assertLine("| roomlog-fanout | close 1013 | 1 |");
    assertLine("| 3 | 8,000 | 5,000 | 50,000 | 120 | 0 | 9,000 | - | no |");
    assertLine("| 1 | 36,000 | 30,000 | 30,000 | 0 | 0 | 901 | 35,900 | yes |");
    assertLine(
        "| huge room: heap after GC with every member joined, dev server + every gateway"
            + " | 286.1 MiB (before connecting: 95.4 MiB) | - | - |");
    assertLine("| huge room: the generator's own heap after GC then | 381.5 MiB | - | - |");
    assertLine("| 60,000 | 60,500 | 6 | 2,000 | 30,000 | 114.4 MiB | 2,000 | 57.2 |");
    assertLine(
        "| restore: changelog MiB/s (share of ConsumerPerformance's fetch MiB/s) | 57.2 (75%) | - | - |");
  }

  @Test
  void linksThePlotsAndListsTheJmhResults() {
    assertLine(
        "![roomlog chat latency by percentile](bench/roomlog-chat-latency-by-percentile.png)");
    assertLine(
        "| ConnectionRegistryBenchmark.deliverPerRecipient | members=1000 | avgt | 422.680 | ± 39.173 | ns/op | 258 |");
    assertLine("| RoomLogicBenchmark.decideSendMessage | - | thrpt | 1,234,568 | - | ops/s | - |");
  }

  @Test
  void setsEachHeadlineBesideTheEarlierRunsFigureWithTheRatio() throws Exception {
    Before before =
        Before.parse(
            "date=2026-11-26T13:45:41Z\ncommit=2ef6d45\ncommand=bench/run.sh\nnote=same machine\n"
                + "figure.ingest=1,778\nfigure.chat-max=1,750\n");
    List<String> text =
        BenchReportWriter.render(SampleResults.load(), SampleResults.MACHINE, PLOTS, before)
            .lines()
            .toList();
    assertTrue(
        text.contains(
            "Before: `bench/run.sh` on 2026-11-26T13:45:41Z, at commit 2ef6d45 (same machine)."
                + " After: this run. \"-\" where the earlier run did not measure the figure."),
        () -> String.join("\n", text));
    assertTrue(
        text.contains(
            "| chat: maximum sustained rate, msg/s offered, rooms of 10, the same step search for each server"
                + " (every message delivered, no error) | 1,750 | 4,000 | 2.29× |"),
        () -> String.join("\n", text));
    assertTrue(
        text.stream()
            .anyMatch(
                l -> l.startsWith("| ingest, into the log:") && l.endsWith("| - | 70,000 | - |")),
        () -> String.join("\n", text));
  }

  @Test
  void thisRunsFiguresReadBackAsTheNextRunsBefore() throws Exception {
    BenchResults r = SampleResults.load();
    java.io.StringWriter w = new java.io.StringWriter();
    Before.of(r, Targets.evaluate(r)).write(w);
    Before back = Before.parse(w.toString());
    assertEquals("abc1234", back.commit());
    assertEquals(java.util.Optional.of("4,000"), back.figure("chat-max"));
    assertEquals(java.util.Optional.of("70,000"), back.figure("ingest-log"));
  }

  @Test
  void aQuickRunSaysItsFiguresMeanNothing() {
    BenchResults sample = SampleResults.load();
    java.util.Map<String, String> info = new java.util.HashMap<>(sample.info());
    info.put("quick", "true");
    info.put("failures", "roomlog-fanout (exit 1): connections refused");
    BenchResults quick =
        new BenchResults(
            sample.runs(),
            sample.searches(),
            sample.kafka(),
            sample.restore(),
            info,
            sample.load(),
            sample.jmh());
    String text = BenchReportWriter.render(quick, SampleResults.MACHINE, List.of(), Before.NONE);
    assertTrue(text.contains("> **Quick run** (`--quick`)"), text);
    assertTrue(
        text.contains(
            "> **Steps that failed in this run:** roomlog-fanout (exit 1): connections refused"),
        text);
  }
}
