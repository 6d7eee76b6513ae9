package dev.roomlog.gateway.auth;

import dev.roomlog.gateway.settings.ApiKey;
import dev.roomlog.protocol.action.Authorizer;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Decides who a handshake speaks for: an API key ({@code x-api-key}), a signed user token ({@link
 * TokenSources}), or nobody (401). The deployment's {@code auth} setting says which are accepted:
 * {@code key}, {@code token} or {@code either}. Under {@code either} a request that carries a token
 * is judged by its token (a bad token is refused, not retried as a key): the client meant it.
 *
 * <p>A refused token is answered 401 with {@code WWW-Authenticate: Bearer error="invalid_token"}
 * (RFC 6750 3.1) and says only whether it expired or is invalid; the token is in no answer, reason
 * or log line. Plain Java, thread-safe.
 */
public final class HandshakeAuth {
  public static final String API_KEY_HEADER = "x-api-key";
  public static final String UNAUTHORIZED_BODY = "missing or wrong x-api-key header\n";
  static final String TOKEN_REQUIRED_BODY =
      "a user token is required: send Authorization: Bearer <token>, ?token=<token>, or the"
          + " subprotocols roomlog.v1 and roomlog.token.<token>\n";
  static final String INVALID_TOKEN_BODY = "invalid token\n";
  static final String EXPIRED_TOKEN_BODY = "expired token: get a new one\n";
  static final String TOKEN_PROTOCOL_BODY =
      "a token offered as a subprotocol (roomlog.token.<token>) must come with the protocol"
          + " the server answers with: offer roomlog.v1 too\n";

  /** What a handshake must carry. */
  public enum Mode {
    KEY,
    TOKEN,
    EITHER;

    public static Mode of(String setting) {
      return valueOf(setting.toUpperCase(Locale.ROOT));
    }
  }

  /** What the handshake speaks for. */
  public sealed interface Outcome permits Admitted, Refused {}

  /**
   * @param apiKey the key presented, or null for a token
   */
  public record Admitted(Authorizer authorizer, ApiKey apiKey) implements Outcome {}

  /**
   * @param status 401, or 400 for a token offered as the only subprotocol
   * @param code the refusal metric's label (bounded); {@link #challenge} of it is the answer's
   *     {@code WWW-Authenticate}
   */
  public record Refused(int status, String code, String body, String reason) implements Outcome {}

  /**
   * The {@code WWW-Authenticate} header of a refusal with this code, or null for none: a refused or
   * missing token is a bearer token challenge (RFC 6750 3); an API key's 401 stays as it was.
   */
  public static String challenge(String code) {
    return switch (code) {
      case "tokenInvalid" -> "Bearer error=\"invalid_token\"";
      case "tokenExpired" -> "Bearer error=\"invalid_token\", error_description=\"expired\"";
      case "tokenMissing" -> "Bearer";
      default -> null;
    };
  }

  private final Mode mode;
  private final Function<String, Optional<ApiKey>> apiKeys;
  private final TokenVerifier tokens;

  /**
   * @param apiKeys the configured client key with a presented secret, if any (constant time)
   */
  public HandshakeAuth(
      Mode mode, Function<String, Optional<ApiKey>> apiKeys, TokenVerifier tokens) {
    this.mode = Objects.requireNonNull(mode, "mode");
    this.apiKeys = Objects.requireNonNull(apiKeys, "apiKeys");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
  }

  /**
   * @param header a request header's values by lower-case name
   */
  public Outcome decide(String uri, Function<String, List<String>> header) {
    List<String> protocols = header.apply("sec-websocket-protocol");
    if (TokenSources.offersTokenProtocol(protocols)
        && !TokenSources.offers(protocols).contains(TokenSources.PROTOCOL)) {
      return new Refused(
          400, "tokenProtocol", TOKEN_PROTOCOL_BODY, "token subprotocol without roomlog.v1");
    }
    List<String> presented = TokenSources.tokens(uri, header.apply("authorization"), protocols);
    if (mode != Mode.KEY && !presented.isEmpty()) {
      if (presented.size() > 1) {
        return invalid("more than one token");
      }
      TokenVerifier.Result result = tokens.verify(presented.get(0));
      if (result instanceof TokenVerifier.Refused refused) {
        return refused.refusal() == TokenVerifier.Refusal.EXPIRED
            ? new Refused(401, "tokenExpired", EXPIRED_TOKEN_BODY, "expired token")
            : invalid("invalid token");
      }
      return new Admitted(((TokenVerifier.Verified) result).authorizer(), null);
    }
    if (mode == Mode.TOKEN) {
      return new Refused(401, "tokenMissing", TOKEN_REQUIRED_BODY, "no token");
    }
    List<String> keys = header.apply(API_KEY_HEADER);
    Optional<ApiKey> key = keys.size() == 1 ? apiKeys.apply(keys.get(0)) : Optional.empty();
    if (key.isEmpty()) {
      return new Refused(401, "apiKey", UNAUTHORIZED_BODY, "missing or wrong x-api-key");
    }
    return new Admitted(Authorizer.apiKey(key.get().name()), key.get());
  }

  private static Refused invalid(String reason) {
    return new Refused(401, "tokenInvalid", INVALID_TOKEN_BODY, reason);
  }
}
