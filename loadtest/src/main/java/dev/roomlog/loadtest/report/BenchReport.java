package dev.roomlog.loadtest.report;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Writes docs/BENCHMARKS.md from what bench/run.sh left in bench/results: the machine, the command,
 * each figure beside its baseline with the target, the runs in detail, the plots and the
 * JMH results. Exit code 0 when written, 1 when the results could not be read, 2 for bad flags.
 */
@Command(
    name = "bench-report",
    mixinStandardHelpOptions = true,
    description = "Writes the benchmark report (Markdown) from bench/run.sh's results.")
public final class BenchReport implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--results",
      defaultValue = "bench/results",
      description = "The results directory (default ${DEFAULT-VALUE}).")
  Path results;

  @Option(
      names = "--plots",
      defaultValue = "docs/bench",
      description = "The PNG plots to link (default ${DEFAULT-VALUE}).")
  Path plots;

  @Option(
      names = "--before",
      description =
          "An earlier run's figures (figures.properties of its results) for the before-and-after section.")
  Path before;

  @Option(
      names = "--out",
      defaultValue = "docs/BENCHMARKS.md",
      description = "The report to write (default ${DEFAULT-VALUE}).")
  Path out;

  static final String FIGURES = "figures.properties";

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchReport()).execute(args));
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    try {
      BenchResults r = BenchResults.load(results);
      Path dir = out.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      String text =
          BenchReportWriter.render(
              r, Machine.probe(), plotLinks(plots.toAbsolutePath(), dir), Before.load(before));
      Files.writeString(out, text, StandardCharsets.UTF_8);
      // This run's figures, in the shape --before reads: the next report's "before" if kept.
      try (Writer w = Files.newBufferedWriter(results.resolve(FIGURES), StandardCharsets.UTF_8)) {
        Before.of(r, Targets.evaluate(r)).write(w);
      }
      err.println("bench-report: wrote " + out);
      err.flush();
      return 0;
    } catch (IOException | IllegalArgumentException e) {
      err.println("bench-report: " + e.getMessage());
      err.flush();
      return 1;
    }
  }

  /** The PNGs in {@code plots}, relative to the report's folder, by name. */
  static List<Path> plotLinks(Path plots, Path reportDir) throws IOException {
    if (!Files.isDirectory(plots)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(plots)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(".png"))
          .sorted()
          .map(p -> reportDir.relativize(p))
          .toList();
    }
  }
}
