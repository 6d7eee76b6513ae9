package dev.roomlog.loadtest.report;

import dev.roomlog.loadtest.report.Headline.Comparison;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The figures issue 18 ("Rooms at Kafka's speed") added to the report: the rate into the log beside
 * ProducerPerformance, the maximum chat rate of all three servers found by the same search, and one
 * huge room over two gateways. Pure, as {@link Targets}.
 */
final class KafkaSpeedTargets {
  /** ingest into the log: at least this share of ProducerPerformance's records/s. */
  static final double INGEST_LOG_SHARE = Targets.INGEST_SHARE;

  /** The chat maximum of the last report before issue 18 (2026-11-26), msg/s. */
  static final double CHAT_MAX_BEFORE = 1_750;

  /** chat maximum: at least this multiple of {@link #CHAT_MAX_BEFORE}. */
  static final double CHAT_MAX_FACTOR = 10;

  private KafkaSpeedTargets() {}

  static Headline ingestLog(BenchResults r) {
    Optional<LoadRun> run = r.run("roomlog-ingest-log");
    OptionalDouble producer = r.kafka().producer("records_per_sec");
    String baseline =
        "Kafka ProducerPerformance (acks=all, idempotent, "
            + r.info("kafkaRecordSize", "?")
            + " B records), records/s";
    String target = "≥ " + Fmt.percent(INGEST_LOG_SHARE) + " of ProducerPerformance";
    String figure =
        "ingest, into the log: actions/s Kafka acknowledged to the gateway (its"
            + " `roomlog_gateway_wal_append_seconds_count`), at the highest rate sustained so";
    OptionalDouble counted =
        run.map(l -> l.figure("serverCounterPerSecond")).orElse(OptionalDouble.empty());
    // Without the gateway's counter (its page can answer seconds late on a saturated machine), the
    // step was judged by its answers: the processor answers only what Kafka acknowledged, so the
    // answered rate is a floor of the rate into the log.
    boolean floor = counted.isEmpty() && run.isPresent();
    OptionalDouble logRate = floor ? OptionalDouble.of(run.get().achievedRate()) : counted;
    String producerText = producer.isPresent() ? Fmt.rate(producer.getAsDouble()) : "not measured";
    // The generator's own ceiling for ingest on this machine: the same search against a server that
    // only answers each frame. ProducerPerformance has no WebSocket client sharing its cores.
    Optional<Double> bare = positive(r, Servers.BARE + "IngestMaxRate");
    Comparison bareIngest =
        new Comparison(
            Servers.name(Servers.BARE)
                + ", same generator and search (answers each frame, no Kafka),"
                + " actions/s",
            bare.map(b -> atLeast(r, Servers.BARE + "IngestMaxCapped") + Fmt.rate(b))
                .orElse("not measured"),
            bare.isPresent() && logRate.isPresent()
                ? Fmt.percent(logRate.getAsDouble() / bare.get())
                : "-");
    if (logRate.isEmpty()) {
      return new Headline(
          "ingest-log",
          figure,
          "not measured",
          List.of(new Comparison(baseline, producerText, "-"), bareIngest),
          target,
          Verdict.NOT_MEASURED,
          "ingest into the log was not measured (no step of its search sustained its rate, or the"
              + " gateway's counter could not be read).");
    }
    double rate = logRate.getAsDouble();
    String value =
        (floor ? "≥ " : atLeast(r, "ingestLogMaxCapped"))
            + Fmt.rate(rate)
            + incomplete(run.get(), false)
            + (floor ? " (answered: the gateway's counter could not be read)" : "");
    if (producer.isEmpty() || producer.getAsDouble() <= 0) {
      return new Headline(
          "ingest-log",
          figure,
          value,
          List.of(new Comparison(baseline, producerText, "-"), bareIngest),
          target,
          Verdict.NOT_MEASURED,
          "ingest into the log: ProducerPerformance was not measured.");
    }
    double share = rate / producer.getAsDouble();
    return new Headline(
        "ingest-log",
        figure,
        value,
        List.of(new Comparison(baseline, producerText, Fmt.percent(share)), bareIngest),
        target,
        share >= INGEST_LOG_SHARE ? Verdict.PASS : Verdict.MISS,
        "ingest into the log: "
            + Fmt.rate(rate)
            + " actions/s is "
            + Fmt.percent(share)
            + " of ProducerPerformance's "
            + producerText
            + " records/s (target "
            + target
            + ").");
  }

  static Headline chatMax(BenchResults r) {
    String target =
        "≥ "
            + Fmt.rate(CHAT_MAX_BEFORE * CHAT_MAX_FACTOR)
            + " msg/s ("
            + Fmt.rate(CHAT_MAX_FACTOR)
            + "× the "
            + Fmt.rate(CHAT_MAX_BEFORE)
            + " of 2026-11-26); goal: ≥ Socket.IO's";
    String figure =
        "chat: maximum sustained rate, msg/s offered, rooms of 10, the same step search for each"
            + " server (every message delivered, no error)";
    Optional<Double> mine = positive(r, "chatMaxRate");
    List<Comparison> comparisons = new ArrayList<>();
    Optional<Double> socketio = Optional.empty();
    for (String peer : List.of(Servers.BARE, Servers.SOCKETIO)) {
      Optional<Double> theirs = positive(r, peer + "ChatMaxRate");
      if (peer.equals(Servers.SOCKETIO)) {
        socketio = theirs;
      }
      comparisons.add(
          new Comparison(
              Servers.name(peer) + ", same search, msg/s",
              theirs
                  .map(t -> atLeast(r, peer + "ChatMaxCapped") + Fmt.rate(t))
                  .orElse("not measured"),
              mine.isPresent() && theirs.isPresent()
                  ? Fmt.percent(mine.get() / theirs.get())
                  : "-"));
    }
    if (mine.isEmpty()) {
      return new Headline(
          "chat-max",
          figure,
          "not measured",
          comparisons,
          target,
          Verdict.NOT_MEASURED,
          "chat maximum: no step of Roomlog's search sustained its rate.");
    }
    double m = mine.get();
    boolean pass = m >= CHAT_MAX_BEFORE * CHAT_MAX_FACTOR;
    String goal =
        socketio
            .map(
                s ->
                    m >= s
                        ? "; the goal, Socket.IO's " + Fmt.rate(s) + " msg/s, is met"
                        : "; the goal, Socket.IO's " + Fmt.rate(s) + " msg/s, is not")
            .orElse("; Socket.IO's was not measured");
    return new Headline(
        "chat-max",
        figure,
        atLeast(r, "chatMaxCapped") + Fmt.rate(m),
        comparisons,
        target,
        pass ? Verdict.PASS : Verdict.MISS,
        "chat maximum: " + Fmt.rate(m) + " msg/s (target " + target + ")" + goal + ".");
  }

  /** Two rows: the room's deliveries/s, and the time for the whole room to join. */
  static List<Headline> hugeRoom(BenchResults r) {
    Optional<LoadRun> run = r.run("roomlog-huge-room");
    String size = r.info("hugeRoomSize", "?");
    String requested = r.info("hugeRoomRequested", size);
    String note = r.info("hugeRoomNote", "");
    String members =
        run.map(h -> Fmt.rate(h.connections())).orElse(size.equals("?") ? "?" : size)
            + (requested.equals(size) ? "" : " (asked for " + requested + ")");
    // One gateway per generator process; a run from before the room was sharded had two.
    OptionalDouble shards = run.map(h -> h.figure("shards")).orElse(OptionalDouble.empty());
    String gateways =
        shards.isPresent() ? Fmt.rate(shards.getAsDouble()) : r.info("hugeRoomShards", "two");
    String where =
        "one room of "
            + members
            + " members on "
            + gateways
            + " gateways (a generator process each: a process holds a descriptor per member, up"
            + " to ulimit -Hn "
            + r.info("nofileHard", "?")
            + ")";
    String target = "none: reported (100,000 members asked)";
    if (run.isEmpty()) {
      String why =
          "the huge room was not measured"
              + (note.isBlank() ? "" : " (" + note + ")")
              + (size.equals("0") ? " (skipped: --huge-room-size 0)" : "")
              + ".";
      return List.of(
          new Headline(
              "huge-room",
              "huge room: deliveries/s to " + where,
              "not measured",
              List.of(),
              target,
              Verdict.NOT_MEASURED,
              why),
          new Headline(
              "huge-room-join",
              "huge room: time for every member to join, s",
              "not measured",
              List.of(),
              target,
              Verdict.NOT_MEASURED,
              why));
    }
    LoadRun h = run.get();
    String deliveries = Fmt.rate(h.deliveriesPerSecond()) + incomplete(h, true);
    OptionalDouble joinMs = h.figure("joinAllMs");
    OptionalDouble joinsPerSecond = h.figure("joinsPerSecond");
    String join =
        joinMs.isPresent()
            ? String.format(Locale.ROOT, "%.1f", joinMs.getAsDouble() / 1000)
                + (joinsPerSecond.isPresent()
                    ? " (" + Fmt.rate(joinsPerSecond.getAsDouble()) + " joins/s)"
                    : "")
            : "not measured";
    return List.of(
        new Headline(
            "huge-room",
            "huge room: deliveries/s to "
                + where
                + ", "
                + Fmt.rate(h.targetRate())
                + " msg/s offered"
                + (note.isBlank() ? "" : "; " + note),
            deliveries,
            List.of(),
            target,
            Verdict.REPORTED,
            "huge room: " + deliveries + " deliveries/s."),
        new Headline(
            "huge-room-join",
            "huge room: time for every member to join, s (first join sent to the last `joined`"
                + " answer; the joins offered at "
                + r.info("hugeRoomSetupRate", "?")
                + "/s)",
            join,
            List.of(),
            target,
            joinMs.isPresent() ? Verdict.REPORTED : Verdict.NOT_MEASURED,
            "huge room: every member joined in " + join + " s."));
  }

  private static Optional<Double> positive(BenchResults r, String key) {
    return BenchResults.number(r.info(), key).filter(v -> v > 0);
  }

  /** "≥ " when the search's every step sustained: its maximum is a floor. */
  private static String atLeast(BenchResults r, String cappedKey) {
    return Boolean.parseBoolean(r.info(cappedKey, "false")) ? "≥ " : "";
  }

  /**
   * A mark after a figure whose run lost or refused messages. The log's rate counts what Kafka
   * acknowledged, so answers that came late (timeouts) do not take from it; errors do.
   */
  private static String incomplete(LoadRun run, boolean timeoutsCount) {
    List<String> p = new ArrayList<>();
    if (timeoutsCount && run.timeouts() > 0) {
      p.add(Fmt.rate(run.timeouts()) + " timeouts");
    }
    if (run.errorsTotal() > 0) {
      p.add(Fmt.rate(run.errorsTotal()) + " errors");
    }
    return p.isEmpty() ? "" : " (" + String.join(", ", p) + ")";
  }
}
