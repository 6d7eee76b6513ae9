package dev.roomlog.loadtest.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The sample results in src/test/resources/bench-results, and small runs made by hand. */
final class SampleResults {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private SampleResults() {}

  static Path dir() {
    try {
      return Path.of(
              Objects.requireNonNull(
                      SampleResults.class.getResource("/bench-results/run.properties"))
                  .toURI())
          .getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static BenchResults load() {
    try {
      return BenchResults.load(dir());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static final Machine MACHINE =
      new Machine(
          2,
          "Test CPU 3000",
          8L << 30,
          "Test OS 1, Linux 6.1 amd64",
          "OpenJDK 64-Bit Server VM 17.0.15");

  /** A result file's fields, the ones the report reads, with these values. */
  static LoadRun run(String label, Map<String, Object> fields) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("schema", "roomlog-loadtest/1");
    o.put("latencyCount", 100);
    o.putObject("errors");
    fields.forEach((k, v) -> o.set(k, MAPPER.valueToTree(v)));
    return LoadRun.of(label, o);
  }

  /** Results with only these runs, Kafka lines, restore figures and run facts. */
  static BenchResults results(
      List<LoadRun> runs,
      List<String> kafka,
      Map<String, String> restore,
      Map<String, String> info) {
    Map<String, LoadRun> byLabel = new HashMap<>();
    runs.forEach(r -> byLabel.put(r.label(), r));
    return new BenchResults(
        byLabel, Map.of(), KafkaBaselines.parse(kafka), restore, info, List.of(), List.of());
  }
}
