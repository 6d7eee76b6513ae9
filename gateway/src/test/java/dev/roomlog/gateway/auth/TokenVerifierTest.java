package dev.roomlog.gateway.auth;

import static dev.roomlog.gateway.auth.TestTokens.NOW;
import static dev.roomlog.gateway.auth.TestTokens.SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import dev.roomlog.protocol.action.Authorizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenVerifierTest {
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final KeyPair RSA = TestTokens.rsa();
  private static final KeyPair OTHER_RSA = TestTokens.rsa();
  private static final KeyPair EC = TestTokens.p256();

  @TempDir Path dir;

  private static TokenVerifier verifier(List<VerificationKey> keys, String iss, String aud) {
    return TokenVerifier.create(
        new TokenVerifier.Options(keys, iss, aud, Duration.ofSeconds(30), "name"), CLOCK);
  }

  private static TokenVerifier withSecret() {
    return verifier(List.of(TokenKeys.secret("tokenSecret", SECRET)), null, null);
  }

  private TokenVerifier withPemFile(KeyPair... pairs) throws Exception {
    StringBuilder pem = new StringBuilder();
    for (KeyPair pair : pairs) {
      pem.append(TestTokens.pem(pair.getPublic()));
    }
    Path file = Files.writeString(dir.resolve("keys.pem"), pem);
    return verifier(TokenKeys.readFile("tokenKeysFile", file), null, null);
  }

  private static Authorizer verified(TokenVerifier verifier, String token) {
    TokenVerifier.Result result = verifier.verify(token);
    return assertInstanceOf(TokenVerifier.Verified.class, result, result.toString()).authorizer();
  }

  private static void refused(
      TokenVerifier verifier, String token, TokenVerifier.Refusal expected) {
    TokenVerifier.Result result = verifier.verify(token);
    assertEquals(
        expected,
        assertInstanceOf(TokenVerifier.Refused.class, result).refusal(),
        result::toString);
  }

  @Test
  void acceptsHs256AndSaysWhoItNames() {
    String token =
        TestTokens.claims("a1", "Alice")
            .withArrayClaim("rooms", new String[] {"lobby", "team-*"})
            .withClaim("createRooms", false)
            .sign(Algorithm.HMAC256(SECRET));
    Authorizer who = verified(withSecret(), token);
    assertEquals(
        new Authorizer(
            "token", "a1", "Alice", List.of("lobby", "team-*"), false, NOW.getEpochSecond() + 3600),
        who);
  }

  @Test
  void acceptsRs256AndEs256FromAPemFile() throws Exception {
    TokenVerifier verifier = withPemFile(RSA, EC);
    assertEquals(
        "a1",
        verified(verifier, TestTokens.claims("a1", "A").sign(TestTokens.rs256(RSA))).principalId());
    assertEquals(
        "e1",
        verified(verifier, TestTokens.claims("e1", "E").sign(TestTokens.es256(EC))).principalId());
    // Signed by a key the file does not hold.
    refused(
        verifier,
        TestTokens.claims("a1", "A").sign(TestTokens.rs256(OTHER_RSA)),
        TokenVerifier.Refusal.INVALID);
  }

  @Test
  void theNameFallsBackToTheSubjectAndTheNameClaimIsConfigurable() {
    String token =
        JWT.create()
            .withSubject("bob")
            .withExpiresAt(NOW.plusSeconds(60))
            .withClaim("nick", "Bobby")
            .sign(Algorithm.HMAC256(SECRET));
    assertEquals("bob", verified(withSecret(), token).name());
    TokenVerifier nick =
        TokenVerifier.create(
            new TokenVerifier.Options(
                List.of(TokenKeys.secret("s", SECRET)), null, null, Duration.ZERO, "nick"),
            CLOCK);
    assertEquals("Bobby", verified(nick, token).name());
  }

  @Test
  void choosesAJwksKeyByKidAndRefusesAnUnknownKid() throws Exception {
    String jwks =
        new JWKSet(
                List.of(
                    new RSAKey.Builder((RSAPublicKey) RSA.getPublic()).keyID("k1").build(),
                    new RSAKey.Builder((RSAPublicKey) OTHER_RSA.getPublic()).keyID("k2").build()))
            .toString();
    Path file = Files.writeString(dir.resolve("jwks.json"), jwks);
    TokenVerifier verifier = verifier(TokenKeys.readFile("tokenKeysFile", file), null, null);
    verified(verifier, TestTokens.claims("a1", "A").withKeyId("k1").sign(TestTokens.rs256(RSA)));
    verified(
        verifier, TestTokens.claims("a1", "A").withKeyId("k2").sign(TestTokens.rs256(OTHER_RSA)));
    refused(
        verifier,
        TestTokens.claims("a1", "A").withKeyId("k3").sign(TestTokens.rs256(RSA)),
        TokenVerifier.Refusal.INVALID);
    // The right key under the other key's id.
    refused(
        verifier,
        TestTokens.claims("a1", "A").withKeyId("k2").sign(TestTokens.rs256(RSA)),
        TokenVerifier.Refusal.INVALID);
  }

  @Test
  void refusesAnExpiredTokenAsExpiredAndHonoursTheClockSkew() {
    TokenVerifier verifier = withSecret();
    refused(
        verifier,
        TestTokens.claims("a1", "A")
            .withExpiresAt(NOW.minusSeconds(31))
            .sign(Algorithm.HMAC256(SECRET)),
        TokenVerifier.Refusal.EXPIRED);
    verified(
        verifier,
        TestTokens.claims("a1", "A")
            .withExpiresAt(NOW.minusSeconds(29))
            .sign(Algorithm.HMAC256(SECRET)));
  }

  @Test
  void refusesATokenNotYetValid() {
    TokenVerifier verifier = withSecret();
    refused(
        verifier,
        TestTokens.claims("a1", "A")
            .withNotBefore(NOW.plusSeconds(31))
            .sign(Algorithm.HMAC256(SECRET)),
        TokenVerifier.Refusal.INVALID);
    verified(
        verifier,
        TestTokens.claims("a1", "A")
            .withNotBefore(NOW.plusSeconds(29))
            .sign(Algorithm.HMAC256(SECRET)));
  }

  @Test
  void requiresExpAndSub() {
    TokenVerifier verifier = withSecret();
    refused(
        verifier,
        JWT.create().withSubject("a1").sign(Algorithm.HMAC256(SECRET)),
        TokenVerifier.Refusal.INVALID);
    refused(
        verifier,
        JWT.create()
            .withExpiresAt(NOW.plusSeconds(60))
            .withClaim("name", "A")
            .sign(Algorithm.HMAC256(SECRET)),
        TokenVerifier.Refusal.INVALID);
  }

  @Test
  void checksTheIssuerAndAudienceWhenConfigured() {
    TokenVerifier verifier =
        verifier(List.of(TokenKeys.secret("s", SECRET)), "https://auth.example", "roomlog");
    verified(
        verifier,
        TestTokens.claims("a1", "A")
            .withIssuer("https://auth.example")
            .withAudience("other", "roomlog")
            .sign(Algorithm.HMAC256(SECRET)));
    refused(
        verifier,
        TestTokens.claims("a1", "A")
            .withIssuer("https://evil.example")
            .withAudience("roomlog")
            .sign(Algorithm.HMAC256(SECRET)),
        TokenVerifier.Refusal.INVALID);
    refused(
        verifier,
        TestTokens.claims("a1", "A")
            .withIssuer("https://auth.example")
            .withAudience("other")
            .sign(Algorithm.HMAC256(SECRET)),
        TokenVerifier.Refusal.INVALID);
    refused(
        verifier,
        TestTokens.claims("a1", "A").withAudience("roomlog").sign(Algorithm.HMAC256(SECRET)),
        TokenVerifier.Refusal.INVALID);
  }

  @Test
  void refusesAlgNone() {
    String unsigned = TestTokens.claims("a1", "A").sign(Algorithm.none());
    assertTrue(unsigned.endsWith("."), unsigned);
    refused(withSecret(), unsigned, TokenVerifier.Refusal.INVALID);
    // "none" with the header rewritten by hand, and with a signature left on.
    String hs = TestTokens.hs256("a1", "A");
    String[] parts = hs.split("\\.");
    String noneHeader = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
    refused(withSecret(), noneHeader + "." + parts[1] + ".", TokenVerifier.Refusal.INVALID);
    refused(
        withSecret(), noneHeader + "." + parts[1] + "." + parts[2], TokenVerifier.Refusal.INVALID);
  }

  @Test
  void refusesAnRsaPublicKeyUsedAsAnHmacSecret() throws Exception {
    TokenVerifier verifier = withPemFile(RSA);
    // The attacker knows the public key, and signs HS256 with its PEM text, or its DER bytes.
    String pem = TestTokens.pem(RSA.getPublic());
    refused(
        verifier,
        TestTokens.claims("a1", "A").sign(Algorithm.HMAC256(pem)),
        TokenVerifier.Refusal.INVALID);
    refused(
        verifier,
        TestTokens.claims("a1", "A").sign(Algorithm.HMAC256(RSA.getPublic().getEncoded())),
        TokenVerifier.Refusal.INVALID);
  }

  @Test
  void refusesATamperedPayload() {
    String[] parts = TestTokens.hs256("a1", "Alice").split("\\.");
    String forged =
        b64(
            new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("a1", "a2"));
    refused(withSecret(), parts[0] + "." + forged + "." + parts[2], TokenVerifier.Refusal.INVALID);
    // An expired token's payload pushed into the future: invalid, not expired.
    String[] old =
        TestTokens.claims("a1", "A")
            .withExpiresAt(NOW.minusSeconds(3600))
            .sign(Algorithm.HMAC256(SECRET))
            .split("\\.");
    String later =
        b64(
            new String(Base64.getUrlDecoder().decode(old[1]), StandardCharsets.UTF_8)
                .replace(
                    Long.toString(NOW.getEpochSecond() - 3600),
                    Long.toString(NOW.getEpochSecond() + 3600)));
    refused(withSecret(), old[0] + "." + later + "." + old[2], TokenVerifier.Refusal.INVALID);
  }

  @Test
  void refusesAnOversizedTokenEvenWhenSigned() {
    String big =
        TestTokens.claims("a1", "A")
            .withClaim("pad", "x".repeat(TokenVerifier.MAX_TOKEN_CHARS))
            .sign(Algorithm.HMAC256(SECRET));
    assertTrue(big.length() > TokenVerifier.MAX_TOKEN_CHARS);
    refused(withSecret(), big, TokenVerifier.Refusal.INVALID);
  }

  @Test
  void refusesBadClaimsAndGarbage() {
    TokenVerifier verifier = withSecret();
    refused(
        verifier,
        TestTokens.claims("a1", "A").withClaim("rooms", "lobby").sign(Algorithm.HMAC256(SECRET)),
        TokenVerifier.Refusal.INVALID);
    refused(
        verifier,
        TestTokens.claims("a1", "A")
            .withClaim("createRooms", "yes")
            .sign(Algorithm.HMAC256(SECRET)),
        TokenVerifier.Refusal.INVALID);
    refused(
        verifier,
        TestTokens.claims("a1", "bad\u202Ename").sign(Algorithm.HMAC256(SECRET)),
        TokenVerifier.Refusal.INVALID);
    for (String garbage : List.of("", "abc", "a.b.c", "....", "eyJ.eyJ.x")) {
      refused(verifier, garbage, TokenVerifier.Refusal.INVALID);
    }
  }

  @Test
  void withoutKeysNoTokenIsValid() {
    TokenVerifier none = verifier(List.of(), null, null);
    assertFalse(none.hasKeys());
    refused(none, TestTokens.hs256("a1", "A"), TokenVerifier.Refusal.INVALID);
  }

  @Test
  void refusesWeakOrWrongKeysWithTheSettingsName() throws Exception {
    IllegalArgumentException shortSecret =
        assertThrows(
            IllegalArgumentException.class, () -> TokenKeys.secret("tokenSecret", "short"));
    assertTrue(shortSecret.getMessage().startsWith("tokenSecret must be at least 32 bytes"));
    assertFalse(shortSecret.getMessage().contains("short"));
    Path junk = Files.writeString(dir.resolve("junk.pem"), "hello");
    assertTrue(
        assertThrows(
                IllegalArgumentException.class, () -> TokenKeys.readFile("tokenKeysFile", junk))
            .getMessage()
            .startsWith("tokenKeysFile: "));
    KeyPair small;
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
    g.initialize(1024);
    small = g.generateKeyPair();
    Path weak = Files.writeString(dir.resolve("weak.pem"), TestTokens.pem(small.getPublic()));
    assertThrows(IllegalArgumentException.class, () -> TokenKeys.readFile("tokenKeysFile", weak));
  }

  private static String b64(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
