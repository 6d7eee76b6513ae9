package dev.roomlog.gateway.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsCredentialsTest {
  @TempDir Path dir;

  @Test
  void readsAnEcAndAnRsaPair() {
    for (String algorithm : new String[] {"EC", "RSA"}) {
      TestCertificates.Pair pair = TestCertificates.write(dir, algorithm, "localhost", algorithm);

      TlsCredentials credentials = TlsCredentials.read(pair.certFile(), pair.keyFile());

      assertEquals(pair.certificate(), credentials.certificate());
      assertEquals(algorithm, credentials.key().getAlgorithm());
    }
  }

  @Test
  void readsAChainServerCertificateFirst() throws Exception {
    TestCertificates.Pair server = TestCertificates.write(dir, "server", "localhost");
    TestCertificates.Pair other = TestCertificates.write(dir, "other", "intermediate");
    Files.writeString(
        server.certFile(),
        Files.readString(other.certFile()),
        java.nio.file.StandardOpenOption.APPEND);

    TlsCredentials credentials = TlsCredentials.read(server.certFile(), server.keyFile());

    assertEquals(2, credentials.chain().size());
    assertEquals(server.certificate(), credentials.certificate());
  }

  @Test
  void refusesAKeyThatIsNotTheCertificatesNamingBothFiles() {
    TestCertificates.Pair a = TestCertificates.write(dir, "a", "localhost");
    TestCertificates.Pair b = TestCertificates.write(dir, "b", "localhost");

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> TlsCredentials.read(a.certFile(), b.keyFile()));

    assertTrue(e.getMessage().contains("does not belong"), e.getMessage());
    assertTrue(e.getMessage().contains(b.keyFile().toString()), e.getMessage());
    assertTrue(e.getMessage().contains(a.certFile().toString()), e.getMessage());
  }

  @Test
  void refusesAnRsaKeyForAnEcCertificate() {
    TestCertificates.Pair ec = TestCertificates.write(dir, "ec", "localhost", "EC");
    TestCertificates.Pair rsa = TestCertificates.write(dir, "rsa", "localhost", "RSA");

    assertThrows(
        IllegalArgumentException.class, () -> TlsCredentials.read(ec.certFile(), rsa.keyFile()));
  }

  @Test
  void refusesAPkcs1KeySayingHowToConvertIt() throws Exception {
    TestCertificates.Pair pair = TestCertificates.write(dir, "p", "localhost", "RSA");
    Path pkcs1 = dir.resolve("pkcs1.key");
    Files.writeString(
        pkcs1,
        Files.readString(pair.keyFile()).replace("PRIVATE KEY", "RSA PRIVATE KEY"),
        StandardCharsets.US_ASCII);

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> TlsCredentials.read(pair.certFile(), pkcs1));

    assertTrue(e.getMessage().contains("'RSA PRIVATE KEY'"), e.getMessage());
    assertTrue(e.getMessage().contains("openssl pkcs8 -topk8 -nocrypt"), e.getMessage());
  }

  @Test
  void refusesAnEncryptedKey() throws Exception {
    TestCertificates.Pair pair = TestCertificates.write(dir, "p", "localhost");
    Path encrypted = dir.resolve("encrypted.key");
    Files.writeString(
        encrypted,
        Files.readString(pair.keyFile()).replace("PRIVATE KEY", "ENCRYPTED PRIVATE KEY"),
        StandardCharsets.US_ASCII);

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> TlsCredentials.read(pair.certFile(), encrypted));

    assertTrue(e.getMessage().contains("'ENCRYPTED PRIVATE KEY'"), e.getMessage());
  }

  @Test
  void refusesACertificateFileWithoutACertificate() throws Exception {
    TestCertificates.Pair pair = TestCertificates.write(dir, "p", "localhost");

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TlsCredentials.read(pair.keyFile(), pair.keyFile()));

    assertTrue(e.getMessage().startsWith(pair.keyFile().toString()), e.getMessage());
  }

  @Test
  void refusesAKeyFileWithoutAKey() {
    TestCertificates.Pair pair = TestCertificates.write(dir, "p", "localhost");

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TlsCredentials.read(pair.certFile(), pair.certFile()));

    assertTrue(e.getMessage().contains("holds no private key"), e.getMessage());
  }

  @Test
  void aContextIsBuiltForTls12AndUp() {
    TestCertificates.Pair pair = TestCertificates.write(dir, "p", "localhost");

    var context = ServerTls.context(TlsCredentials.read(pair.certFile(), pair.keyFile()));

    var engine = context.newEngine(io.netty.buffer.ByteBufAllocator.DEFAULT);
    try {
      // OpenSSL's engine also lists SSLv2Hello: the old ClientHello framing it can read, not a
      // protocol version it speaks.
      assertEquals(
          java.util.Set.of("TLSv1.2", "TLSv1.3"),
          java.util.Arrays.stream(engine.getEnabledProtocols())
              .filter(p -> !p.equals("SSLv2Hello"))
              .collect(java.util.stream.Collectors.toSet()));
    } finally {
      io.netty.util.ReferenceCountUtil.release(engine);
    }
  }
}
