package dev.roomlog.loadtest.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The "Runs" section: every load-generator run in one table, its errors by status, the held
 * connections and their heap, and the steps of each maximum-rate search.
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
            s.sustained() ? "yes" : "no");
      }
      out.append(t.render()).append('\n');
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
}
