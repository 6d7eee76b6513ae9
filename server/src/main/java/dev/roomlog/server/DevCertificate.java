package dev.roomlog.server;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The self-signed certificate of {@code roomlog dev --tls}: for localhost, 127.0.0.1 and ::1, an EC
 * P-256 key, valid for a year, made once per data directory (like the dev keys) so that a browser
 * or client told to trust it once keeps trusting it across restarts. Made with BouncyCastle: the
 * JDK has no public API to sign a certificate, and Netty's {@code SelfSignedCertificate} falls back
 * to JDK internals that Java 17 does not export.
 *
 * @param certFile the PEM certificate
 * @param keyFile the PEM (PKCS#8) private key
 */
record DevCertificate(Path certFile, Path keyFile) {
  static final String CERT_FILE = "dev-tls.crt";
  static final String KEY_FILE = "dev-tls.key";
  static final Duration VALIDITY = Duration.ofDays(365);

  /** The pair in {@code dataDir}, made now if it is not there yet. */
  static DevCertificate inDataDir(Path dataDir, Clock clock) throws IOException {
    DevCertificate files =
        new DevCertificate(dataDir.resolve(CERT_FILE), dataDir.resolve(KEY_FILE));
    if (Files.exists(files.certFile()) && Files.exists(files.keyFile())) {
      return files;
    }
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(256);
      KeyPair keys = generator.generateKeyPair();
      X509Certificate cert = selfSigned(keys, clock.instant());
      // Key first, each renamed into place whole: a crash leaves no half of a pair.
      writeAtomically(files.keyFile(), pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
      writeAtomically(files.certFile(), pem("CERTIFICATE", cert.getEncoded()));
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot make the dev TLS certificate: " + e, e);
    }
    return files;
  }

  private static X509Certificate selfSigned(KeyPair keys, Instant now)
      throws GeneralSecurityException, OperatorCreationException, IOException {
    X500Name name = new X500Name("CN=localhost, O=Roomlog dev");
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            name,
            new BigInteger(64, new SecureRandom()),
            // A little in the past: a client whose clock is behind still accepts it.
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(VALIDITY)),
            name,
            keys.getPublic());
    builder.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(
            new GeneralName[] {
              new GeneralName(GeneralName.dNSName, "localhost"),
              new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
              new GeneralName(GeneralName.iPAddress, "::1")
            }));
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
  }

  private static String pem(String type, byte[] der) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  private static void writeAtomically(Path file, String text) throws IOException {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(temp, text, StandardCharsets.US_ASCII);
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
