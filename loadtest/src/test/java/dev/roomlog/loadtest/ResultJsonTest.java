package dev.roomlog.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ResultJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void writesTheRunAsFlatDocumentedFields() throws Exception {
    JsonNode o = JSON.readTree(ResultJson.toJson(Results.chat()));
    assertEquals("roomlog-loadtest/1", o.get("schema").asText());
    assertEquals("chat", o.get("scenario").asText());
    assertEquals("2026-11-26T06:00:00Z", o.get("startedAt").asText());
    assertEquals(200.0, o.get("targetRate").asDouble());
    assertEquals(199.5, o.get("achievedRate").asDouble());
    assertEquals(2400, o.get("sent").asLong());
    assertEquals(1, o.get("duplicates").asLong());
    assertEquals(3, o.get("errorsTotal").asLong());
    assertEquals(2, o.get("errors").get("429 rateLimited").asLong());
    assertEquals(
        2, o.get("refused").asLong(), "the scenario's own figures sit at the top level too");
  }

  @Test
  void theHeadlineLatencyIsSummarisedInMillisecondsAndEveryLatencyUnderItsName() throws Exception {
    JsonNode o = JSON.readTree(ResultJson.toJson(Results.chat()));
    assertEquals("delivery", o.get("latency").asText());
    assertEquals(1000, o.get("latencyCount").asLong());
    assertEquals(500, Math.round(o.get("latencyP50Ms").asDouble()));
    assertEquals(990, Math.round(o.get("latencyP99Ms").asDouble()));
    assertEquals(1000, Math.round(o.get("latencyMaxMs").asDouble()));
    assertEquals(99, Math.round(o.get("ackP99Ms").asDouble()));
    assertEquals(o.get("latencyP99Ms"), o.get("deliveryP99Ms"));
  }

  @Test
  void thePercentileDistributionRisesToTheMaximumAt100() throws Exception {
    JsonNode percentiles =
        JSON.readTree(ResultJson.toJson(Results.chat())).get("latencyPercentiles");
    assertTrue(percentiles.size() > 10);
    double lastPercentile = -1;
    double lastMs = -1;
    for (JsonNode p : percentiles) {
      assertTrue(p.get("percentile").asDouble() >= lastPercentile);
      assertTrue(p.get("ms").asDouble() >= lastMs);
      lastPercentile = p.get("percentile").asDouble();
      lastMs = p.get("ms").asDouble();
    }
    assertEquals(100.0, lastPercentile);
    assertEquals(1000, Math.round(lastMs));
  }

  @Test
  void theCompressedHistogramDecodesToTheSameValues() throws Exception {
    RunResult r = Results.chat();
    JsonNode o = JSON.readTree(ResultJson.toJson(r));
    Histogram back = ResultJson.decodeHistogram(o.get("latencyHistogram").asText());
    assertEquals(r.headline(), back);
    assertEquals(
        r.latencies().get("ack"), ResultJson.decodeHistogram(o.get("ackHistogram").asText()));
  }

  @Test
  void theThroughputSeriesHasOneEntryPerInterval() throws Exception {
    JsonNode t = JSON.readTree(ResultJson.toJson(Results.chat())).get("throughput");
    assertEquals(2, t.size());
    assertEquals(2.0, t.get(1).get("atSeconds").asDouble());
    assertEquals(2000.0, t.get(1).get("deliveredPerSecond").asDouble());
    assertEquals("running", t.get(1).get("phase").asText());
  }

  @Test
  void everyFieldIsAScalarExceptTheErrorsAndTheTwoSeries() throws Exception {
    JsonNode o = JSON.readTree(ResultJson.toJson(Results.chat()));
    for (Map.Entry<String, JsonNode> e : o.properties()) {
      if (!e.getValue().isValueNode()) {
        assertTrue(
            e.getKey().equals("errors")
                || e.getKey().equals("latencyPercentiles")
                || e.getKey().equals("throughput"),
            "nested field " + e.getKey());
      }
    }
  }
}
