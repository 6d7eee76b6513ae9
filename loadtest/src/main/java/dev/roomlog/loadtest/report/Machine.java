package dev.roomlog.loadtest.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The machine the report describes: read from /proc and the JVM when the report is written. */
record Machine(int cores, String cpuModel, long memoryBytes, String os, String java) {
  static Machine probe() {
    return new Machine(
        Runtime.getRuntime().availableProcessors(),
        cpuModel(Path.of("/proc/cpuinfo")),
        memTotal(Path.of("/proc/meminfo")),
        os(Path.of("/etc/os-release")),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
  }

  static String cpuModel(Path cpuinfo) {
    for (String line : readLines(cpuinfo)) {
      if (line.startsWith("model name")) {
        return line.substring(line.indexOf(':') + 1).trim();
      }
    }
    return "unknown";
  }

  /** {@code MemTotal: 24567890 kB}, in bytes; 0 when unknown. */
  static long memTotal(Path meminfo) {
    for (String line : readLines(meminfo)) {
      if (line.startsWith("MemTotal:")) {
        String[] f = line.trim().split("\\s+");
        try {
          return Long.parseLong(f[1]) * 1024;
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
          return 0;
        }
      }
    }
    return 0;
  }

  private static String os(Path osRelease) {
    String kernel =
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch");
    for (String line : readLines(osRelease)) {
      if (line.startsWith("PRETTY_NAME=")) {
        return line.substring("PRETTY_NAME=".length()).replace("\"", "") + ", " + kernel;
      }
    }
    return kernel;
  }

  private static List<String> readLines(Path f) {
    try {
      return Files.readAllLines(f, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return List.of();
    }
  }

  String memory() {
    return String.format(Locale.ROOT, "%.1f GiB", memoryBytes / (double) (1L << 30));
  }
}
