package dev.roomlog.loadtest.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One benchmark of a JMH JSON result file ({@code -rf json}): its score, error and unit, its
 * parameters, and the allocation per operation when the run had {@code -prof gc}.
 */
record JmhResult(
    String benchmark,
    String mode,
    Map<String, String> params,
    double score,
    double scoreError,
    String unit,
    Double allocBytesPerOp) {

  static List<JmhResult> parse(JsonNode array) {
    if (!array.isArray()) {
      throw new IllegalArgumentException("a JMH JSON result is an array of benchmarks");
    }
    List<JmhResult> results = new ArrayList<>();
    for (JsonNode b : array) {
      Map<String, String> params = new TreeMap<>();
      b.path("params").properties().forEach(e -> params.put(e.getKey(), e.getValue().asText()));
      JsonNode primary = b.path("primaryMetric");
      JsonNode alloc = b.path("secondaryMetrics").path("gc.alloc.rate.norm").path("score");
      results.add(
          new JmhResult(
              b.path("benchmark").asText(),
              b.path("mode").asText(),
              params,
              primary.path("score").asDouble(),
              primary.path("scoreError").asDouble(Double.NaN),
              primary.path("scoreUnit").asText(),
              alloc.isNumber() ? alloc.asDouble() : null));
    }
    return results;
  }

  /** {@code Class.method} without the package. */
  String shortName() {
    String[] parts = benchmark.split("\\.");
    return parts.length < 2 ? benchmark : parts[parts.length - 2] + "." + parts[parts.length - 1];
  }
}
