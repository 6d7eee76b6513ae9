package dev.roomlog.loadtest.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * One load-generator result file ({@code roomlog-loadtest/1}, loadtest/README.md), as the report
 * needs it. {@code label} is the file's name without {@code .json} ({@code roomlog-chat}, {@code
 * socketio-fanout}...); the scenario's own figures (heap per connection, reconnect time) are kept
 * in {@code figures}, absent when the run did not give them.
 */
record LoadRun(
    String label,
    String scenario,
    String protocol,
    double warmupSeconds,
    double durationSeconds,
    int connections,
    int roomSize,
    int rooms,
    double targetRate,
    double achievedRate,
    double deliveriesPerSecond,
    long sent,
    long acked,
    long delivered,
    long expectedDeliveries,
    long timeouts,
    long missingDeliveries,
    long duplicates,
    long errorsTotal,
    Map<String, Long> errors,
    double maxSendLagMs,
    String latency,
    long latencyCount,
    double latencyP50Ms,
    double latencyP90Ms,
    double latencyP99Ms,
    double latencyP999Ms,
    double latencyMaxMs,
    Map<String, Double> figures) {

  /** The fields every result file has; the rest are the scenario's figures. */
  private static final String[] FIGURES = {
    "refused",
    "connectionsOpened",
    "connectionsFailed",
    "connectionsHeld",
    "heapUsedBeforeBytes",
    "heapUsedAfterBytes",
    "bytesPerConnection",
    "connectionsPerGiB",
    "messagesBeforeDrop",
    "rejoined",
    "reconnectAllMs",
    "missingAfterReconnect",
    "joinAllMs",
    "joinsPerSecond",
    "generatorHeapUsedBytes",
    "serverCounterPerSecond",
    "shards"
  };

  static LoadRun of(String label, JsonNode o) {
    String schema = o.path("schema").asText("");
    if (!schema.startsWith("roomlog-loadtest/")) {
      throw new IllegalArgumentException(
          label
              + ".json: expected a roomlog-loadtest result (schema roomlog-loadtest/1), found schema '"
              + schema
              + "'");
    }
    Map<String, Long> errors = new LinkedHashMap<>();
    o.path("errors").properties().forEach(e -> errors.put(e.getKey(), e.getValue().asLong()));
    Map<String, Double> figures = new LinkedHashMap<>();
    for (String name : FIGURES) {
      JsonNode v = o.get(name);
      if (v != null && v.isNumber()) {
        figures.put(name, v.asDouble());
      }
    }
    return new LoadRun(
        label,
        o.path("scenario").asText(),
        o.path("protocol").asText(),
        o.path("warmupSeconds").asDouble(),
        o.path("durationSeconds").asDouble(),
        o.path("connections").asInt(),
        o.path("roomSize").asInt(),
        o.path("rooms").asInt(),
        o.path("targetRate").asDouble(),
        o.path("achievedRate").asDouble(),
        o.path("deliveriesPerSecond").asDouble(),
        o.path("sent").asLong(),
        o.path("acked").asLong(),
        o.path("delivered").asLong(),
        o.path("expectedDeliveries").asLong(),
        o.path("timeouts").asLong(),
        o.path("missingDeliveries").asLong(),
        o.path("duplicates").asLong(),
        o.path("errorsTotal").asLong(),
        errors,
        o.path("maxSendLagMs").asDouble(),
        o.path("latency").asText(),
        o.path("latencyCount").asLong(),
        o.path("latencyP50Ms").asDouble(),
        o.path("latencyP90Ms").asDouble(),
        o.path("latencyP99Ms").asDouble(),
        o.path("latencyP999Ms").asDouble(),
        o.path("latencyMaxMs").asDouble(),
        figures);
  }

  /** A figure of the scenario's own, if the run gave it. */
  OptionalDouble figure(String name) {
    Double v = figures.get(name);
    return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
  }

  /** Every message reached every member and nothing was refused. */
  boolean complete() {
    return timeouts == 0 && missingDeliveries == 0 && errorsTotal == 0;
  }

  /** The server the run was against, from its label's first part. */
  String server() {
    int dash = label.indexOf('-');
    return Servers.name(dash < 0 ? label : label.substring(0, dash));
  }
}
