package dev.roomlog.gateway.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server's certificate chain and its private key, read from PEM files and checked to belong
 * together. Plain JCA: Netty would take the files as they are, but would not notice a key that does
 * not match the certificate until a client's handshake failed, and its errors do not say which file
 * is wrong.
 *
 * @param key the private key (RSA, EC or EdDSA)
 * @param chain the server's certificate first, then its intermediates; never empty
 */
public record TlsCredentials(PrivateKey key, List<X509Certificate> chain) {
  private static final Pattern PKCS8 =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
  private static final Pattern ANY_KEY = Pattern.compile("-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----");

  public TlsCredentials {
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("a certificate chain needs at least one certificate");
    }
  }

  /** The server's own certificate. */
  public X509Certificate certificate() {
    return chain.get(0);
  }

  /**
   * Reads and checks the pair.
   *
   * @throws IllegalArgumentException naming the file that is wrong and why: unreadable, no PEM
   *     certificate, a key that is not unencrypted PKCS#8, or a key that does not match the first
   *     certificate
   */
  public static TlsCredentials read(Path certFile, Path keyFile) {
    List<X509Certificate> chain = readChain(certFile);
    PrivateKey key = readKey(keyFile);
    if (!matches(key, chain.get(0).getPublicKey())) {
      throw new IllegalArgumentException(
          "the private key in "
              + keyFile
              + " does not belong to the first certificate in "
              + certFile
              + " ("
              + chain.get(0).getSubjectX500Principal().getName()
              + ")");
    }
    return new TlsCredentials(key, chain);
  }

  private static List<X509Certificate> readChain(Path file) {
    byte[] pem = readBytes(file);
    List<X509Certificate> chain = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      factory
          .generateCertificates(new ByteArrayInputStream(pem))
          .forEach(cert -> chain.add((X509Certificate) cert));
    } catch (CertificateException e) {
      throw new IllegalArgumentException(
          file + " is not a PEM certificate chain: " + e.getMessage(), e);
    }
    if (chain.isEmpty()) {
      throw new IllegalArgumentException(
          file + " holds no certificate (expected -----BEGIN CERTIFICATE-----)");
    }
    return chain;
  }

  private static PrivateKey readKey(Path file) {
    String pem = new String(readBytes(file), StandardCharsets.US_ASCII);
    Matcher pkcs8 = PKCS8.matcher(pem);
    if (!pkcs8.find()) {
      Matcher other = ANY_KEY.matcher(pem);
      String found = other.find() ? "a '" + other.group(1) + "'" : "no private key";
      throw new IllegalArgumentException(
          file
              + " holds "
              + found
              + "; expected an unencrypted PKCS#8 key (-----BEGIN PRIVATE KEY-----), e.g. from"
              + " `openssl pkcs8 -topk8 -nocrypt -in old.key -out new.key`");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(pkcs8.group(1));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": the private key is not valid base64", e);
    }
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
        // Not this algorithm: PKCS#8 names it inside, but the JDK wants it named up front.
      }
    }
    throw new IllegalArgumentException(
        file + ": the PKCS#8 key is neither RSA, EC nor EdDSA, or is damaged");
  }

  /** Whether {@code key} signs what {@code publicKey} verifies: the one test for every type. */
  private static boolean matches(PrivateKey key, PublicKey publicKey) {
    if (!key.getAlgorithm().equals(publicKey.getAlgorithm())
        && !(key.getAlgorithm().startsWith("Ed") && publicKey.getAlgorithm().startsWith("Ed"))) {
      return false;
    }
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          default -> key.getAlgorithm(); // Ed25519, Ed448, EdDSA
        };
    byte[] challenge = new byte[32];
    new SecureRandom().nextBytes(challenge);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      // An EC key on another curve than the certificate's, for one.
      return false;
    }
  }

  private static byte[] readBytes(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e, e);
    }
  }
}
