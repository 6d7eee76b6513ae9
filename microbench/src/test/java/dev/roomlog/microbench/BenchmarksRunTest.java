package dev.roomlog.microbench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.roomlog.gateway.connection.ConnectionRegistryBenchmark;
import dev.roomlog.gateway.connection.GatewayIntakeBenchmark;
import dev.roomlog.processor.RoomStageBenchmark;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Keeps the benchmarks working, never measures them: every benchmark runs in this JVM for one short
 * iteration with no warm-up, so a broken fixture (each {@code @Setup} checks that its sample takes
 * the path it claims to measure) or a failing benchmark method fails the build.
 */
class BenchmarksRunTest {
  private static final List<Class<?>> BENCHMARKS =
      List.of(
          ActionDecodeBenchmark.class,
          WalRecordSerdeBenchmark.class,
          DeliveryEncodeBenchmark.class,
          RoomStageBenchmark.class,
          GatewayIntakeBenchmark.class,
          ConnectionRegistryBenchmark.class);

  @Test
  void everyBenchmarkRunsOnceAndReportsAResult() throws RunnerException {
    Options options =
        new OptionsBuilder()
            .include("dev\\.roomlog\\..*Benchmark\\..*")
            .forks(0)
            .warmupIterations(0)
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(20))
            .shouldFailOnError(true)
            .verbosity(VerboseMode.SILENT)
            .build();

    Collection<RunResult> results = new Runner(options).run();

    Set<String> ran =
        results.stream()
            .map(r -> r.getParams().getBenchmark())
            .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(declaredBenchmarks(), ran, "every @Benchmark method ran and reported");
  }

  private static Set<String> declaredBenchmarks() {
    return BENCHMARKS.stream()
        .flatMap(
            type ->
                Arrays.stream(type.getMethods())
                    .filter(m -> m.isAnnotationPresent(Benchmark.class))
                    .map(m -> type.getName() + "." + m.getName()))
        .collect(Collectors.toCollection(TreeSet::new));
  }
}
