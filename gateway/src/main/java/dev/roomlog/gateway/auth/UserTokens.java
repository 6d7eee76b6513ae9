package dev.roomlog.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;

/**
 * Makes the user tokens {@code roomlog token} prints and the dev chat page hands out: HS256 JWTs
 * signed with the shared secret the gateway checks ({@code tokenSecret}, whose UTF-8 bytes are the
 * key). For development and tests: in production an application's own backend signs its users'
 * tokens, with any JWT library.
 *
 * @param subject the user's identity ({@code sub})
 * @param name the display name the gateway makes the username ({@code name})
 * @param rooms the rooms the user may use (exact ids, or prefixes ending in {@code *}); null for
 *     any room (no {@code rooms} claim)
 * @param createRooms whether the user may create rooms ({@code createRooms})
 * @param ttl how long the token is valid ({@code exp} = now + ttl)
 * @param issuer the {@code iss} claim, or null for none
 * @param audience the {@code aud} claim, or null for none
 */
public record UserTokens(
    String subject,
    String name,
    List<String> rooms,
    boolean createRooms,
    Duration ttl,
    String issuer,
    String audience) {

  /** The longest a token from this command may live: refresh by making a new one. */
  public static final Duration MAX_TTL = Duration.ofDays(30);

  /** HS256 needs a key of at least 256 bits (RFC 7518 3.2). */
  public static final int MIN_SECRET_BYTES = 32;

  public UserTokens {
    if (subject == null || subject.isBlank()) {
      throw new IllegalArgumentException("--sub must name the user (the token's subject)");
    }
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("--name must not be blank");
    }
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
      throw new IllegalArgumentException(
          "--ttl must be more than 0 and at most " + MAX_TTL.toDays() + "d, was " + ttl);
    }
    rooms = rooms == null ? null : List.copyOf(rooms);
  }

  /** The signed token, valid from now (by {@code clock}) for {@link #ttl()}. */
  public String sign(String secret, Clock clock) {
    byte[] key = secret.getBytes(StandardCharsets.UTF_8);
    if (key.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "the token secret must be at least "
              + MIN_SECRET_BYTES
              + " bytes (HS256), was "
              + key.length);
    }
    Instant now = clock.instant();
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .subject(subject)
            .claim("name", name)
            .claim("createRooms", createRooms)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(ttl)));
    if (rooms != null) {
      claims.claim("rooms", rooms);
    }
    if (issuer != null) {
      claims.issuer(issuer);
    }
    if (audience != null) {
      claims.audience(audience);
    }
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(),
            claims.build());
    try {
      jwt.sign(new MACSigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("could not sign the token", e);
    }
    return jwt.serialize();
  }
}
