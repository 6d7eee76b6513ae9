package dev.roomlog.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prints the autobahn results as one row per case group and fails when any case is worse than
 * NON-STRICT, in its data behaviour or in its close behaviour. Run by the build right after the
 * fuzzingclient, because the plugin itself fails only on the data behaviour: a case that echoes
 * correctly but closes with the wrong code passes there (before ProtocolErrorHandler, 104 cases
 * answered a protocol error with the right code and then a second close frame, 1000).
 */
public final class AutobahnReport {
  /**
   * Where autobahntestsuite-maven-plugin 0.1.5 writes its report: relative to the directory Maven
   * was started in, not to this module, so this path is relative in the same way.
   */
  static final Path INDEX = Path.of("target", "autobahntestsuite-reports", "index.json");

  /** A case's result, from best to worst. */
  enum Result {
    OK("OK"),
    INFORMATIONAL("INFORMATIONAL"),
    NON_STRICT("NON-STRICT"),
    FAILED("FAILED");

    final String label;

    Result(String label) {
      this.label = label;
    }

    /** Autobahn's words; every one but these three (FAILED, WRONG CODE, UNCLEAN, ...) fails. */
    static Result of(String behavior) {
      for (Result result : values()) {
        if (result != FAILED && result.label.equals(behavior)) {
          return result;
        }
      }
      return FAILED;
    }
  }

  /** The order the table shows the results in. */
  private static final List<Result> COLUMNS =
      List.of(Result.OK, Result.NON_STRICT, Result.INFORMATIONAL, Result.FAILED);

  /** Case ids such as 1.1.10 in numeric order. */
  static final Comparator<String> CASE_ORDER =
      (a, b) -> {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
          int c = Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i]));
          if (c != 0) {
            return c;
          }
        }
        return Integer.compare(x.length, y.length);
      };

  private AutobahnReport() {}

  public static void main(String[] args) throws IOException {
    Path index = INDEX.toAbsolutePath();
    if (!index.toFile().isFile()) {
      throw new IllegalStateException("no autobahn report at " + index);
    }
    Map<String, Result> results = results(new ObjectMapper().readTree(index.toFile()));
    System.out.println();
    System.out.print(table(results));
    if (results.isEmpty()) {
      throw new IllegalStateException("the autobahn report " + index + " lists no cases");
    }
    List<String> failed = new ArrayList<>();
    results.forEach(
        (id, result) -> {
          if (result == Result.FAILED) {
            failed.add(id);
          }
        });
    if (!failed.isEmpty()) {
      throw new IllegalStateException(
          "autobahn cases failed (data or close behaviour): "
              + failed
              + "; details in "
              + index.resolveSibling("index.html"));
    }
  }

  /**
   * Each case's result, the worse of its data and its close behaviour, in case order. The index
   * maps agent to case id to an object with {@code behavior} and {@code behaviorClose}.
   */
  static Map<String, Result> results(JsonNode index) {
    Map<String, Result> results = new TreeMap<>(CASE_ORDER);
    for (JsonNode agent : index) {
      for (Map.Entry<String, JsonNode> entry : agent.properties()) {
        Result data = Result.of(entry.getValue().path("behavior").asText());
        Result close = Result.of(entry.getValue().path("behaviorClose").asText());
        results.put(entry.getKey(), data.compareTo(close) >= 0 ? data : close);
      }
    }
    return results;
  }

  /** A Markdown table with one row per case group (the id's first number) and a total. */
  static String table(Map<String, Result> results) {
    Map<String, EnumMap<Result, Integer>> groups = new TreeMap<>(CASE_ORDER);
    EnumMap<Result, Integer> total = new EnumMap<>(Result.class);
    results.forEach(
        (id, result) -> {
          String group = id.substring(0, id.indexOf('.') < 0 ? id.length() : id.indexOf('.'));
          groups
              .computeIfAbsent(group, g -> new EnumMap<>(Result.class))
              .merge(result, 1, Integer::sum);
          total.merge(result, 1, Integer::sum);
        });
    StringBuilder out = new StringBuilder("| group | cases |");
    COLUMNS.forEach(c -> out.append(' ').append(c.label).append(" |"));
    out.append("\n| --- | ---: |");
    COLUMNS.forEach(c -> out.append(" ---: |"));
    out.append('\n');
    groups.forEach((group, counts) -> row(out, group + ".*", counts));
    row(out, "all", total);
    return out.toString();
  }

  private static void row(StringBuilder out, String name, EnumMap<Result, Integer> counts) {
    int cases = counts.values().stream().mapToInt(Integer::intValue).sum();
    out.append("| ").append(name).append(" | ").append(cases).append(" |");
    COLUMNS.forEach(c -> out.append(' ').append(counts.getOrDefault(c, 0)).append(" |"));
    out.append('\n');
  }
}
