package dev.roomlog.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.protocol.action.Authorizer;
import dev.roomlog.protocol.action.Limits;
import dev.roomlog.protocol.text.DisplayNames;
import java.net.URI;
import java.security.Key;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Checks a signed user token (a JWT) and says who it names. The signature and the standard claims
 * are checked by nimbus-jose-jwt; this class chooses what is accepted, after the OWASP JWT cheat
 * sheet and RFC 8725:
 *
 * <ul>
 *   <li>only the algorithms of the configured keys ({@link VerificationKey}): HS256 for a shared
 *       secret, RS256 for RSA, ES256 for P-256. Never {@code none} (an unsigned token is refused
 *       before any key is looked at), never HS256 against a public key;
 *   <li>a key with a {@code kid} is used only for a token naming it;
 *   <li>{@code exp} and {@code sub} required, {@code nbf} honoured, with a small clock skew; {@code
 *       iss} and {@code aud} must match when configured;
 *   <li>at most {@value #MAX_TOKEN_CHARS} characters, refused before it is parsed.
 * </ul>
 *
 * <p>The claims are checked only once the signature is: a forged token is told "invalid", never
 * "expired". A refusal says only which of the two it was; why exactly is for tests, never for the
 * client or the log (an attacker learns nothing from it, and the token stays out of every log).
 *
 * <p>Immutable and thread-safe; time comes from the injected clock.
 */
public final class TokenVerifier {
  /** The longest token accepted: a handshake header or query string holds far less in practice. */
  public static final int MAX_TOKEN_CHARS = 8 * 1024;

  /** Why a token was refused; the only detail the client is told. */
  public enum Refusal {
    EXPIRED,
    INVALID
  }

  /** What checking a token found. */
  public sealed interface Result permits Verified, Refused {}

  public record Verified(Authorizer authorizer) implements Result {}

  /**
   * @param why for tests and debugging only: never sent to the client nor logged
   */
  public record Refused(Refusal refusal, String why) implements Result {}

  /**
   * How tokens are checked.
   *
   * @param keys the keys a token may be signed with; none: every token is refused
   * @param issuer the {@code iss} a token must carry, or null for any
   * @param audience a value the token's {@code aud} must contain, or null for any
   * @param clockSkew how far {@code exp} and {@code nbf} may be off
   * @param nameClaim the claim holding the user's display name (falls back to {@code sub})
   */
  public record Options(
      List<VerificationKey> keys,
      String issuer,
      String audience,
      Duration clockSkew,
      String nameClaim) {
    public Options {
      keys = List.copyOf(keys);
      Objects.requireNonNull(clockSkew, "clockSkew");
      Objects.requireNonNull(nameClaim, "nameClaim");
    }
  }

  private final Options options;
  private final JwksUrlKeys remote;
  private final DefaultJWTProcessor<SecurityContext> processor;

  /**
   * @param remote the keys of a JWKS URL besides those of the options, or null for none
   */
  TokenVerifier(Options options, JwksUrlKeys remote, Clock clock) {
    this.options = Objects.requireNonNull(options, "options");
    this.remote = remote;
    Objects.requireNonNull(clock, "clock");
    processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(
        (header, context) -> keysFor(header.getAlgorithm(), header.getKeyID()));
    Set<String> required = new HashSet<>(Set.of("exp", "sub"));
    if (options.issuer() != null) {
      required.add("iss");
    }
    JWTClaimsSet exact =
        options.issuer() == null
            ? new JWTClaimsSet.Builder().build()
            : new JWTClaimsSet.Builder().issuer(options.issuer()).build();
    DefaultJWTClaimsVerifier<SecurityContext> claims =
        new DefaultJWTClaimsVerifier<>(
            options.audience() == null ? null : Set.of(options.audience()), exact, required, null) {
          @Override
          protected Date currentTime() {
            return Date.from(clock.instant());
          }
        };
    claims.setMaxClockSkew((int) Math.min(Integer.MAX_VALUE, options.clockSkew().toSeconds()));
    processor.setJWTClaimsSetVerifier(claims);
  }

  /** A verifier with these options, on {@code clock}. */
  public static TokenVerifier create(Options options, Clock clock) {
    return new TokenVerifier(options, null, clock);
  }

  /**
   * The verifier a node with these settings uses: its keys from {@code tokenSecret} and {@code
   * tokenKeysFile} (read now: a bad file fails the start, naming the setting), and from {@code
   * tokenJwksUrl} (fetched now and when keys rotate, see {@link JwksUrlKeys}).
   */
  public static TokenVerifier fromSettings(GatewaySettings settings, Clock clock) {
    List<VerificationKey> keys = new ArrayList<>();
    if (settings.tokenSecret() != null) {
      keys.add(TokenKeys.secret(GatewaySettings.TOKEN_SECRET, settings.tokenSecret()));
    }
    if (settings.tokenKeysFile() != null) {
      keys.addAll(TokenKeys.readFile(GatewaySettings.TOKEN_KEYS_FILE, settings.tokenKeysFile()));
    }
    return new TokenVerifier(
        new Options(
            keys,
            settings.tokenIssuer(),
            settings.tokenAudience(),
            settings.tokenClockSkew(),
            settings.tokenNameClaim()),
        settings.tokenJwksUrl() == null
            ? null
            : JwksUrlKeys.start(
                GatewaySettings.TOKEN_JWKS_URL, URI.create(settings.tokenJwksUrl()), clock),
        clock);
  }

  /** Whether any key is configured: without one no token is ever valid. */
  public boolean hasKeys() {
    return !options.keys().isEmpty() || remote != null;
  }

  /**
   * The keys that may have signed a token with this header: the configured ones first, then those
   * of the JWKS URL. A key id none of them has may be a rotation: the URL is fetched again (in the
   * background, rate-limited) for the client's retry.
   */
  private List<Key> keysFor(JWSAlgorithm alg, String kid) {
    List<Key> keys = matching(options.keys(), alg, kid);
    if (remote == null || !keys.isEmpty()) {
      return keys;
    }
    List<Key> fetched = matching(remote.keys(null), alg, kid);
    if (fetched.isEmpty() && kid != null) {
      remote.keys(kid);
    }
    return fetched;
  }

  private static List<Key> matching(List<VerificationKey> keys, JWSAlgorithm alg, String kid) {
    return keys.stream().filter(k -> k.matches(alg, kid)).map(VerificationKey::key).toList();
  }

  /** Checks {@code token} (the compact JWS, without "Bearer "). */
  public Result verify(String token) {
    if (token == null || token.isEmpty()) {
      return new Refused(Refusal.INVALID, "empty");
    }
    if (token.length() > MAX_TOKEN_CHARS) {
      return new Refused(Refusal.INVALID, "longer than " + MAX_TOKEN_CHARS + " characters");
    }
    if (!hasKeys()) {
      return new Refused(Refusal.INVALID, "no token keys configured");
    }
    JWTClaimsSet claims;
    try {
      claims = processor.process(token, null);
    } catch (ExpiredJWTException e) {
      return new Refused(Refusal.EXPIRED, e.getMessage());
    } catch (ParseException | BadJOSEException | JOSEException | RuntimeException e) {
      // RuntimeException too: a token is the client's input, and a library's surprise on odd
      // input must be a refusal, not a failed handshake.
      return new Refused(Refusal.INVALID, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    return authorizer(claims);
  }

  private Result authorizer(JWTClaimsSet claims) {
    try {
      String sub = claims.getSubject();
      Object nameValue = claims.getClaim(options.nameClaim());
      if (nameValue != null && !(nameValue instanceof String)) {
        return new Refused(Refusal.INVALID, options.nameClaim() + " is not a string");
      }
      String name = nameValue != null ? (String) nameValue : sub;
      if (sub == null || sub.isBlank() || sub.length() > Limits.MAX_USERNAME_LENGTH * 4) {
        return new Refused(Refusal.INVALID, "sub missing or too long");
      }
      if (name.codePointCount(0, name.length()) > Limits.MAX_USERNAME_LENGTH
          || DisplayNames.problem("name", name).isPresent()) {
        return new Refused(Refusal.INVALID, "the name is not a valid username");
      }
      List<String> rooms =
          claims.getClaim("rooms") == null ? null : claims.getStringListClaim("rooms");
      Boolean createRooms = claims.getBooleanClaim("createRooms");
      long expiresAt = claims.getExpirationTime().toInstant().getEpochSecond();
      return new Verified(
          new Authorizer(Authorizer.TOKEN, sub, name, rooms, createRooms, expiresAt));
    } catch (ParseException e) {
      return new Refused(Refusal.INVALID, "a claim has the wrong type: " + e.getMessage());
    }
  }
}
