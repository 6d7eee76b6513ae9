package dev.roomlog.gateway.tls;

import dev.roomlog.gateway.files.FileStamp;
import io.netty.handler.ssl.SslContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The current {@link SslContext} of a certificate file and a key file, rebuilt when either changes,
 * without a restart. Each new socket takes the context in force when it is accepted ({@link
 * #get()}); a socket keeps the engine it was given, so a reload never touches an open connection.
 *
 * <p>A change is noticed as {@code IpRulesWatcher} notices one, by polling each file's {@link
 * FileStamp} (modification time, size and file key: a rename over it changes the key), which works
 * on bind mounts and Kubernetes secret symlink swaps; a few seconds' delay is fine for a
 * certificate renewed days before it expires. A pair is taken only if the stamps of both files were
 * the same just before and just after both were read (read again up to {@link #MAX_READS} times,
 * else at the next poll), so a certificate caught half-written, or a new certificate beside the old
 * key while the key is still being replaced, is not put in force as far as the stamps can tell.
 * Operators should still rename complete files into place, the key first (docs/OPERATIONS.md).
 *
 * <p>A bad pair at construction throws: the gateway must not start without its certificate. A bad
 * pair on reload (unreadable, damaged, a key that does not match the certificate) is logged as an
 * error once per version and the previous context stays in force: clients keep connecting with the
 * old certificate until the files are fixed.
 *
 * <p>Threading: {@link #get()} may be called from any thread (an event loop, for each new socket);
 * {@link #reloadIfChanged()} is synchronized and reads files, so it runs on the scheduler's thread
 * (or a test's), never on an event loop.
 */
public final class TlsContextWatcher implements Supplier<SslContext> {
  private static final Logger log = LoggerFactory.getLogger(TlsContextWatcher.class);

  /** Reads of one poll before files that keep changing are left to the next poll. */
  static final int MAX_READS = 3;

  /** One read of both files, and their stamps throughout; exactly one of context and error. */
  private record StableRead(List<FileStamp> stamps, Loaded loaded, RuntimeException error) {}

  /** A context and the certificate it serves, for the log. */
  private record Loaded(SslContext context, TlsCredentials credentials) {}

  private final Path certFile;
  private final Path keyFile;
  private final BiFunction<Path, Path, TlsCredentials> reader;
  private final AtomicReference<SslContext> current = new AtomicReference<>();
  private List<FileStamp> seen;

  /**
   * Reads both files and builds the first context now.
   *
   * @throws IllegalArgumentException if the pair is unusable (naming the file and why)
   * @throws java.io.UncheckedIOException if a file cannot be read
   * @throws IllegalStateException if the files kept changing while they were read
   */
  public TlsContextWatcher(Path certFile, Path keyFile) {
    this(certFile, keyFile, TlsCredentials::read);
  }

  /**
   * @param reader reads and checks the pair ({@link TlsCredentials#read}; tests interfere with it)
   */
  TlsContextWatcher(Path certFile, Path keyFile, BiFunction<Path, Path, TlsCredentials> reader) {
    this.certFile = Objects.requireNonNull(certFile, "certFile");
    this.keyFile = Objects.requireNonNull(keyFile, "keyFile");
    this.reader = Objects.requireNonNull(reader, "reader");
    StableRead first = readStable(stamps());
    if (first == null) {
      throw new IllegalStateException(
          certFile
              + " and "
              + keyFile
              + " kept changing while they were read; rename complete files into place");
    }
    if (first.error() != null) {
      throw first.error();
    }
    seen = first.stamps();
    current.set(first.loaded().context());
    log.info("TLS on with {}", describe(first.loaded()));
  }

  /** The context for a socket accepted now. */
  @Override
  public SslContext get() {
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
   * Rebuilds the context if either file changed since the last look.
   *
   * @return true if a new context is now in force
   */
  public synchronized boolean reloadIfChanged() {
    List<FileStamp> now = stamps();
    if (now.equals(seen)) {
      return false;
    }
    StableRead read = readStable(now);
    if (read == null) {
      // Not marked as seen: the next poll reads them again.
      log.warn(
          "the TLS files {} and {} kept changing while they were read; trying again at the next"
              + " poll",
          certFile,
          keyFile);
      return false;
    }
    seen = read.stamps();
    if (read.error() != null) {
      log.error(
          "cannot reload the TLS certificate, keeping the previous one: {}",
          read.error().getMessage());
      return false;
    }
    current.set(read.loaded().context());
    log.info("reloaded TLS: new connections get {}", describe(read.loaded()));
    return true;
  }

  private void poll() {
    // An exception escaping a scheduled task would silently cancel every later poll.
    try {
      reloadIfChanged();
    } catch (RuntimeException e) {
      log.error("TLS reload of {} and {} failed", certFile, keyFile, e);
    }
  }

  /**
   * Reads the pair until both stamps are the same before and after a read, at most {@link
   * #MAX_READS} times; null if they never were. {@code before} are the stamps just taken.
   */
  private StableRead readStable(List<FileStamp> before) {
    for (int read = 0; read < MAX_READS; read++) {
      Loaded loaded = null;
      RuntimeException error = null;
      try {
        TlsCredentials credentials = reader.apply(certFile, keyFile);
        loaded = new Loaded(ServerTls.context(credentials), credentials);
      } catch (RuntimeException e) {
        // Perhaps only because a file was half-written: judged after the stamps are checked.
        error = e;
      }
      List<FileStamp> after = stamps();
      if (after.equals(before)) {
        return new StableRead(before, loaded, error);
      }
      before = after;
    }
    return null;
  }

  private List<FileStamp> stamps() {
    return List.of(FileStamp.of(certFile), FileStamp.of(keyFile));
  }

  private static String describe(Loaded loaded) {
    var cert = loaded.credentials().certificate();
    return "certificate "
        + cert.getSubjectX500Principal().getName()
        + " (valid until "
        + cert.getNotAfter().toInstant()
        + ", "
        + ServerTls.provider()
        + " engine)";
  }
}
