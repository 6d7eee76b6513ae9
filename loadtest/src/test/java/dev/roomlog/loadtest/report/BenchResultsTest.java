package dev.roomlog.loadtest.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchResultsTest {
  @Test
  void readsEveryKindOfResultFromTheDirectory() {
    BenchResults r = SampleResults.load();
    assertEquals(
        List.of(
            "bare-chat",
            "bare-fanout",
            "roomlog-chat",
            "roomlog-connections",
            "roomlog-fanout",
            "roomlog-huge-room",
            "roomlog-ingest",
            "roomlog-ingest-log",
            "roomlog-reconnect",
            "socketio-chat",
            "socketio-fanout"),
        List.copyOf(r.runs().keySet()));
    assertEquals(
        Map.of("503 overloaded", 2L, "close 1013", 1L),
        r.run("roomlog-fanout").orElseThrow().errors());
    assertEquals(
        OptionalDouble.of(40_000),
        r.run("roomlog-connections").orElseThrow().figure("connectionsPerGiB"));
    assertEquals(List.of("roomlog-chat", "roomlog-ingest-log"), List.copyOf(r.searches().keySet()));
    assertEquals(4, r.searches().get("roomlog-chat").size());
    assertTrue(r.searches().get("roomlog-chat").get(1).sustained());
    assertEquals("-", r.searches().get("roomlog-chat").get(0).logRate(), "a file before issue 18");
    assertEquals("35900.25", r.searches().get("roomlog-ingest-log").get(0).logRate());
    assertEquals(OptionalDouble.of(200_000), r.kafka().consumer("fetch_records_per_sec"));
    assertEquals("30000.0", r.restore().get("restoreRecordsPerSecond"));
    assertEquals(4, r.load().size());
    assertEquals(2, r.jmh().size());
  }

  @Test
  void anEmptyDirectoryGivesNoFiguresAndNoError(@TempDir Path dir) throws IOException {
    BenchResults r = BenchResults.load(dir);
    assertTrue(r.runs().isEmpty());
    assertTrue(r.kafka().producer().isEmpty());
    assertTrue(r.jmh().isEmpty());
  }

  @Test
  void aJsonThatIsNotALoadTestResultIsRefusedByName(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("other.json"), "{\"schema\":\"something/2\"}");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BenchResults.load(dir));
    assertEquals(
        "other.json: expected a roomlog-loadtest result (schema roomlog-loadtest/1), found schema 'something/2'",
        e.getMessage());
  }

  @Test
  void theLastLineOfEachKafkaToolCounts() {
    KafkaBaselines k =
        KafkaBaselines.parse(
            List.of(
                "producer records_per_sec=10.0 mb_per_sec=1.0",
                "consumer records_per_sec=20.0 fetch_records_per_sec=NaN",
                "producer records_per_sec=30.0 mb_per_sec=3.0"));
    assertEquals(OptionalDouble.of(30), k.producer("records_per_sec"));
    assertEquals(OptionalDouble.of(20), k.consumer("records_per_sec"));
    assertEquals(OptionalDouble.empty(), k.consumer("fetch_records_per_sec"));
  }
}
