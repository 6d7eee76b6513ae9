package dev.roomlog.loadtest.report;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The report's opening: the command and the date, the machine, and the conditions every figure was
 * measured under (what ran, the baselines, the search for the maximum rate, the warm-up).
 */
final class SetupSection {
  private final BenchResults r;
  private final Machine machine;
  private final StringBuilder out;

  private SetupSection(BenchResults r, Machine machine, StringBuilder out) {
    this.r = r;
    this.machine = machine;
    this.out = out;
  }

  static void append(StringBuilder out, BenchResults r, Machine machine) {
    SetupSection section = new SetupSection(r, machine, out);
    section.runFacts();
    section.machine();
    section.conditions();
  }

  private void runFacts() {
    out.append("- **Command:** `").append(r.info("command", "bench/run.sh")).append("`");
    out.append(", at commit ").append(r.info("gitCommit", "unknown")).append('\n');
    out.append("- **Date:** ")
        .append(r.info("startedAt", "unknown"))
        .append(" to ")
        .append(r.info("finishedAt", "unknown"));
    BenchResults.number(r.info(), "wallSeconds")
        .ifPresent(
            s ->
                out.append(
                    String.format(
                        Locale.ROOT, " (%d min %02d s)", (long) (s / 60), (long) (s % 60))));
    out.append('\n');
    out.append(
        "- **Raw results:** bench/results/ (one JSON per run, `loadtest/README.md` describes the fields)\n\n");
  }

  private void machine() {
    out.append("## Machine\n\n");
    MarkdownTable t = new MarkdownTable("", "");
    t.row("cores", String.valueOf(machine.cores()));
    t.row("CPU", machine.cpuModel());
    t.row("memory", machine.memory());
    t.row("OS", machine.os());
    t.row("Java", r.info("javaVersion", machine.java()));
    t.row("Kafka", r.info("kafkaVersion", "?") + " (embedded broker, clients, Streams, tools)");
    t.row("Netty", r.info("nettyVersion", "?"));
    t.row("Node, socket.io", r.info("nodeVersion", "?") + ", " + r.info("socketioVersion", "?"));
    t.row("load average", loadAverage());
    out.append(t.render()).append('\n');
  }

  /** The 1-minute load at the start, its highest before a step, and at the end. */
  private String loadAverage() {
    List<LoadSample> load = r.load();
    if (load.isEmpty()) {
      return "not recorded";
    }
    LoadSample first = load.get(0);
    LoadSample last = load.get(load.size() - 1);
    LoadSample max =
        load.stream().max(Comparator.comparingDouble(LoadSample::oneMinute)).orElse(first);
    String s =
        String.format(
            Locale.ROOT,
            "1-minute: %.2f at the start, %.2f at most (before %s; the benchmark's own processes raise it), %.2f at the end",
            first.oneMinute(),
            max.oneMinute(),
            max.step(),
            last.oneMinute());
    // Before the first step nothing of the benchmark's runs yet: a load there is someone else's.
    if (first.oneMinute() > machine.cores() / 2.0) {
      s +=
          String.format(
              Locale.ROOT,
              "; %.2f before anything started on %d cores: something else was running, and the"
                  + " figures are lower for it",
              first.oneMinute(),
              machine.cores());
    }
    return s;
  }

  private void conditions() {
    out.append("## Conditions\n\n");
    String commit =
        r.info("commitIntervalMs", "?")
            + " ms"
            + (Boolean.parseBoolean(r.info("commitIntervalDefault", "false"))
                ? " (roomlog dev's default)"
                : "");
    out.append(
            "- **Roomlog** is `roomlog dev`: the embedded Kafka broker, the room processor (Kafka Streams, ")
        .append("`exactly_once_v2`) and one gateway node in one JVM (`-Xmx")
        .append(r.info("devHeap", "?"))
        .append("`), commit interval ")
        .append(commit)
        .append(
            ", with the gateway's limits raised as loadtest/README.md lists (one API key plays thousands of clients)");
    String devArgs = r.info("devArgs", "");
    if (!devArgs.isBlank()) {
      out.append("; also `").append(devArgs).append('`');
    }
    out.append(".\n");
    out.append(
            "- **Baselines:** Kafka's `ProducerPerformance` and `ConsumerPerformance` against the dev server's own broker ")
        .append("(`bench/kafka-baselines.sh`: acks=all, idempotent, linger.ms=5, ")
        .append(r.info("kafkaRecords", "?"))
        .append(" records of ")
        .append(r.info("kafkaRecordSize", "?"))
        .append(
            " B, the size of one of the generator's `sendMessage` actions in `roomlog.actions`); the bare Netty ")
        .append(
            "broadcast server (no Kafka); the Socket.IO rooms server (`bench/socketio`). The WebSocket servers get ")
        .append("the same generator flags as Roomlog.\n");
    out.append(
            "- **One machine, loopback only:** the generator, the server under test and Kafka's tools share its cores, ")
        .append("so every figure is a floor for what the server alone could do.\n");
    out.append(
            "- **Maximum sustained rate** (ingest, chat): a step search, doubling the offered rate while a short step ")
        .append(
            "sustains it, then halving the bracket down to 20%. A step sustains its rate when acks and deliveries ")
        .append("arrive at ≥ ")
        .append(Fmt.percent(BenchResults.number(r.info(), "sustainShare").orElse(0.95)))
        .append(
            " of it within the step's window, with no error and no message left incomplete. A rate far above ")
        .append(
            "the maximum makes Roomlog refuse and time out most messages rather than slow down, so one overloaded ")
        .append("run does not give the maximum.\n");
    out.append(
            "- **Warm-up:** a chat run before the first measured one (not reported), so that no figure pays for the ")
        .append("server's JIT compiling.\n");
    out.append("- **Fanout** is offered ")
        .append(r.info("fanoutRate", "?"))
        .append(
            " msg/s to the room, above the 100 msg/s that 100,000 deliveries/s needs, so that keeping up shows as ")
        .append(
            "≥ 100,000. The generator receives every copy on the same cores: when the three servers fall behind ")
        .append("alike at that rate, the generator's share of the cores is part of why.\n");
    out.append(
            "- **Latency** is end to end, from each message's due time on the open-loop schedule (corrected for ")
        .append(
            "coordinated omission) to its arrival at each member, the sender's own copy included.\n\n");
  }
}
