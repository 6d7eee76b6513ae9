package dev.roomlog.gateway.ipfilter;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.ipfilter.IpRules.Decision;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpRulesWatcherTest {
  private static final String CLIENT = "192.0.2.1";

  @TempDir Path dir;
  private final List<IpRules> reloads = new CopyOnWriteArrayList<>();

  /**
   * Rewrites the file and moves its modification time on, so the change is seen even on coarse
   * clocks.
   */
  private static void rewrite(Path file, String content) throws Exception {
    FileTime before = Files.getLastModifiedTime(file);
    Files.writeString(file, content);
    Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 2_000));
  }

  private static Decision decide(IpRulesWatcher watcher) {
    return watcher.get().decide(Cidr.parseAddress(CLIENT));
  }

  @Test
  void changedFileIsReloadedAndTheCallbackGetsTheNewRules() throws Exception {
    Path file = dir.resolve("rules");
    Files.writeString(file, "allow 192.0.2.0/24\n");
    IpRulesWatcher watcher = new IpRulesWatcher(file, reloads::add);
    assertEquals(Decision.ALLOWED, decide(watcher));

    rewrite(file, "allow 192.0.2.0/24\nblock 192.0.2.1\n");

    assertTrue(watcher.reloadIfChanged());
    assertEquals(Decision.BLOCKED, decide(watcher));
    assertEquals(1, reloads.size());
    assertSame(watcher.get(), reloads.get(0));
  }

  @Test
  void unchangedFileIsNotReread() throws Exception {
    Path file = dir.resolve("rules");
    Files.writeString(file, "block 198.51.100.0/24\n");
    IpRulesWatcher watcher = new IpRulesWatcher(file, reloads::add);
    IpRules first = watcher.get();

    assertFalse(watcher.reloadIfChanged());
    assertSame(first, watcher.get());
    assertEquals(List.of(), reloads);
  }

  @Test
  void badFileOnReloadKeepsThePreviousRulesUntilItIsFixed() throws Exception {
    Path file = dir.resolve("rules");
    Files.writeString(file, "block 192.0.2.1\n");
    IpRulesWatcher watcher = new IpRulesWatcher(file, reloads::add);

    rewrite(file, "block 192.0.2.1\nallow 192.0.2.0/33\n");
    assertFalse(watcher.reloadIfChanged());
    assertEquals(Decision.BLOCKED, decide(watcher), "the previous rules stay in force");
    assertFalse(watcher.reloadIfChanged(), "the same broken version is not retried");

    rewrite(file, "allow 192.0.2.0/24\n");
    assertTrue(watcher.reloadIfChanged());
    assertEquals(Decision.ALLOWED, decide(watcher));
    assertEquals(1, reloads.size());
  }

  @Test
  void deletedFileKeepsThePreviousRules() throws Exception {
    Path file = dir.resolve("rules");
    Files.writeString(file, "block 192.0.2.1\n");
    IpRulesWatcher watcher = new IpRulesWatcher(file, reloads::add);

    Files.delete(file);

    assertFalse(watcher.reloadIfChanged());
    assertEquals(Decision.BLOCKED, decide(watcher));
  }

  @Test
  void fileReplacedByRenameIsReloaded() throws Exception {
    Path file = dir.resolve("rules");
    Files.writeString(file, "block 192.0.2.1\n");
    IpRulesWatcher watcher = new IpRulesWatcher(file, reloads::add);
    Path next = dir.resolve("rules.new");
    Files.writeString(next, "block 192.0.2.2\n");
    Files.setLastModifiedTime(next, Files.getLastModifiedTime(file));

    Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    assertTrue(watcher.reloadIfChanged(), "same size and time, but a new file");
    assertEquals(Decision.ALLOWED, decide(watcher));
  }

  @Test
  void badFileAtStartIsAnErrorNamingTheLine() throws Exception {
    Path file = dir.resolve("rules");
    Files.writeString(file, "allow 10.0.0.0/8\nblock nonsense\n");

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new IpRulesWatcher(file, reloads::add));
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
  }

  @Test
  void pollingOnASchedulerPicksUpAChange() throws Exception {
    Path file = dir.resolve("rules");
    Files.writeString(file, "allow 192.0.2.0/24\n");
    IpRulesWatcher watcher = new IpRulesWatcher(file, reloads::add);
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      watcher.start(scheduler, Duration.ofMillis(20));

      rewrite(file, "block 192.0.2.0/24\n");

      await().atMost(Duration.ofSeconds(10)).until(() -> decide(watcher) == Decision.BLOCKED);
      assertEquals(1, reloads.size());
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void fileCaughtHalfWrittenIsNotPutInForceAndIsReadAgainWhenComplete() throws Exception {
    Path file = dir.resolve("rules");
    Files.writeString(file, "allow 198.51.100.0/24\n");
    String complete = "allow 192.0.2.0/24\nblock 192.0.2.1\n";
    String firstLine = complete.substring(0, complete.indexOf('\n') + 1);
    AtomicInteger reads = new AtomicInteger();
    IpRulesWatcher watcher =
        new IpRulesWatcher(
            file,
            reloads::add,
            path -> {
              IpRules rules = IpRules.read(path);
              if (reads.incrementAndGet() == 2) {
                // The first reload read the file while its writer had written one line; the
                // writer finishes right after.
                try {
                  Files.writeString(
                      path, complete.substring(firstLine.length()), StandardOpenOption.APPEND);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              }
              return rules;
            });
    rewrite(file, firstLine);

    assertTrue(watcher.reloadIfChanged());

    assertEquals(3, reads.get(), "read again once the stamp had changed under the first read");
    assertEquals(Decision.BLOCKED, decide(watcher), "the complete file is in force");
    assertEquals(List.of(watcher.get()), reloads, "the half-written one never was");
  }

  @Test
  void fileThatKeepsChangingWhileItIsReadIsLeftForTheNextPoll() throws Exception {
    Path file = dir.resolve("rules");
    Files.writeString(file, "allow 192.0.2.0/24\n");
    AtomicInteger reads = new AtomicInteger();
    IpRulesWatcher watcher =
        new IpRulesWatcher(
            file,
            reloads::add,
            path -> {
              IpRules rules = IpRules.read(path);
              // After the first (start-up) read, a writer appends a comment during every read.
              if (reads.incrementAndGet() > 1 && reads.get() <= 1 + IpRulesWatcher.MAX_READS) {
                try {
                  Files.writeString(path, "# more\n", StandardOpenOption.APPEND);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              }
              return rules;
            });
    IpRules first = watcher.get();
    rewrite(file, "block 192.0.2.1\n");

    assertFalse(watcher.reloadIfChanged());
    assertSame(first, watcher.get());
    assertEquals(1 + IpRulesWatcher.MAX_READS, reads.get());

    assertTrue(watcher.reloadIfChanged(), "the next poll reads it again, now that it is still");
    assertEquals(Decision.BLOCKED, decide(watcher));
  }
}
