package dev.roomlog.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.spec.SecretKeySpec;

/**
 * Reads the keys tokens may be signed with: a shared secret, and a file holding either PEM public
 * keys ({@code -----BEGIN PUBLIC KEY-----}, RSA or P-256, any number) or a JWKS document (public
 * RSA and EC keys, selected by {@code kid}). Each failure names the setting and what was expected;
 * the secret's value is never in a message.
 */
final class TokenKeys {
  private static final Pattern PEM_PUBLIC_KEY =
      Pattern.compile("-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\\s]+)-----END PUBLIC KEY-----");

  private TokenKeys() {}

  /** The HMAC key of a shared secret (its UTF-8 bytes), for HS256. */
  static VerificationKey secret(String setting, String secret) {
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    if (bytes.length < VerificationKey.MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          setting
              + " must be at least "
              + VerificationKey.MIN_SECRET_BYTES
              + " bytes (HS256 needs a 256-bit secret), was "
              + bytes.length);
    }
    return VerificationKey.of(null, new SecretKeySpec(bytes, "HmacSHA256"));
  }

  /** The public keys in {@code file}: a JWKS document if it is JSON, else PEM public keys. */
  static List<VerificationKey> readFile(String setting, Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException(setting + ": cannot read " + file + ": " + e, e);
    }
    try {
      List<VerificationKey> keys = text.strip().startsWith("{") ? fromJwks(text) : fromPem(text);
      if (keys.isEmpty()) {
        throw new IllegalArgumentException("no public key found");
      }
      return keys;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          setting
              + ": "
              + file
              + " must hold PEM public keys (-----BEGIN PUBLIC KEY-----) or a JWKS document"
              + " of public RSA or P-256 keys: "
              + e.getMessage(),
          e);
    }
  }

  static List<VerificationKey> fromJwks(String json) {
    JWKSet set;
    try {
      set = JWKSet.parse(json);
    } catch (ParseException e) {
      throw new IllegalArgumentException("not a JWKS document: " + e.getMessage(), e);
    }
    List<VerificationKey> keys = new ArrayList<>();
    for (JWK jwk : set.getKeys()) {
      if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
        continue; // an encryption key is not for checking signatures
      }
      if (jwk.isPrivate()) {
        throw new IllegalArgumentException(
            "key '" + jwk.getKeyID() + "' is private: give the gateway public keys only");
      }
      VerificationKey key;
      try {
        if (jwk instanceof RSAKey rsa) {
          key = VerificationKey.of(jwk.getKeyID(), rsa.toRSAPublicKey());
        } else if (jwk instanceof ECKey ec) {
          key = VerificationKey.of(jwk.getKeyID(), ec.toECPublicKey());
        } else {
          throw new IllegalArgumentException(
              "key '" + jwk.getKeyID() + "' is of type " + jwk.getKeyType() + ": RSA or EC only");
        }
      } catch (JOSEException e) {
        throw new IllegalArgumentException(
            "key '" + jwk.getKeyID() + "' is unreadable: " + e.getMessage(), e);
      }
      // A key that names its algorithm must name the one its type is used for.
      if (jwk.getAlgorithm() != null && !jwk.getAlgorithm().equals(key.algorithm())) {
        throw new IllegalArgumentException(
            "key '"
                + jwk.getKeyID()
                + "' says alg "
                + jwk.getAlgorithm()
                + ", expected "
                + key.algorithm());
      }
      keys.add(key);
    }
    return keys;
  }

  static List<VerificationKey> fromPem(String text) {
    List<VerificationKey> keys = new ArrayList<>();
    Matcher m = PEM_PUBLIC_KEY.matcher(text);
    while (m.find()) {
      byte[] der = Base64.getMimeDecoder().decode(m.group(1).strip());
      keys.add(VerificationKey.of(null, publicKey(der)));
    }
    return keys;
  }

  private static PublicKey publicKey(byte[] der) {
    for (String algorithm : List.of("RSA", "EC")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // not of this type: try the next
      }
    }
    throw new IllegalArgumentException("a PEM public key is neither RSA nor EC");
  }
}
