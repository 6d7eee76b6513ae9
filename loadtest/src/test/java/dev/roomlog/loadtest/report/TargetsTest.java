package dev.roomlog.loadtest.report;

import static dev.roomlog.loadtest.report.SampleResults.results;
import static dev.roomlog.loadtest.report.SampleResults.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TargetsTest {
  private static final List<String> KAFKA =
      List.of(
          "producer records_per_sec=1000.0 mb_per_sec=1.0",
          "consumer records_per_sec=1500.0 mb_per_sec=1.0 fetch_records_per_sec=2000.0 fetch_mb_per_sec=2.0");

  private static Verdict ingest(double achieved) {
    LoadRun ingest = run("roomlog-ingest", Map.of("achievedRate", achieved));
    return Targets.ingest(results(List.of(ingest), KAFKA, Map.of(), Map.of())).verdict();
  }

  @Test
  void ingestPassesAtHalfOfProducerPerformanceAndMissesBelowIt() {
    assertEquals(Verdict.PASS, ingest(500));
    assertEquals(Verdict.MISS, ingest(499.9));
  }

  @Test
  void ingestWithoutProducerPerformanceIsNotMeasuredRatherThanPassed() {
    LoadRun ingest = run("roomlog-ingest", Map.of("achievedRate", 1e9));
    Headline h = Targets.ingest(results(List.of(ingest), List.of(), Map.of(), Map.of()));
    assertEquals(Verdict.NOT_MEASURED, h.verdict());
    assertEquals("not measured", h.comparisons().get(0).value());
  }

  @Test
  void ingestShowsItsShareOfProducerPerformance() {
    LoadRun ingest = run("roomlog-ingest", Map.of("achievedRate", 730));
    Headline h = Targets.ingest(results(List.of(ingest), KAFKA, Map.of(), Map.of()));
    assertEquals("730", h.value());
    assertEquals(
        new Headline.Comparison(
            "Kafka ProducerPerformance (acks=all, idempotent, ? B records), records/s",
            "1,000",
            "73%"),
        h.comparisons().get(0));
  }

  private static Verdict chat(double p99, long timeouts, long errors) {
    LoadRun chat =
        run(
            "roomlog-chat",
            Map.of("latencyP99Ms", p99, "timeouts", timeouts, "errorsTotal", errors));
    return Targets.chat(results(List.of(chat), KAFKA, Map.of(), Map.of())).verdict();
  }

  @Test
  void chatPassesAtAP99OfFiftyMillisecondsWithEveryMessageDelivered() {
    assertEquals(Verdict.PASS, chat(50, 0, 0));
    assertEquals(Verdict.MISS, chat(50.001, 0, 0));
  }

  @Test
  void chatMissesWhenMessagesTimedOutOrWereRefusedHoweverLowItsP99() {
    assertEquals(Verdict.MISS, chat(5, 1, 0));
    assertEquals(Verdict.MISS, chat(5, 0, 1));
  }

  @Test
  void chatWithoutAnyLatencyRecordedIsNotMeasured() {
    LoadRun chat = run("roomlog-chat", Map.of("latencyP99Ms", 0, "latencyCount", 0));
    assertEquals(
        Verdict.NOT_MEASURED,
        Targets.chat(results(List.of(chat), KAFKA, Map.of(), Map.of())).verdict());
  }

  @Test
  void chatComparesItsP99WithBothPeersAsAMultiple() {
    Headline h =
        Targets.chat(
            results(
                List.of(
                    run(
                        "roomlog-chat",
                        Map.of("latencyP99Ms", 40.0, "targetRate", 250, "roomSize", 10)),
                    run("bare-chat", Map.of("latencyP99Ms", 4.0)),
                    run("socketio-chat", Map.of("latencyP99Ms", 8.0, "timeouts", 3))),
                KAFKA,
                Map.of(),
                Map.of("chatMaxRate", "1000")));
    assertEquals(
        "chat: p99 end-to-end (send to each member's copy), ms, at 250 msg/s, 25% of the maximum sustained 1,000 msg/s, rooms of 10",
        h.figure());
    assertEquals(
        List.of(
            new Headline.Comparison("bare Netty, same flags, p99 ms", "4.00", "10.0×"),
            new Headline.Comparison("Socket.IO, same flags, p99 ms", "8.00 (3 timeouts)", "5.00×")),
        h.comparisons());
  }

  private static Verdict fanout(double roomlog, Double socketio) {
    List<LoadRun> runs =
        socketio == null
            ? List.of(run("roomlog-fanout", Map.of("deliveriesPerSecond", roomlog)))
            : List.of(
                run("roomlog-fanout", Map.of("deliveriesPerSecond", roomlog)),
                run("socketio-fanout", Map.of("deliveriesPerSecond", socketio)));
    return Targets.fanout(results(runs, KAFKA, Map.of(), Map.of())).verdict();
  }

  @Test
  void fanoutNeedsOneHundredThousandDeliveriesPerSecondAndSocketIosRate() {
    assertEquals(Verdict.PASS, fanout(100_000, 90_000.0));
    assertEquals(Verdict.MISS, fanout(99_999, 90_000.0));
    assertEquals(Verdict.MISS, fanout(150_000, 160_000.0));
  }

  @Test
  void fanoutWithinOnePercentOfSocketIoAtTheSameOfferedRateIsATie() {
    assertEquals(Verdict.PASS, fanout(119_000, 120_000.0));
    assertEquals(Verdict.MISS, fanout(118_700, 120_000.0));
  }

  @Test
  void fanoutWithoutSocketIoIsNotMeasuredUnlessAlreadyBelowOneHundredThousand() {
    assertEquals(Verdict.NOT_MEASURED, fanout(150_000, null));
    assertEquals(Verdict.MISS, fanout(50_000, null));
  }

  @Test
  void connectionsPassAtFiftyThousandPerGiBOfHeap() {
    assertEquals(
        Verdict.PASS,
        connections(Map.of("connectionsPerGiB", 50_000, "bytesPerConnection", 21_475)));
    assertEquals(
        Verdict.MISS,
        connections(Map.of("connectionsPerGiB", 49_999, "bytesPerConnection", 21_475)));
  }

  @Test
  void connectionsWithoutAHeapFigureAreNotMeasured() {
    assertEquals(Verdict.NOT_MEASURED, connections(Map.of("connectionsOpened", 20_000)));
  }

  private static Verdict connections(Map<String, Object> fields) {
    LoadRun c = run("roomlog-connections", fields);
    return Targets.connections(results(List.of(c), KAFKA, Map.of(), Map.of())).verdict();
  }

  private static Headline restore(Map<String, String> restore, List<String> kafka) {
    return Targets.restore(results(List.of(), kafka, restore, Map.of()));
  }

  @Test
  void restorePassesAtHalfOfConsumerPerformancesFetchRate() {
    assertEquals(
        Verdict.PASS,
        restore(Map.of("restoredRecords", "5000", "restoreRecordsPerSecond", "1000"), KAFKA)
            .verdict());
    assertEquals(
        Verdict.MISS,
        restore(Map.of("restoredRecords", "5000", "restoreRecordsPerSecond", "999"), KAFKA)
            .verdict());
  }

  @Test
  void restoreShowsItsShareOfBothConsumerRates() {
    Headline h =
        restore(Map.of("restoredRecords", "5000", "restoreRecordsPerSecond", "1500"), KAFKA);
    assertEquals(
        List.of("75%", "100%"), h.comparisons().stream().map(Headline.Comparison::ratio).toList());
  }

  @Test
  void restoreWithNothingRestoredOrNoDurationIsNotMeasured() {
    assertEquals(
        Verdict.NOT_MEASURED,
        restore(Map.of("restoredRecords", "0", "restoreRecordsPerSecond", "1000"), KAFKA)
            .verdict());
    assertEquals(
        Verdict.NOT_MEASURED,
        restore(Map.of("restoredRecords", "5000", "restoreRecordsPerSecond", ""), KAFKA).verdict());
  }

  @Test
  void everyTargetIsNotMeasuredWhenThereAreNoResults() {
    List<Headline> rows = Targets.evaluate(results(List.of(), List.of(), Map.of(), Map.of()));
    assertEquals(
        List.of("ingest", "chat", "fanout", "connections", "restore"),
        rows.stream().map(Headline::id).toList());
    rows.forEach(h -> assertEquals(Verdict.NOT_MEASURED, h.verdict(), h.id()));
  }
}
