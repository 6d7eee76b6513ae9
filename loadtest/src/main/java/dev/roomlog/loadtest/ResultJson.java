package dev.roomlog.loadtest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The result file ({@code --out}): one flat JSON object, every field documented in the module's
 * README. Latencies are in milliseconds; each recorded latency also comes as its whole HdrHistogram
 * (nanoseconds), compressed and base64-encoded as in HdrHistogram's own log files, for a report to
 * merge or plot; {@link #decodeHistogram} reads one back.
 */
final class ResultJson {
  /** Changes when a field changes meaning or goes away; new fields do not change it. */
  static final String SCHEMA = "roomlog-loadtest/1";

  /** Percentile steps per halving of the distance to 100%, as HdrHistogram's own output. */
  private static final int TICKS_PER_HALF = 5;

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ResultJson() {}

  static String toJson(RunResult r) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("schema", SCHEMA);
    o.put("scenario", r.scenario());
    o.put("protocol", r.protocol());
    o.put("target", r.target());
    o.put("startedAt", r.startedAt().toString());
    o.put("warmupSeconds", r.warmupSeconds());
    o.put("durationSeconds", r.durationSeconds());
    o.put("connections", r.connections());
    o.put("roomSize", r.roomSize());
    o.put("rooms", r.rooms());
    o.put("targetRate", r.targetRate());
    o.put("achievedRate", round(r.achievedRate()));
    o.put("deliveriesPerSecond", round(r.deliveriesPerSecond()));
    o.put("sent", r.sent());
    o.put("acked", r.acked());
    o.put("delivered", r.delivered());
    o.put("expectedDeliveries", r.expectedDeliveries());
    o.put("timeouts", r.timeouts());
    o.put("missingDeliveries", r.missingDeliveries());
    o.put("duplicates", r.duplicates());
    o.put("errorsTotal", r.errorsTotal());
    ObjectNode errors = o.putObject("errors");
    r.errors().forEach(errors::put);
    o.put("maxSendLagMs", round(r.maxSendLagMs()));

    o.put("latency", r.latencyName());
    summary(o, "latency", r.headline());
    ArrayNode percentiles = o.putArray("latencyPercentiles");
    Histogram headline = r.headline();
    if (headline.getTotalCount() > 0) {
      for (HistogramIterationValue v : headline.percentiles(TICKS_PER_HALF)) {
        percentiles
            .addObject()
            .put("percentile", v.getPercentileLevelIteratedTo())
            .put("ms", ms(v.getValueIteratedTo()))
            .put("count", v.getTotalCountToThisValue());
      }
    }
    o.put("latencyHistogram", encodeHistogram(headline));
    for (Map.Entry<String, Histogram> e : r.latencies().entrySet()) {
      summary(o, e.getKey(), e.getValue());
      o.put(e.getKey() + "Histogram", encodeHistogram(e.getValue()));
    }

    ArrayNode throughput = o.putArray("throughput");
    for (ThroughputSample s : r.throughput()) {
      throughput
          .addObject()
          .put("atSeconds", round(s.atSeconds()))
          .put("phase", s.phase())
          .put("sentPerSecond", round(s.sentPerSecond()))
          .put("ackedPerSecond", round(s.ackedPerSecond()))
          .put("deliveredPerSecond", round(s.deliveredPerSecond()));
    }
    r.figures().forEach((name, value) -> o.putPOJO(name, value));
    try {
      return MAPPER.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of plain values always serializes", e);
    }
  }

  /**
   * {@code <prefix>Count}, {@code ...MeanMs}, {@code ...P50Ms}, P90, P99, P999, {@code ...MaxMs}.
   */
  private static void summary(ObjectNode o, String prefix, Histogram h) {
    boolean empty = h.getTotalCount() == 0;
    o.put(prefix + "Count", h.getTotalCount());
    o.put(prefix + "MeanMs", empty ? 0 : round(h.getMean() / 1e6));
    o.put(prefix + "P50Ms", empty ? 0 : ms(h.getValueAtPercentile(50)));
    o.put(prefix + "P90Ms", empty ? 0 : ms(h.getValueAtPercentile(90)));
    o.put(prefix + "P99Ms", empty ? 0 : ms(h.getValueAtPercentile(99)));
    o.put(prefix + "P999Ms", empty ? 0 : ms(h.getValueAtPercentile(99.9)));
    o.put(prefix + "MaxMs", empty ? 0 : ms(h.getMaxValue()));
  }

  private static double ms(long nanos) {
    return round(nanos / 1e6);
  }

  /** Three decimals: microseconds for milliseconds, and no float noise in the file. */
  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  static String encodeHistogram(Histogram h) {
    ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int length = h.encodeIntoCompressedByteBuffer(buffer, Deflater.BEST_COMPRESSION);
    return Base64.getEncoder().encodeToString(Arrays.copyOf(buffer.array(), length));
  }

  static Histogram decodeHistogram(String base64) {
    try {
      return Histogram.decodeFromCompressedByteBuffer(
          ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
    } catch (DataFormatException e) {
      throw new IllegalArgumentException("not a compressed HdrHistogram: " + e.getMessage(), e);
    }
  }
}
