package dev.roomlog.gateway.ipfilter;

import dev.roomlog.gateway.files.FileStamp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The current {@link IpRules} of an IP rules file, re-read when the file changes, without a
 * restart.
 *
 * <p>A change is noticed by polling the file's {@link FileStamp} (modification time, size, file
 * key; it says why polling), and a few seconds' delay is fine for access rules. An edit that keeps
 * both the size and the modification time is missed until the next edit.
 *
 * <p>A file is taken only if its stamp (modification time, size, file key) is the same just before
 * and just after it was read; otherwise it is read again, up to {@link #MAX_READS} times, and if it
 * is still changing the next poll tries again. So a file caught half-written by an editor or a copy
 * is not put in force, as far as the stamp can tell: a writer that pauses longer than a read with a
 * partial file in place still can be caught, which is why operators should replace the file by
 * renaming a complete one over it (docs/OPERATIONS.md).
 *
 * <p>A bad file at construction throws (the gateway must not start with rules it cannot read). A
 * bad or missing file on reload is logged as an error and the previous rules stay in force: a typo
 * must not open or shut the gateway for everyone. The same broken version is reported once, not on
 * every poll.
 *
 * <p>Threading: {@link #get()} may be called from any thread (it reads an {@link AtomicReference});
 * {@link #reloadIfChanged()} is synchronized and runs on the scheduler's thread, or on a test's. It
 * reads the file, so it must not run on a Netty event loop. {@code onReload} is called on the
 * thread that reloaded, after the new rules are in force.
 */
public final class IpRulesWatcher implements Supplier<IpRules> {
  private static final Logger log = LoggerFactory.getLogger(IpRulesWatcher.class);

  /** Reads of one poll before a file that keeps changing is left to the next poll. */
  static final int MAX_READS = 3;

  /** One read of the file, and the stamp it had throughout; exactly one of rules and error. */
  private record StableRead(FileStamp stamp, IpRules rules, RuntimeException error) {}

  private final Path file;
  private final Consumer<IpRules> onReload;
  private final Function<Path, IpRules> reader;
  private final AtomicReference<IpRules> current = new AtomicReference<>();
  private FileStamp seen;

  /**
   * Reads the file now.
   *
   * @param onReload called with the new rules after each successful reload (not for the first
   *     read), e.g. to close connections they now refuse
   * @throws IllegalArgumentException if a rule is malformed (naming the file and line)
   * @throws java.io.UncheckedIOException if the file cannot be read
   * @throws IllegalStateException if the file kept changing while it was read
   */
  public IpRulesWatcher(Path file, Consumer<IpRules> onReload) {
    this(file, onReload, IpRules::read);
  }

  /**
   * @param reader reads and parses the file ({@link IpRules#read}; tests interfere with it)
   */
  IpRulesWatcher(Path file, Consumer<IpRules> onReload, Function<Path, IpRules> reader) {
    this.file = Objects.requireNonNull(file, "file");
    this.onReload = Objects.requireNonNull(onReload, "onReload");
    this.reader = Objects.requireNonNull(reader, "reader");
    StableRead first = readStable(FileStamp.of(file));
    if (first == null) {
      throw new IllegalStateException(
          file
              + " kept changing while it was read; replace it by renaming a complete file over"
              + " it");
    }
    if (first.error() != null) {
      throw first.error();
    }
    this.seen = first.stamp();
    current.set(first.rules());
  }

  @Override
  public IpRules get() {
    return current.get();
  }

  /**
   * Polls {@link #reloadIfChanged()} every {@code interval} on {@code scheduler} until the returned
   * future is cancelled or the scheduler shut down.
   */
  public ScheduledFuture<?> start(ScheduledExecutorService scheduler, Duration interval) {
    long millis = interval.toMillis();
    return scheduler.scheduleWithFixedDelay(this::poll, millis, millis, TimeUnit.MILLISECONDS);
  }

  /**
   * Re-reads the file if it changed since the last look.
   *
   * @return true if new rules are now in force
   */
  public synchronized boolean reloadIfChanged() {
    FileStamp now = FileStamp.of(file);
    if (now.equals(seen)) {
      return false;
    }
    StableRead read = readStable(now);
    if (read == null) {
      // Not marked as seen: the next poll reads it again.
      log.warn(
          "the IP rules file {} kept changing while it was read; trying again at the next poll",
          file);
      return false;
    }
    seen = read.stamp();
    if (read.stamp().isMissing()) {
      log.error("the IP rules file {} is gone; keeping the previous rules", file);
      return false;
    }
    if (read.error() != null) {
      log.error("cannot reload IP rules, keeping the previous ones: {}", read.error().getMessage());
      return false;
    }
    IpRules rules = read.rules();
    current.set(rules);
    log.info(
        "reloaded IP rules from {}: {} allow, {} block",
        file,
        rules.allowCount(),
        rules.blockCount());
    onReload.accept(rules);
    return true;
  }

  private void poll() {
    // An exception escaping a scheduled task would silently cancel every later poll.
    try {
      reloadIfChanged();
    } catch (RuntimeException e) {
      log.error("IP rules reload of {} failed", file, e);
    }
  }

  /**
   * Reads the file until its stamp is the same before and after a read, at most {@link #MAX_READS}
   * times; null if it never was. {@code before} is the stamp just taken.
   */
  private StableRead readStable(FileStamp before) {
    for (int read = 0; read < MAX_READS; read++) {
      // Read even when it looks missing: the reader's exception says why (at start-up).
      IpRules rules = null;
      RuntimeException error = null;
      try {
        rules = reader.apply(file);
      } catch (RuntimeException e) {
        // Perhaps only because the file was half-written: judged after the stamp is checked.
        error = e;
      }
      FileStamp after = FileStamp.of(file);
      if (after.equals(before)) {
        return new StableRead(before, rules, error);
      }
      before = after;
    }
    return null;
  }
}
