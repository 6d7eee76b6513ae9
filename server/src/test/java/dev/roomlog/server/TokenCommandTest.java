package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code roomlog token} prints one token alone on stdout, which a second, independent JWT library
 * (auth0 java-jwt, not the one we sign with) accepts with the secret the gateway is given.
 */
class TokenCommandTest {
  @TempDir Path dataDir;

  private record Run(int exit, String out, String err) {}

  private Run token(String... args) {
    CommandLine roomlog = RoomlogCommand.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    roomlog.setOut(new PrintWriter(out, true));
    roomlog.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of("token", "--data-dir", dataDir.toString()));
    all.addAll(List.of(args));
    int exit = roomlog.execute(all.toArray(String[]::new));
    return new Run(exit, out.toString(), err.toString());
  }

  private DecodedJWT verified(String token, String secret) {
    return JWT.require(Algorithm.HMAC256(secret.getBytes(StandardCharsets.UTF_8)))
        .build()
        .verify(token);
  }

  @Test
  void printsOnlyATokenSignedWithTheDevSecretItKeepsInTheDataDirectory() throws Exception {
    Run run = token("--sub", "u-1", "--name", "Alice", "--ttl", "2h");

    assertEquals(0, run.exit(), run.err());
    String[] lines = run.out().split("\n");
    assertEquals(1, lines.length, "one line on stdout: " + run.out());
    String secret =
        Files.readString(dataDir.resolve(DevSecrets.TOKEN_SECRET_FILE), StandardCharsets.UTF_8)
            .strip();
    DecodedJWT jwt = verified(lines[0].strip(), secret);
    assertEquals("HS256", jwt.getAlgorithm());
    assertEquals("u-1", jwt.getSubject());
    assertEquals("Alice", jwt.getClaim("name").asString());
    assertTrue(jwt.getClaim("createRooms").asBoolean());
    assertTrue(jwt.getClaim("rooms").isMissing(), "no rooms claim: any room");
    Duration lifetime = Duration.between(jwt.getIssuedAtAsInstant(), jwt.getExpiresAtAsInstant());
    assertEquals(Duration.ofHours(2), lifetime);
    assertTrue(jwt.getExpiresAtAsInstant().isAfter(Instant.now().plus(Duration.ofMinutes(110))));
  }

  @Test
  void theDevSecretIsMadeOnceSoTokensStayValidAcrossRuns() {
    String first = token("--sub", "u-1").out().strip();
    String second = token("--sub", "u-2").out().strip();
    String secret = secretInDataDir();
    assertEquals("u-1", verified(first, secret).getSubject());
    assertEquals("u-2", verified(second, secret).getSubject());
    assertEquals(43, secret.length(), "32 random bytes, base64url: the 256 bits HS256 needs");
  }

  @Test
  void roomsAndTheRightToCreateRoomsAreClaims() {
    Run run = token("--sub", "u-1", "--rooms", "general,team-*", "--no-create-rooms");
    DecodedJWT jwt = verified(run.out().strip(), secretInDataDir());
    assertEquals(List.of("general", "team-*"), jwt.getClaim("rooms").asList(String.class));
    assertFalse(jwt.getClaim("createRooms").asBoolean());
    assertEquals("u-1", jwt.getClaim("name").asString(), "the name defaults to the subject");
  }

  @Test
  void aGivenSecretSignsAndTheDevSecretIsNotMade() {
    String secret = "a-production-secret-of-at-least-32-bytes!";
    Run run = token("--sub", "u-1", "--token-secret", secret, "--issuer", "me", "--audience", "rl");
    DecodedJWT jwt = verified(run.out().strip(), secret);
    assertEquals("me", jwt.getIssuer());
    assertEquals(List.of("rl"), jwt.getAudience());
    assertFalse(Files.exists(dataDir.resolve(DevSecrets.TOKEN_SECRET_FILE)));
    assertThrows(
        SignatureVerificationException.class,
        () -> verified(run.out().strip(), secret.replace('!', '?')));
  }

  @Test
  void aSecretShorterThan32BytesIsRefused() {
    Run atLimit = token("--sub", "u-1", "--token-secret", "x".repeat(32));
    assertEquals(0, atLimit.exit(), atLimit.err());
    Run short1 = token("--sub", "u-1", "--token-secret", "x".repeat(31));
    assertEquals(2, short1.exit());
    assertTrue(short1.err().contains("at least 32 bytes"), short1.err());
    assertEquals("", short1.out());
  }

  @Test
  void aLifetimeIsMoreThanZeroAndAtMost30Days() {
    assertEquals(0, token("--sub", "u-1", "--ttl", "30d").exit());
    Run tooLong = token("--sub", "u-1", "--ttl", "31d");
    assertEquals(2, tooLong.exit());
    assertTrue(tooLong.err().contains("--ttl must be"), tooLong.err());
    assertEquals(2, token("--sub", "u-1", "--ttl", "0s").exit());
  }

  @Test
  void aSubjectIsRequired() {
    Run run = token("--name", "Alice");
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("--sub"), run.err());
    assertNull(emptyToNull(run.out()));
  }

  private static String emptyToNull(String s) {
    return s.isEmpty() ? null : s;
  }

  private String secretInDataDir() {
    try {
      return Files.readString(dataDir.resolve(DevSecrets.TOKEN_SECRET_FILE)).strip();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
