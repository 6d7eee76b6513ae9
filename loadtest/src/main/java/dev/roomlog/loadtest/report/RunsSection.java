package dev.roomlog.loadtest.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The "Runs" section: every load-generator run in one table, its errors by status, the held
 * connections and their heap, the steps of each maximum-rate search, and the baselines outside the
 * WebSocket runs (Kafka's own producer and consumer tools against the dev server's broker, and the
 * processor's state restore from its changelogs).
 */
final class RunsSection {
  private final BenchResults r;
  private final StringBuilder out;

  private RunsSection(BenchResults r, StringBuilder out) {
    this.r = r;
    this.out = out;
  }

  static void append(StringBuilder out, BenchResults r) {
    RunsSection section = new RunsSection(r, out);
    section.runs();
    section.searches();
    section.kafkaAndRestore();
  }

  private void runs() {
    out.append("## Runs\n\n");
    MarkdownTable t =
        new MarkdownTable(
            "run",
            "server",
            "conns",
            "rooms × size",
            "offered/s",
            "acks/s",
            "deliveries/s",
            "sent",
            "timeouts",
            "dups",
            "errors",
            "latency",
            "p50 ms",
            "p90 ms",
            "p99 ms",
            "p99.9 ms",
            "max ms",
            "send lag ms");
    MarkdownTable errors = new MarkdownTable("run", "error", "count");
    for (LoadRun c : ordered()) {
      boolean lat = c.latencyCount() > 0;
      t.row(
          c.label(),
          c.server(),
          Fmt.rate(c.connections()),
          c.rooms() == 0 ? "-" : c.rooms() + " × " + c.roomSize(),
          Fmt.rate(c.targetRate()),
          Fmt.rate(c.achievedRate()),
          Fmt.rate(c.deliveriesPerSecond()),
          Fmt.rate(c.sent()),
          Fmt.rate(c.timeouts()),
          Fmt.rate(c.duplicates()),
          Fmt.rate(c.errorsTotal()),
          c.latency(),
          lat ? Fmt.ms(c.latencyP50Ms()) : "-",
          lat ? Fmt.ms(c.latencyP90Ms()) : "-",
          lat ? Fmt.ms(c.latencyP99Ms()) : "-",
          lat ? Fmt.ms(c.latencyP999Ms()) : "-",
          lat ? Fmt.ms(c.latencyMaxMs()) : "-",
          Fmt.ms(c.maxSendLagMs()));
      c.errors().forEach((status, count) -> errors.row(c.label(), status, Fmt.rate(count)));
    }
    if (t.isEmpty()) {
      out.append("No load-generator results.\n\n");
      return;
    }
    out.append(
            "Rates and latencies cover each run's measured window, counts the whole run (loadtest/README.md, \"Output\").\n")
        .append(
            "Latency is the run's headline measure: `ack` (ingest), `delivery` (chat), `lastMember` (fanout), ")
        .append("`connect` (connections), `reconnect`.\n\n");
    out.append(t.render()).append('\n');
    out.append("### Errors by status\n\n");
    out.append(errors.isEmpty() ? "No errors in any run.\n\n" : errors.render() + "\n");
    run("roomlog-connections")
        .ifPresent(
            c -> {
              out.append("### Connections\n\n");
              MarkdownTable m =
                  new MarkdownTable(
                      "opened",
                      "failed",
                      "held",
                      "heap before",
                      "heap after",
                      "bytes per connection",
                      "per GiB");
              m.row(
                  Fmt.figure(c, "connectionsOpened"),
                  Fmt.figure(c, "connectionsFailed"),
                  Fmt.figure(c, "connectionsHeld"),
                  c.figure("heapUsedBeforeBytes").isPresent()
                      ? Fmt.bytes(c.figure("heapUsedBeforeBytes").getAsDouble())
                      : "-",
                  c.figure("heapUsedAfterBytes").isPresent()
                      ? Fmt.bytes(c.figure("heapUsedAfterBytes").getAsDouble())
                      : "-",
                  Fmt.figure(c, "bytesPerConnection"),
                  Fmt.figure(c, "connectionsPerGiB"));
              out.append(
                      "Heap used after a full GC (`jcmd GC.heap_info`) of the `roomlog dev` JVM before the first connection and ")
                  .append(
                      "once all were open; it holds the broker and the processor too, so only the difference means anything.\n\n")
                  .append(m.render())
                  .append('\n');
            });
  }

  private void searches() {
    if (r.searches().isEmpty()) {
      return;
    }
    out.append("### Maximum sustained rate: the search steps\n\n");
    out.append(
            "Each search's steps, by server and scenario. \"into the log/s\" is the gateway's count of actions Kafka")
        .append(
            " acknowledged over the step's window (Roomlog's ingest only); `roomlog-ingest` judges a step by the")
        .append(
            " senders' answers, `roomlog-ingest-log` by that count (answers that come late do not fail it).\n\n");
    for (Map.Entry<String, List<SearchStep>> e : r.searches().entrySet()) {
      out.append("**").append(e.getKey()).append("**\n\n");
      MarkdownTable t =
          new MarkdownTable(
              "step",
              "offered/s",
              "acks/s",
              "deliveries/s",
              "timeouts",
              "errors",
              "p99 ms",
              "into the log/s",
              "sustained");
      for (SearchStep s : e.getValue()) {
        t.row(
            String.valueOf(s.step()),
            Fmt.rate(s.targetRate()),
            Fmt.rate(s.achievedRate()),
            Fmt.rate(s.deliveriesPerSecond()),
            s.timeouts(),
            s.errors(),
            msText(s.latencyP99Ms()),
            rateText(s.logRate()),
            s.sustained() ? "yes" : "no");
      }
      out.append(t.render()).append('\n');
    }
  }

  /** A rate as the search file has it: a number, or "-". */
  private static String rateText(String v) {
    try {
      return Fmt.rate(Double.parseDouble(v));
    } catch (NumberFormatException e) {
      return v;
    }
  }

  /** A latency as the search file has it: a number of ms, or "-". */
  private static String msText(String v) {
    try {
      return Fmt.ms(Double.parseDouble(v));
    } catch (NumberFormatException e) {
      return v;
    }
  }

  private List<LoadRun> ordered() {
    List<LoadRun> runs = new ArrayList<>();
    for (String label : BenchReportWriter.RUN_ORDER) {
      run(label).ifPresent(runs::add);
    }
    return runs;
  }

  private Optional<LoadRun> run(String label) {
    return r.run(label);
  }

  private void kafkaAndRestore() {
    out.append("### Kafka baselines\n\n");
    KafkaBaselines k = r.kafka();
    if (k.producer().isEmpty() && k.consumer().isEmpty()) {
      out.append("Not measured.\n\n");
    } else {
      MarkdownTable t = new MarkdownTable("tool", "records/s", "MiB/s", "details");
      if (!k.producer().isEmpty()) {
        t.row(
            "ProducerPerformance",
            Fmt.rate(k.producer("records_per_sec")),
            Fmt.rate(k.producer("mb_per_sec")),
            "latency avg "
                + Fmt.rate(k.producer("avg_latency_ms"))
                + " ms, p99 "
                + Fmt.rate(k.producer("p99_ms"))
                + " ms (at saturation: queueing, not comparable with Roomlog's latencies)");
      }
      if (!k.consumer().isEmpty()) {
        t.row(
            "ConsumerPerformance",
            Fmt.rate(k.consumer("records_per_sec")),
            Fmt.rate(k.consumer("mb_per_sec")),
            "fetch only: "
                + Fmt.rate(k.consumer("fetch_records_per_sec"))
                + " records/s, "
                + Fmt.rate(k.consumer("fetch_mb_per_sec"))
                + " MiB/s; group join "
                + Fmt.rate(k.consumer("rebalance_ms"))
                + " ms");
      }
      out.append(t.render()).append('\n');
    }
    out.append("### State restore\n\n");
    if (r.restore().isEmpty()) {
      out.append("Not measured.\n\n");
      return;
    }
    Optional<Double> records = BenchResults.number(r.restore(), "restoredRecords");
    Optional<Double> bytes = BenchResults.number(r.restore(), "changelogBytes");
    out.append(
            "The dev server stopped, its Kafka Streams state directory deleted, and restarted on the same data: the ")
        .append(
            "processor restores its stores from their changelogs. Measured from Kafka Streams' own log lines ")
        .append(
            "(`StoreChangelogReader`), from the first changelog partition it starts restoring (\"End offset for changelog ")
        .append(
            "... initialized\") to the last \"Finished restoring changelog\"; the wait for the consumer group before ")
        .append(
            "it is not counted. The changelogs' end offsets (`GetOffsetShell`) count transaction markers too.\n\n");
    MarkdownTable t =
        new MarkdownTable(
            "records restored",
            "changelog end offsets",
            "partitions",
            "restore ms",
            "records/s",
            "changelog on disk",
            "bytes per record",
            "MiB/s");
    t.row(
        records.map(Fmt::rate).orElse("-"),
        BenchResults.number(r.restore(), "changelogEndOffsets").map(Fmt::rate).orElse("-"),
        BenchResults.number(r.restore(), "restoredPartitions").map(Fmt::rate).orElse("-"),
        BenchResults.number(r.restore(), "restoreMs").map(Fmt::rate).orElse("-"),
        BenchResults.number(r.restore(), "restoreRecordsPerSecond").map(Fmt::rate).orElse("-"),
        bytes.map(Fmt::bytes).orElse("-"),
        bytes.isPresent() && records.isPresent() && records.get() > 0
            ? Fmt.rate(bytes.get() / records.get())
            : "-",
        restoreMibPerSecond(r).map(v -> String.format(Locale.ROOT, "%.1f", v)).orElse("-"));
    out.append(t.render()).append('\n');
    out.append(
            "A changelog record of the rooms store is a whole room's state, its recent history included: larger than ")
        .append("ConsumerPerformance's ")
        .append(r.info("kafkaRecordSize", "?"))
        .append(" B records, so compare the MiB/s too (ConsumerPerformance fetched ")
        .append(Fmt.rate(r.kafka().consumer("fetch_mb_per_sec")))
        .append(" MiB/s).\n\n");
  }

  /** The changelogs' bytes on disk over the restore's duration. */
  static Optional<Double> restoreMibPerSecond(BenchResults r) {
    Optional<Double> bytes = BenchResults.number(r.restore(), "changelogBytes");
    Optional<Double> ms = BenchResults.number(r.restore(), "restoreMs");
    if (bytes.isEmpty() || ms.isEmpty() || ms.get() <= 0) {
      return Optional.empty();
    }
    return Optional.of(bytes.get() / (1 << 20) / (ms.get() / 1000));
  }
}
