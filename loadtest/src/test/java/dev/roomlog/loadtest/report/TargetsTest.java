package dev.roomlog.loadtest.report;

import static dev.roomlog.loadtest.report.SampleResults.results;
import static dev.roomlog.loadtest.report.SampleResults.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TargetsTest {
  private static final List<String> KAFKA =
      List.of(
          "producer records_per_sec=1000.0 mb_per_sec=1.0",
          "consumer records_per_sec=1500.0 mb_per_sec=1.0 fetch_records_per_sec=2000.0 fetch_mb_per_sec=2.0");

  private static Verdict ingestLog(double logRate) {
    LoadRun ingest = run("roomlog-ingest-log", Map.of("serverCounterPerSecond", logRate));
    return KafkaSpeedTargets.ingestLog(results(List.of(ingest), KAFKA, Map.of(), Map.of()))
        .verdict();
  }

  @Test
  void ingestIntoTheLogPassesAtHalfOfProducerPerformanceAndMissesBelowIt() {
    assertEquals(Verdict.PASS, ingestLog(500));
    assertEquals(Verdict.MISS, ingestLog(499.9));
  }

  @Test
  void ingestIntoTheLogIsComparedWithTheBareServersIngestThroughTheSameGenerator() {
    LoadRun ingest = run("roomlog-ingest-log", Map.of("serverCounterPerSecond", 300.0));
    Headline measured =
        KafkaSpeedTargets.ingestLog(
            results(
                List.of(ingest),
                KAFKA,
                Map.of(),
                Map.of("bareIngestMaxRate", "400", "bareIngestMaxCapped", "false")));
    Headline.Comparison bare = measured.comparisons().get(1);
    assertTrue(bare.baseline().startsWith("bare Netty"), bare.baseline());
    assertEquals("400", bare.value());
    assertEquals("75%", bare.ratio());
    Headline unmeasured =
        KafkaSpeedTargets.ingestLog(results(List.of(ingest), KAFKA, Map.of(), Map.of()));
    assertEquals("not measured", unmeasured.comparisons().get(1).value());
  }

  @Test
  void ingestIntoTheLogWithoutTheServersCounterTakesTheAnsweredRateAsAFloor() {
    // The processor answers only what Kafka acknowledged: answered at 400/s, into the log at
    // least 400/s.
    LoadRun ingest = run("roomlog-ingest-log", Map.of("achievedRate", 400.0));
    Headline h = KafkaSpeedTargets.ingestLog(results(List.of(ingest), KAFKA, Map.of(), Map.of()));
    assertEquals("≥ 400 (answered: the gateway's counter could not be read)", h.value());
    assertEquals(Verdict.MISS, h.verdict());
    LoadRun fast = run("roomlog-ingest-log", Map.of("achievedRate", 1e9));
    assertEquals(
        Verdict.PASS,
        KafkaSpeedTargets.ingestLog(results(List.of(fast), KAFKA, Map.of(), Map.of())).verdict());
    assertEquals(
        Verdict.NOT_MEASURED,
        KafkaSpeedTargets.ingestLog(results(List.of(), KAFKA, Map.of(), Map.of())).verdict(),
        "no step sustained at all");
  }

  @Test
  void ingestAnsweredByTheProcessorIsReportedBesideProducerPerformanceNotJudged() {
    LoadRun ingest = run("roomlog-ingest", Map.of("achievedRate", 10));
    Headline h = Targets.ingest(results(List.of(ingest), KAFKA, Map.of(), Map.of()));
    assertEquals(Verdict.REPORTED, h.verdict());
    assertEquals("1.0%", h.comparisons().get(0).ratio());
  }

  @Test
  void chatMaximumIsJudgedAgainstTenTimesTheLastReportAndSetBesideBothPeers() {
    Map<String, String> info =
        Map.of(
            "chatMaxRate", "20000",
            "bareChatMaxRate", "80000",
            "bareChatMaxCapped", "true",
            "socketioChatMaxRate", "16000");
    Headline h = KafkaSpeedTargets.chatMax(results(List.of(), KAFKA, Map.of(), info));
    assertEquals(Verdict.PASS, h.verdict());
    assertEquals("20,000", h.value());
    assertEquals(
        new Headline.Comparison("bare Netty, same search, msg/s", "≥ 80,000", "25%"),
        h.comparisons().get(0));
    assertEquals(
        new Headline.Comparison("Socket.IO, same search, msg/s", "16,000", "125%"),
        h.comparisons().get(1));
    assertEquals(
        Verdict.MISS,
        KafkaSpeedTargets.chatMax(
                results(List.of(), KAFKA, Map.of(), Map.of("chatMaxRate", "17499")))
            .verdict());
  }

  @Test
  void hugeRoomReportsItsDeliveriesAndTheTimeForEveryMemberToJoin() {
    LoadRun huge =
        run(
            "roomlog-huge-room",
            Map.of(
                "connections", 100000,
                "targetRate", 2,
                "deliveriesPerSecond", 150000,
                "joinAllMs", 125000.0,
                "joinsPerSecond", 800.0,
                "shards", 6));
    Map<String, String> info =
        Map.of(
            "hugeRoomSize", "100000",
            "hugeRoomRequested", "100000",
            "hugeRoomSetupRate", "20000",
            "nofileHard", "20000");
    List<Headline> rows = KafkaSpeedTargets.hugeRoom(results(List.of(huge), KAFKA, Map.of(), info));
    assertEquals("150,000", rows.get(0).value());
    assertEquals(Verdict.REPORTED, rows.get(0).verdict());
    assertEquals(
        "huge room: deliveries/s to one room of 100,000 members on 6 gateways (a generator process"
            + " each: a process holds a descriptor per member, up to ulimit -Hn 20000), 2 msg/s"
            + " offered",
        rows.get(0).figure());
    assertEquals("125.0 (800 joins/s)", rows.get(1).value());
  }

  @Test
  void aHugeRoomCappedBelowWhatWasAskedSaysSo() {
    LoadRun huge = run("roomlog-huge-room", Map.of("connections", 19000, "targetRate", 8));
    Map<String, String> info =
        Map.of(
            "hugeRoomSize", "19000",
            "hugeRoomRequested", "100000",
            "hugeRoomNote", "capped by ulimit -Hn 20000",
            "hugeRoomShards", "2");
    assertTrue(
        KafkaSpeedTargets.hugeRoom(results(List.of(huge), KAFKA, Map.of(), info))
            .get(0)
            .figure()
            .startsWith(
                "huge room: deliveries/s to one room of 19,000 (asked for 100000) members on 2"
                    + " gateways"),
        "an older run without the shards figure: the run's properties say how many");
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
  void chatPassesAtAP99OfThirtyMillisecondsWithEveryMessageDelivered() {
    assertEquals(Verdict.PASS, chat(30, 0, 0));
    assertEquals(Verdict.MISS, chat(30.001, 0, 0));
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
        List.of(
            "ingest-log",
            "ingest",
            "chat-max",
            "chat",
            "fanout",
            "huge-room",
            "huge-room-join",
            "connections",
            "restore"),
        rows.stream().map(Headline::id).toList());
    rows.forEach(h -> assertEquals(Verdict.NOT_MEASURED, h.verdict(), h.id()));
  }
}
