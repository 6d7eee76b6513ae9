package dev.roomlog.loadtest;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The heap a server JVM uses after a full collection, through the JDK's {@code jcmd}: {@code
 * GC.run} first (a System.gc(), so that garbage does not count as connections' memory), then {@code
 * GC.heap_info}. The server must run as the same user, on the same machine. With several JVMs (a
 * server of several processes) the figure is their sum.
 */
final class HeapProbe {
  private static final long TIMEOUT_SECONDS = 60;

  private final List<Long> pids;
  private final String jcmd;

  HeapProbe(List<Long> pids) {
    this.pids = List.copyOf(pids);
    this.jcmd = findJcmd();
  }

  /** The jcmd beside the java running us (a JRE-only install may lack it), else the PATH's. */
  private static String findJcmd() {
    return ProcessHandle.current()
        .info()
        .command()
        .map(java -> Path.of(java).resolveSibling("jcmd"))
        .filter(Files::isExecutable)
        .map(Path::toString)
        .orElse("jcmd");
  }

  long usedAfterGcBytes() throws IOException, InterruptedException {
    long sum = 0;
    for (long pid : pids) {
      run(pid, "GC.run");
      sum += HeapInfo.parseUsedBytes(run(pid, "GC.heap_info"));
    }
    return sum;
  }

  /** This JVM's own heap after a collection: the generator's share of the machine's memory. */
  static long ownUsedAfterGcBytes() {
    // A request, as any System.gc(); with the JDK's collectors it runs a full collection.
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private String run(long pid, String command) throws IOException, InterruptedException {
    // Output to a file, not a pipe: reading a pipe would block past the timeout if jcmd hung.
    Path out = Files.createTempFile("roomlog-loadtest-jcmd", ".txt");
    try {
      Process p =
          new ProcessBuilder(List.of(jcmd, Long.toString(pid), command))
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(
            "jcmd " + pid + " " + command + " did not finish in " + TIMEOUT_SECONDS + " s");
      }
      String text = Files.readString(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IOException(
            "jcmd " + pid + " " + command + " failed (exit " + p.exitValue() + "):\n" + text);
      }
      return text;
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
