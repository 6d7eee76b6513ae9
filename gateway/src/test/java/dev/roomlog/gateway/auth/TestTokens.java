package dev.roomlog.gateway.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;

/**
 * Tokens made by a second, independent JWT implementation (auth0's java-jwt), so that the gateway's
 * verifier (nimbus-jose-jwt) is never checked only against its own idea of a token.
 */
public final class TestTokens {
  public static final String SECRET = "0123456789abcdef0123456789abcdef-test-secret";
  public static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

  private TestTokens() {}

  /** A token for {@code sub} named {@code name}, valid from an hour before NOW to an hour after. */
  public static JWTCreator.Builder claims(String sub, String name) {
    return JWT.create()
        .withSubject(sub)
        .withClaim("name", name)
        .withIssuedAt(NOW.minusSeconds(3600))
        .withExpiresAt(NOW.plusSeconds(3600));
  }

  public static String hs256(String sub, String name) {
    return claims(sub, name).sign(Algorithm.HMAC256(SECRET));
  }

  public static KeyPair rsa() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static KeyPair p256() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static Algorithm rs256(KeyPair pair) {
    return Algorithm.RSA256((RSAPublicKey) pair.getPublic(), (RSAPrivateKey) pair.getPrivate());
  }

  public static Algorithm es256(KeyPair pair) {
    return Algorithm.ECDSA256((ECPublicKey) pair.getPublic(), (ECPrivateKey) pair.getPrivate());
  }

  public static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }
}
