package dev.roomlog.loadtest.report;

import java.util.Locale;
import java.util.Optional;

/**
 * The baselines outside the WebSocket runs: Kafka's own producer and consumer tools against the dev
 * server's broker, and the processor's state restore from its changelogs.
 */
final class KafkaAndRestoreSection {
  private final BenchResults r;
  private final StringBuilder out;

  private KafkaAndRestoreSection(BenchResults r, StringBuilder out) {
    this.r = r;
    this.out = out;
  }

  static void append(StringBuilder out, BenchResults r) {
    new KafkaAndRestoreSection(r, out).kafkaAndRestore();
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
