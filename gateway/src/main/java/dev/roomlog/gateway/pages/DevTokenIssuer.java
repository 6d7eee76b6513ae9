package dev.roomlog.gateway.pages;

import dev.roomlog.gateway.auth.UserTokens;
import dev.roomlog.protocol.action.Limits;
import dev.roomlog.protocol.text.DisplayNames;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Hands out a user token for any name, signed with the gateway's own {@code tokenSecret}: what lets
 * the chat page of {@code roomlog dev} ask "your name?" without an application backend. For
 * development only ({@code pages=dev}): whoever reaches the port can speak as anyone. The user's
 * {@code sub} is {@code dev:<name>}, so the same name is the same user on every connection.
 */
public final class DevTokenIssuer {
  /** How long a dev token lives; the page asks for a new one before each connection. */
  static final Duration TTL = Duration.ofHours(1);

  private final String secret;
  private final Clock clock;

  public DevTokenIssuer(String secret, Clock clock) {
    this.secret = secret;
    this.clock = clock;
  }

  /** The outcome: a token, or why the name cannot have one. */
  public sealed interface Issued {
    record Token(String token) implements Issued {}

    record Refused(String message) implements Issued {}
  }

  public Issued issue(String nameOrNull) {
    if (nameOrNull == null || nameOrNull.isEmpty()) {
      return new Issued.Refused("name is required: /chat/dev-token?name=Alice");
    }
    if (nameOrNull.codePointCount(0, nameOrNull.length()) > Limits.MAX_USERNAME_LENGTH) {
      return new Issued.Refused(
          "name is longer than " + Limits.MAX_USERNAME_LENGTH + " characters (a username's limit)");
    }
    Optional<String> problem = DisplayNames.problem("name", nameOrNull);
    if (problem.isPresent()) {
      return new Issued.Refused(problem.get());
    }
    return new Issued.Token(
        new UserTokens("dev:" + nameOrNull, nameOrNull, null, true, TTL, null, null)
            .sign(secret, clock));
  }
}
