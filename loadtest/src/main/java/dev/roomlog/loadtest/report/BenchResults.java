package dev.roomlog.loadtest.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Everything one bench/run.sh run left in bench/results, read back: the load-generator results (one
 * {@code LABEL.json} per run), the search steps, Kafka's baselines, the restore measurement, the
 * run's facts ({@code run.properties}), the load average samples and the JMH results. A missing
 * file is an absent figure, never an error: the report says "not measured".
 */
record BenchResults(
    Map<String, LoadRun> runs,
    Map<String, List<SearchStep>> searches,
    KafkaBaselines kafka,
    Map<String, String> restore,
    Map<String, String> info,
    List<LoadSample> load,
    List<JmhResult> jmh) {

  static final String RUN_INFO = "run.properties";
  static final String RESTORE = "restore.properties";
  static final String KAFKA_BASELINES = "kafka-baselines.txt";
  static final String LOAD_AVERAGE = "loadavg.txt";
  static final String MICROBENCH = "microbench.json";
  private static final String SEARCH_SUFFIX = "-search.tsv";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  static BenchResults load(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException(
          dir + " is not a directory of results (bench/run.sh writes bench/results)");
    }
    Map<String, LoadRun> runs = new TreeMap<>();
    Map<String, List<SearchStep>> searches = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        String name = f.getFileName().toString();
        if (name.endsWith(".json") && !name.equals(MICROBENCH)) {
          String label = name.substring(0, name.length() - ".json".length());
          runs.put(label, LoadRun.of(label, MAPPER.readTree(f.toFile())));
        } else if (name.endsWith(SEARCH_SUFFIX)) {
          // roomlog-chat-search.tsv -> roomlog-chat: the same search runs against each server
          searches.put(
              name.substring(0, name.length() - SEARCH_SUFFIX.length()),
              SearchStep.parse(lines(f)));
        }
      }
    }
    Path microbench = dir.resolve(MICROBENCH);
    List<JmhResult> jmh =
        Files.isRegularFile(microbench)
            ? JmhResult.parse(MAPPER.readTree(microbench.toFile()))
            : List.of();
    Path kafka = dir.resolve(KAFKA_BASELINES);
    return new BenchResults(
        runs,
        searches,
        Files.isRegularFile(kafka) ? KafkaBaselines.parse(lines(kafka)) : KafkaBaselines.NONE,
        properties(dir.resolve(RESTORE)),
        properties(dir.resolve(RUN_INFO)),
        Files.isRegularFile(dir.resolve(LOAD_AVERAGE))
            ? LoadSample.parse(lines(dir.resolve(LOAD_AVERAGE)))
            : List.of(),
        jmh);
  }

  Optional<LoadRun> run(String label) {
    return Optional.ofNullable(runs.get(label));
  }

  String info(String key, String otherwise) {
    String v = info.get(key);
    return v == null || v.isBlank() ? otherwise : v;
  }

  /** A number from run.properties or restore.properties; empty when absent or blank. */
  static Optional<Double> number(Map<String, String> props, String key) {
    String v = props.get(key);
    if (v == null || v.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Double.parseDouble(v.trim()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  boolean quick() {
    return Boolean.parseBoolean(info.get("quick"));
  }

  private static List<String> lines(Path f) throws IOException {
    return Files.readAllLines(f, StandardCharsets.UTF_8);
  }

  private static Map<String, String> properties(Path f) throws IOException {
    if (!Files.isRegularFile(f)) {
      return Map.of();
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (String key : new ArrayList<>(p.stringPropertyNames())) {
      m.put(key, p.getProperty(key));
    }
    return m;
  }
}
