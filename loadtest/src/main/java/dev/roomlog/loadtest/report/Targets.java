package dev.roomlog.loadtest.report;

import dev.roomlog.loadtest.report.Headline.Comparison;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The targets (issue 4's, and issue 18's where it set new ones: {@link KafkaSpeedTargets}), judged
 * on one run's results. Pure: the same results always give the same rows. A target whose figure or
 * baseline is missing is "not measured", never a PASS.
 */
final class Targets {
  /** ingest: at least this share of ProducerPerformance's records/s. */
  static final double INGEST_SHARE = 0.5;

  /**
   * chat: p99 end-to-end at most this, at 25% of the maximum sustained rate (issue 18; 50 in 4).
   */
  static final double CHAT_P99_MS = 30;

  /** chat: the share of the maximum sustained rate the latency is measured at. */
  static final double CHAT_LOAD_SHARE = 0.25;

  /** fanout: at least this many deliveries/s to one room of 1000... */
  static final double FANOUT_DELIVERIES_PER_SECOND = 100_000;

  /**
   * ...and at least the Socket.IO peer's deliveries/s at the same offered rate. When both keep up
   * with it they deliver the same, and the window's edges move either count by about one message's
   * fan-out: a gap under this share is a tie.
   */
  static final double FANOUT_PEER_TOLERANCE = 0.01;

  /** connections: at least this many idle authenticated connections per GiB of gateway heap. */
  static final double CONNECTIONS_PER_GIB = 50_000;

  /** recovery: state restore at least this share of ConsumerPerformance's records/s. */
  static final double RESTORE_SHARE = 0.5;

  private Targets() {}

  static List<Headline> evaluate(BenchResults r) {
    List<Headline> rows = new ArrayList<>();
    rows.add(KafkaSpeedTargets.ingestLog(r));
    rows.add(ingest(r));
    rows.add(KafkaSpeedTargets.chatMax(r));
    rows.add(chat(r));
    rows.add(fanout(r));
    rows.addAll(KafkaSpeedTargets.hugeRoom(r));
    rows.add(connections(r));
    rows.add(restore(r));
    return rows;
  }

  static Headline ingest(BenchResults r) {
    Optional<LoadRun> run = r.run("roomlog-ingest");
    OptionalDouble producer = r.kafka().producer("records_per_sec");
    String baseline =
        "Kafka ProducerPerformance (acks=all, idempotent, "
            + r.info("kafkaRecordSize", "?")
            + " B records), records/s";
    String target = "none (reported beside the rate into the log)";
    String figure =
        "ingest, answered by the processor: actions/s whose sender got its own copy back, at the highest"
            + " rate sustained so";
    List<Comparison> comparisons = new ArrayList<>();
    if (run.isEmpty()) {
      comparisons.add(
          new Comparison(
              baseline,
              producer.isPresent() ? Fmt.rate(producer.getAsDouble()) : "not measured",
              "-"));
      return new Headline(
          "ingest",
          figure,
          "not measured",
          comparisons,
          target,
          Verdict.NOT_MEASURED,
          "ingest was not measured (no step of the search sustained its rate, or the runs failed).");
    }
    double achieved = run.get().achievedRate();
    if (producer.isEmpty() || producer.getAsDouble() <= 0) {
      comparisons.add(new Comparison(baseline, "not measured", "-"));
      return new Headline(
          "ingest",
          figure,
          Fmt.rate(achieved),
          comparisons,
          target,
          Verdict.NOT_MEASURED,
          "ingest: ProducerPerformance was not measured, so "
              + Fmt.rate(achieved)
              + " actions/s has no ceiling to compare with.");
    }
    double share = achieved / producer.getAsDouble();
    comparisons.add(new Comparison(baseline, Fmt.rate(producer.getAsDouble()), Fmt.percent(share)));
    Verdict v = Verdict.REPORTED;
    return new Headline(
        "ingest",
        figure,
        Fmt.rate(achieved),
        comparisons,
        target,
        v,
        "ingest: "
            + Fmt.rate(achieved)
            + " actions/s is "
            + Fmt.percent(share)
            + " of ProducerPerformance's "
            + Fmt.rate(producer.getAsDouble())
            + " records/s.");
  }

  static Headline chat(BenchResults r) {
    Optional<LoadRun> run = r.run("roomlog-chat");
    String target = "p99 ≤ " + Fmt.ms(CHAT_P99_MS) + " ms, every message delivered";
    String rate = run.map(c -> Fmt.rate(c.targetRate())).orElse("?");
    String max = BenchResults.number(r.info(), "chatMaxRate").map(Fmt::rate).orElse("?");
    String figure =
        "chat: p99 end-to-end (send to each member's copy), ms, at "
            + rate
            + " msg/s, "
            + Fmt.percent(CHAT_LOAD_SHARE)
            + " of the maximum sustained "
            + max
            + " msg/s, rooms of "
            + run.map(c -> String.valueOf(c.roomSize())).orElse("?");
    List<Comparison> comparisons = new ArrayList<>();
    boolean measured = run.isPresent() && run.get().latencyCount() > 0;
    for (String peer : List.of(Servers.BARE, Servers.SOCKETIO)) {
      Optional<LoadRun> p = r.run(peer + "-chat");
      String name = Servers.name(peer) + ", same flags, p99 ms";
      if (p.isEmpty() || p.get().latencyCount() == 0) {
        comparisons.add(new Comparison(name, "not measured", "-"));
      } else {
        double theirs = p.get().latencyP99Ms();
        String ratio = measured && theirs > 0 ? Fmt.times(run.get().latencyP99Ms() / theirs) : "-";
        comparisons.add(new Comparison(name, Fmt.ms(theirs) + incomplete(p.get()), ratio));
      }
    }
    if (!measured) {
      return new Headline(
          "chat",
          figure,
          "not measured",
          comparisons,
          target,
          Verdict.NOT_MEASURED,
          "chat was not measured (the run failed or recorded no latency).");
    }
    LoadRun c = run.get();
    boolean pass = c.latencyP99Ms() <= CHAT_P99_MS && c.complete();
    String finding =
        "chat: p99 "
            + Fmt.ms(c.latencyP99Ms())
            + " ms at "
            + rate
            + " msg/s (target "
            + target
            + ")"
            + (c.complete() ? "." : "; " + problems(c) + ".");
    return new Headline(
        "chat",
        figure,
        Fmt.ms(c.latencyP99Ms()) + incomplete(c),
        comparisons,
        target,
        pass ? Verdict.PASS : Verdict.MISS,
        finding);
  }

  static Headline fanout(BenchResults r) {
    Optional<LoadRun> run = r.run("roomlog-fanout");
    String target = "≥ " + Fmt.rate(FANOUT_DELIVERIES_PER_SECOND) + "/s and ≥ Socket.IO's";
    String figure =
        "fanout: deliveries/s to one room of "
            + run.map(f -> Fmt.rate(f.connections())).orElse("?")
            + ", "
            + run.map(f -> Fmt.rate(f.targetRate())).orElse("?")
            + " msg/s offered";
    List<Comparison> comparisons = new ArrayList<>();
    OptionalDouble socketio = OptionalDouble.empty();
    for (String peer : List.of(Servers.BARE, Servers.SOCKETIO)) {
      Optional<LoadRun> p = r.run(peer + "-fanout");
      String name = Servers.name(peer) + ", same flags, deliveries/s";
      if (p.isEmpty()) {
        comparisons.add(new Comparison(name, "not measured", "-"));
        continue;
      }
      double theirs = p.get().deliveriesPerSecond();
      if (peer.equals(Servers.SOCKETIO)) {
        socketio = OptionalDouble.of(theirs);
      }
      String ratio =
          run.isPresent() && theirs > 0
              ? Fmt.percent(run.get().deliveriesPerSecond() / theirs)
              : "-";
      comparisons.add(new Comparison(name, Fmt.rate(theirs) + incomplete(p.get()), ratio));
    }
    if (run.isEmpty()) {
      return new Headline(
          "fanout",
          figure,
          "not measured",
          comparisons,
          target,
          Verdict.NOT_MEASURED,
          "fanout was not measured (the run failed).");
    }
    double d = run.get().deliveriesPerSecond();
    boolean enough = d >= FANOUT_DELIVERIES_PER_SECOND;
    Verdict v;
    String finding = "fanout: " + Fmt.rate(d) + " deliveries/s";
    if (socketio.isEmpty()) {
      v = enough ? Verdict.NOT_MEASURED : Verdict.MISS;
      finding += " (target " + target + "); the Socket.IO peer was not measured.";
    } else {
      boolean atLeastPeer = d >= socketio.getAsDouble() * (1 - FANOUT_PEER_TOLERANCE);
      v = enough && atLeastPeer ? Verdict.PASS : Verdict.MISS;
      finding +=
          " against Socket.IO's " + Fmt.rate(socketio.getAsDouble()) + " (target " + target + ").";
    }
    return new Headline(
        "fanout", figure, Fmt.rate(d) + incomplete(run.get()), comparisons, target, v, finding);
  }

  static Headline connections(BenchResults r) {
    Optional<LoadRun> run = r.run("roomlog-connections");
    String target = "≥ " + Fmt.rate(CONNECTIONS_PER_GIB) + " per GiB";
    String heap = r.info("devHeap", "?");
    String figure =
        "connections: idle authenticated connections per GiB of heap (heap after GC, before and after "
            + run.map(c -> Fmt.rate(c.figure("connectionsOpened").orElse(c.connections())))
                .orElse("?")
            + " connections; -Xmx"
            + heap
            + ")";
    List<Comparison> none = List.of();
    OptionalDouble perGiB =
        run.map(c -> c.figure("connectionsPerGiB")).orElse(OptionalDouble.empty());
    if (perGiB.isEmpty()) {
      return new Headline(
          "connections",
          figure,
          "not measured",
          none,
          target,
          Verdict.NOT_MEASURED,
          "connections: no heap per connection (the run failed, had no --server-pid, or the heap did not grow).");
    }
    double v = perGiB.getAsDouble();
    String bytes =
        run.get().figure("bytesPerConnection").isPresent()
            ? " (" + Fmt.rate(run.get().figure("bytesPerConnection").getAsDouble()) + " B each)"
            : "";
    return new Headline(
        "connections",
        figure,
        Fmt.rate(v) + bytes,
        none,
        target,
        v >= CONNECTIONS_PER_GIB ? Verdict.PASS : Verdict.MISS,
        "connections: " + Fmt.rate(v) + " per GiB" + bytes + " (target " + target + ").");
  }

  static Headline restore(BenchResults r) {
    Optional<Double> rate = BenchResults.number(r.restore(), "restoreRecordsPerSecond");
    Optional<Double> records = BenchResults.number(r.restore(), "restoredRecords");
    OptionalDouble fetch = r.kafka().consumer("fetch_records_per_sec");
    OptionalDouble whole = r.kafka().consumer("records_per_sec");
    String target = "≥ " + Fmt.percent(RESTORE_SHARE) + " of ConsumerPerformance (fetch)";
    String figure =
        "recovery: processor state restore, changelog records/s ("
            + records.map(Fmt::rate).orElse("?")
            + " records, state directory deleted)";
    boolean measured = rate.isPresent() && records.isPresent() && records.get() > 0;
    List<Comparison> comparisons = new ArrayList<>();
    comparisons.add(
        new Comparison(
            "Kafka ConsumerPerformance, fetch records/s (group join left out)",
            fetch.isPresent() ? Fmt.rate(fetch.getAsDouble()) : "not measured",
            measured && fetch.isPresent() && fetch.getAsDouble() > 0
                ? Fmt.percent(rate.get() / fetch.getAsDouble())
                : "-"));
    comparisons.add(
        new Comparison(
            "Kafka ConsumerPerformance, records/s (whole run)",
            whole.isPresent() ? Fmt.rate(whole.getAsDouble()) : "not measured",
            measured && whole.isPresent() && whole.getAsDouble() > 0
                ? Fmt.percent(rate.get() / whole.getAsDouble())
                : "-"));
    if (!measured) {
      return new Headline(
          "restore",
          figure,
          "not measured",
          comparisons,
          target,
          Verdict.NOT_MEASURED,
          "restore was not measured (no restore lines in the restarted server's log, or nothing to restore).");
    }
    if (fetch.isEmpty() || fetch.getAsDouble() <= 0) {
      return new Headline(
          "restore",
          figure,
          Fmt.rate(rate.get()),
          comparisons,
          target,
          Verdict.NOT_MEASURED,
          "restore: ConsumerPerformance was not measured, so "
              + Fmt.rate(rate.get())
              + " records/s has no ceiling to compare with.");
    }
    double share = rate.get() / fetch.getAsDouble();
    return new Headline(
        "restore",
        figure,
        Fmt.rate(rate.get()),
        comparisons,
        target,
        share >= RESTORE_SHARE ? Verdict.PASS : Verdict.MISS,
        "restore: "
            + Fmt.rate(rate.get())
            + " records/s is "
            + Fmt.percent(share)
            + " of ConsumerPerformance's "
            + Fmt.rate(fetch.getAsDouble())
            + " fetch records/s (target "
            + target
            + ").");
  }

  /** A mark after a figure whose run lost or refused messages: the figure alone would flatter. */
  private static String incomplete(LoadRun run) {
    return run.complete() ? "" : " (" + problems(run) + ")";
  }

  private static String problems(LoadRun run) {
    List<String> p = new ArrayList<>();
    if (run.timeouts() > 0) {
      p.add(Fmt.rate(run.timeouts()) + " timeouts");
    }
    if (run.missingDeliveries() > 0 && run.timeouts() == 0) {
      p.add(Fmt.rate(run.missingDeliveries()) + " missing deliveries");
    }
    if (run.errorsTotal() > 0) {
      p.add(Fmt.rate(run.errorsTotal()) + " errors");
    }
    return String.join(", ", p);
  }
}
