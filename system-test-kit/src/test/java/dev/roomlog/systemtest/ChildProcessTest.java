package dev.roomlog.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the fault tests rely on: a child's output on disk, its tail in failures, and signals. */
class ChildProcessTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;

  @Test
  void copiesEveryRunsOutputToOneLogFileAndQuotesTheTailWhenALineNeverComes() throws Exception {
    Path log = dir.resolve("child.log");
    try (ChildProcess first =
        ChildProcess.start("first", List.of("sh", "-c", "echo one; echo two; exit 3"), dir, log)) {
      assertEquals("two", first.awaitLine("tw", WAIT));
      assertEquals(3, first.awaitExit(WAIT));
      AssertionError never =
          assertThrows(AssertionError.class, () -> first.awaitLine("three", WAIT));
      assertTrue(
          never.getMessage().contains("first ended without printing it"), never.getMessage());
      assertTrue(never.getMessage().contains("one\ntwo"), never.getMessage());
      assertTrue(never.getMessage().contains(log.toString()), never.getMessage());
    }
    // The first run's last line is written by its reader thread; the second run appends after it.
    await("the first run's end in " + log).atMost(WAIT).until(() -> countOf("exit code", log) == 1);
    try (ChildProcess second =
        ChildProcess.start("second", List.of("sh", "-c", "echo three"), dir, log)) {
      second.awaitExit(WAIT);
    }

    await("both runs in " + log).atMost(WAIT).until(() -> countOf("exit code", log) == 2);
    String text = Files.readString(log, StandardCharsets.UTF_8);
    assertTrue(
        text.matches(
            "(?s)=+ [^\n]* first started, pid \\d+: sh -c [^\n]*\none\ntwo\n=+ [^\n]* exit code 3\n"
                + "=+ [^\n]* second started, [^\n]*\nthree\n=+ [^\n]* exit code 0\n"),
        text);
  }

  @Test
  void pauseStopsTheProcessResumeContinuesItAndKillEndsItAtOnce() throws Exception {
    try (ChildProcess cat =
        ChildProcess.start("cat", List.of("cat"), dir, dir.resolve("cat.log"))) {
      cat.pause();
      await().atMost(WAIT).until(() -> state(cat) == 'T');
      cat.resume();
      await().atMost(WAIT).until(() -> state(cat) != 'T');
      cat.writeLine("still here");
      cat.awaitLine("still here", WAIT);

      cat.pause();
      cat.kill();
      assertFalse(cat.isAlive());
      assertEquals(137, cat.awaitExit(WAIT), "128 + SIGKILL");
    }
  }

  /** The process state letter from /proc (T: stopped by a signal). */
  private static char state(ChildProcess child) throws Exception {
    String stat = Files.readString(Path.of("/proc", String.valueOf(child.pid()), "stat"));
    return stat.charAt(stat.lastIndexOf(')') + 2);
  }

  private static long countOf(String text, Path file) throws Exception {
    return Files.readAllLines(file).stream().filter(l -> l.contains(text)).count();
  }
}
