package dev.roomlog.loadtest;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the heap in use from the output of {@code jcmd PID GC.heap_info}. The output depends on the
 * collector: G1 prints one {@code garbage-first heap ... used 12345K} line, Parallel and Serial one
 * line per generation, ZGC {@code ZHeap used 8M}; the used sizes of those top-level lines are
 * summed. Metaspace and class space are not heap and are left out; per-space lines ({@code eden
 * space 65536K, 6% used}) are parts of a generation already counted.
 */
final class HeapInfo {
  private static final Pattern USED = Pattern.compile("\\bused (\\d+)([KMG]?)\\b");

  private HeapInfo() {}

  /** Bytes of heap in use, or an error quoting the output it could not read. */
  static long parseUsedBytes(String heapInfo) {
    long total = 0;
    boolean found = false;
    for (String line : heapInfo.split("\\R")) {
      String lower = line.toLowerCase(Locale.ROOT);
      if (lower.contains("metaspace") || lower.contains("class space")) {
        continue;
      }
      Matcher m = USED.matcher(line);
      if (m.find()) {
        total += Long.parseLong(m.group(1)) * unit(m.group(2));
        found = true;
      }
    }
    if (!found) {
      throw new IllegalArgumentException(
          "no 'used' heap size in jcmd GC.heap_info output:\n" + heapInfo);
    }
    return total;
  }

  private static long unit(String suffix) {
    switch (suffix) {
      case "K":
        return 1024L;
      case "M":
        return 1024L * 1024;
      case "G":
        return 1024L * 1024 * 1024;
      default:
        return 1L;
    }
  }
}
