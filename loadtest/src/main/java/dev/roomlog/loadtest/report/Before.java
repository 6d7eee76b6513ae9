package dev.roomlog.loadtest.report;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The figures of an earlier run, by headline id, for the report's "before and after" (a file such
 * as bench/before.properties: {@code date}, {@code commit}, {@code command}, an optional {@code
 * note} (the machine, the baselines of that run), and one {@code figure.<id>} each, as the report
 * wrote the value). {@link #of} writes this run's in the same shape, so that a run the lead keeps
 * becomes the next one's "before" by copying one file.
 */
record Before(
    String date, String commit, String command, String note, Map<String, String> figures) {
  static final Before NONE = new Before("", "", "", "", Map.of());
  static final String FIGURE = "figure.";
  private static final Pattern LEADING_NUMBER =
      Pattern.compile("^(?:≥ )?([0-9][0-9,]*(?:\\.[0-9]+)?)");

  Before {
    // In the headlines' order, so that the file reads as the report's table does.
    figures = Collections.unmodifiableMap(new LinkedHashMap<>(figures));
  }

  /** The file, or {@link #NONE} when there is none. */
  static Before load(Path file) throws IOException {
    if (file == null || !Files.isRegularFile(file)) {
      return NONE;
    }
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return parse(r);
    }
  }

  static Before parse(String text) throws IOException {
    return parse(new StringReader(text));
  }

  private static Before parse(Reader r) throws IOException {
    Properties p = new Properties();
    p.load(r);
    Map<String, String> figures = new LinkedHashMap<>();
    for (String key : p.stringPropertyNames()) {
      if (key.startsWith(FIGURE)) {
        figures.put(key.substring(FIGURE.length()), p.getProperty(key).strip());
      }
    }
    return new Before(
        p.getProperty("date", "").strip(),
        p.getProperty("commit", "").strip(),
        p.getProperty("command", "").strip(),
        p.getProperty("note", "").strip(),
        figures);
  }

  /** This run's figures, to be the next run's "before". */
  static Before of(BenchResults r, List<Headline> headlines) {
    Map<String, String> figures = new LinkedHashMap<>();
    for (Headline h : headlines) {
      figures.put(h.id(), h.value());
    }
    return new Before(
        r.info("startedAt", "unknown"),
        r.info("gitCommit", "unknown"),
        r.info("command", "bench/run.sh"),
        "",
        figures);
  }

  boolean isEmpty() {
    return figures.isEmpty();
  }

  Optional<String> figure(String id) {
    return Optional.ofNullable(figures.get(id));
  }

  /** After over before, when both start with a number ("≥ 1,750", "29.5 (2 timeouts)"). */
  static Optional<Double> ratio(String before, String after) {
    Optional<Double> b = leadingNumber(before);
    Optional<Double> a = leadingNumber(after);
    if (b.isEmpty() || a.isEmpty() || b.get() == 0) {
      return Optional.empty();
    }
    return Optional.of(a.get() / b.get());
  }

  private static Optional<Double> leadingNumber(String text) {
    Matcher m = LEADING_NUMBER.matcher(text.strip());
    return m.find()
        ? Optional.of(Double.parseDouble(m.group(1).replace(",", "")))
        : Optional.empty();
  }

  void write(Writer out) throws IOException {
    out.write("# Headline figures of one bench/run.sh run, as docs/BENCHMARKS.md gave them.\n");
    out.write("# Copy to bench/before.properties to make them the next report's \"before\".\n");
    out.write("date=" + date + "\n");
    out.write("commit=" + commit + "\n");
    out.write("command=" + command + "\n");
    for (Map.Entry<String, String> e : figures.entrySet()) {
      out.write(FIGURE + e.getKey() + "=" + e.getValue() + "\n");
    }
  }
}
