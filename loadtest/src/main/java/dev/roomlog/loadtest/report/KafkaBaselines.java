package dev.roomlog.loadtest.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The two lines of {@code bench/kafka-baselines.sh} ({@code producer key=value ...} and {@code
 * consumer key=value ...}); when a file holds several runs, the last line of each tool counts.
 */
record KafkaBaselines(Map<String, Double> producer, Map<String, Double> consumer) {
  static final KafkaBaselines NONE = new KafkaBaselines(Map.of(), Map.of());

  static KafkaBaselines parse(List<String> lines) {
    Map<String, Double> producer = Map.of();
    Map<String, Double> consumer = Map.of();
    for (String line : lines) {
      String[] words = line.trim().split("\\s+");
      if (words.length < 2) {
        continue;
      }
      Map<String, Double> values = new LinkedHashMap<>();
      for (int i = 1; i < words.length; i++) {
        int eq = words[i].indexOf('=');
        if (eq > 0) {
          try {
            values.put(words[i].substring(0, eq), Double.parseDouble(words[i].substring(eq + 1)));
          } catch (NumberFormatException e) {
            // A value the tool could not give ("NaN" is parsed; words are not): left out.
          }
        }
      }
      switch (words[0]) {
        case "producer" -> producer = values;
        case "consumer" -> consumer = values;
        default -> {
          // The script prints nothing else on stdout; anything else is not a baseline.
        }
      }
    }
    return new KafkaBaselines(producer, consumer);
  }

  OptionalDouble producer(String key) {
    return get(producer, key);
  }

  OptionalDouble consumer(String key) {
    return get(consumer, key);
  }

  private static OptionalDouble get(Map<String, Double> values, String key) {
    Double v = values.get(key);
    return v == null || v.isNaN() ? OptionalDouble.empty() : OptionalDouble.of(v);
  }
}
