package dev.roomlog.gateway.tls;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.ssl.SslContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsContextWatcherTest {
  @TempDir Path dir;

  @Test
  void aBadPairAtStartThrows() {
    TestCertificates.Pair a = TestCertificates.write(dir, "a", "localhost");
    TestCertificates.Pair b = TestCertificates.write(dir, "b", "localhost");

    assertThrows(
        IllegalArgumentException.class, () -> new TlsContextWatcher(a.certFile(), b.keyFile()));
  }

  @Test
  void unchangedFilesKeepTheContext() {
    TestCertificates.Pair a = TestCertificates.write(dir, "a", "localhost");
    TlsContextWatcher watcher = new TlsContextWatcher(a.certFile(), a.keyFile());
    SslContext first = watcher.get();

    assertFalse(watcher.reloadIfChanged());
    assertSame(first, watcher.get());
  }

  @Test
  void aPairRenamedIntoPlaceIsTakenForNewSockets() throws Exception {
    TestCertificates.Pair live = TestCertificates.write(dir, "live", "old.localhost");
    TlsContextWatcher watcher = new TlsContextWatcher(live.certFile(), live.keyFile());
    SslContext old = watcher.get();

    TestCertificates.renameOver(TestCertificates.write(dir, "next", "new.localhost"), live);

    assertTrue(watcher.reloadIfChanged());
    assertNotSame(old, watcher.get());
    assertFalse(watcher.reloadIfChanged(), "the same files are not read twice");
  }

  @Test
  void aKeyThatDoesNotMatchKeepsThePreviousContextUntilTheFilesAreFixed() throws Exception {
    TestCertificates.Pair live = TestCertificates.write(dir, "live", "localhost");
    TlsContextWatcher watcher = new TlsContextWatcher(live.certFile(), live.keyFile());
    SslContext old = watcher.get();
    TestCertificates.Pair next = TestCertificates.write(dir, "next", "localhost");
    String liveKey = Files.readString(live.keyFile());

    // Only the certificate is replaced: the key in place is the old one.
    Files.copy(next.certFile(), live.certFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    assertFalse(watcher.reloadIfChanged());
    assertSame(old, watcher.get());
    assertFalse(watcher.reloadIfChanged(), "a broken version is judged once");

    Files.copy(next.keyFile(), live.keyFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertTrue(watcher.reloadIfChanged());
    assertNotSame(old, watcher.get());
    assertFalse(liveKey.equals(Files.readString(live.keyFile())));
  }

  @Test
  void deletedFilesKeepThePreviousContext() throws Exception {
    TestCertificates.Pair live = TestCertificates.write(dir, "live", "localhost");
    TlsContextWatcher watcher = new TlsContextWatcher(live.certFile(), live.keyFile());
    SslContext old = watcher.get();

    Files.delete(live.keyFile());

    assertFalse(watcher.reloadIfChanged());
    assertSame(old, watcher.get());
  }

  @Test
  void filesChangingWhileReadAreReadAgain() throws Exception {
    TestCertificates.Pair live = TestCertificates.write(dir, "live", "localhost");
    TestCertificates.Pair next = TestCertificates.write(dir, "next", "localhost");
    AtomicInteger reads = new AtomicInteger();
    TlsContextWatcher watcher =
        new TlsContextWatcher(
            live.certFile(),
            live.keyFile(),
            (cert, key) -> {
              // The second read (the first of the reload) sees the file grow under it.
              if (reads.incrementAndGet() == 2) {
                append(cert, "\n");
              }
              return TlsCredentials.read(cert, key);
            });
    SslContext old = watcher.get();
    TestCertificates.renameOver(next, live);

    assertTrue(watcher.reloadIfChanged());
    assertTrue(reads.get() >= 3, "read again once the stamps settled: " + reads.get());
    assertNotSame(old, watcher.get());
  }

  private static void append(Path file, String text) {
    try {
      Files.writeString(
          file, text, StandardCharsets.US_ASCII, java.nio.file.StandardOpenOption.APPEND);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
