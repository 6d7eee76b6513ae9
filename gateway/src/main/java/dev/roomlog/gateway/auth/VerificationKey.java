package dev.roomlog.gateway.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import java.security.Key;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECParameterSpec;
import java.util.Objects;
import javax.crypto.SecretKey;

/**
 * One key a token may be signed with, and the one algorithm it is good for. The algorithm follows
 * from the key's type, never from the token: an HMAC secret verifies HS256 only, an RSA public key
 * RS256 only, a P-256 public key ES256 only. So a token whose header says HS256 is never checked
 * against an RSA public key used as an HMAC secret (the RS/HS confusion), and {@code none} matches
 * no key at all.
 *
 * @param kid the key id a token's header must name to use this key, or null for a key that any
 *     token of its algorithm may try (a shared secret, a PEM key without an id)
 */
record VerificationKey(String kid, Key key, JWSAlgorithm algorithm) {
  /** An HMAC secret shorter than this is refused (RFC 7518 3.2: at least the hash's size). */
  static final int MIN_SECRET_BYTES = 32;

  VerificationKey {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(algorithm, "algorithm");
  }

  static VerificationKey of(String kid, Key key) {
    return new VerificationKey(kid, key, algorithmFor(key));
  }

  /** Whether a token whose header has {@code alg} and {@code headerKid} may be checked with it. */
  boolean matches(JWSAlgorithm alg, String headerKid) {
    if (!algorithm.equals(alg)) {
      return false;
    }
    // A key with an id is used only for tokens naming it: an unknown kid finds no key.
    return kid == null || kid.equals(headerKid);
  }

  private static JWSAlgorithm algorithmFor(Key key) {
    if (key instanceof SecretKey secret) {
      byte[] bytes = secret.getEncoded();
      if (bytes == null || bytes.length < MIN_SECRET_BYTES) {
        throw new IllegalArgumentException(
            "an HMAC secret must be at least " + MIN_SECRET_BYTES + " bytes");
      }
      return JWSAlgorithm.HS256;
    }
    if (key instanceof RSAPublicKey rsa) {
      if (rsa.getModulus().bitLength() < 2048) {
        throw new IllegalArgumentException("an RSA key must have at least 2048 bits");
      }
      return JWSAlgorithm.RS256;
    }
    if (key instanceof ECPublicKey ec) {
      if (!isP256(ec.getParams())) {
        throw new IllegalArgumentException("an EC key must be on the P-256 curve (ES256)");
      }
      return JWSAlgorithm.ES256;
    }
    throw new IllegalArgumentException(
        "a token key must be an HMAC secret, an RSA public key or a P-256 public key, was "
            + key.getAlgorithm());
  }

  private static boolean isP256(ECParameterSpec params) {
    return Curve.P_256.equals(Curve.forECParameterSpec(params));
  }
}
