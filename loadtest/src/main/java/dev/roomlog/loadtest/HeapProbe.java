package dev.roomlog.loadtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The heap a server JVM uses after a full collection, through the JDK's {@code jcmd}: {@code
 * GC.run} first (a System.gc(), so that garbage does not count as connections' memory), then {@code
 * GC.heap_info}. The server must run as the same user, on the same machine.
 */
final class HeapProbe {
  private static final long TIMEOUT_SECONDS = 60;

  private final long pid;
  private final String jcmd;

  HeapProbe(long pid) {
    this.pid = pid;
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
    run("GC.run");
    return HeapInfo.parseUsedBytes(run("GC.heap_info"));
  }

  private String run(String command) throws IOException, InterruptedException {
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
