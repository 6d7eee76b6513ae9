package dev.roomlog.gateway.auth;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a handshake may carry a user token, and how the request is cleaned of it before anything
 * else sees the request: an {@code Authorization: Bearer} header, a {@code token} query parameter
 * on the upgrade path (all a browser's WebSocket API can send besides subprotocols), or a {@code
 * Sec-WebSocket-Protocol} offer {@code roomlog.token.<jwt>} next to the protocol the client speaks
 * ({@value #PROTOCOL}), which the server then chooses (RFC 6455 4.2.2: the answer names one offered
 * protocol, so it must never be the token's).
 *
 * <p>Plain string functions over the request line and header values.
 */
public final class TokenSources {
  /** The subprotocol the server answers with when the client offers it. */
  public static final String PROTOCOL = "roomlog.v1";

  /** The prefix of a subprotocol offer that carries a token. */
  public static final String TOKEN_PROTOCOL_PREFIX = "roomlog.token.";

  static final String QUERY_PARAMETER = "token";

  private TokenSources() {}

  /**
   * Every token the request carries, from all three places (normally one; more than one is refused
   * by the caller, since it cannot tell which was meant).
   */
  static List<String> tokens(String uri, List<String> authorization, List<String> protocols) {
    List<String> found = new ArrayList<>();
    for (String value : authorization) {
      String v = value.strip();
      if (v.regionMatches(true, 0, "Bearer ", 0, 7)) {
        found.add(v.substring(7).strip());
      }
    }
    int q = uri.indexOf('?');
    if (q >= 0) {
      for (String pair : uri.substring(q + 1).split("&", -1)) {
        int eq = pair.indexOf('=');
        String name = eq < 0 ? pair : pair.substring(0, eq);
        if (QUERY_PARAMETER.equals(name)) {
          found.add(decode(eq < 0 ? "" : pair.substring(eq + 1)));
        }
      }
    }
    for (String offer : offers(protocols)) {
      if (offer.startsWith(TOKEN_PROTOCOL_PREFIX)) {
        found.add(offer.substring(TOKEN_PROTOCOL_PREFIX.length()));
      }
    }
    return found;
  }

  /** Whether the request offers a token as a subprotocol. */
  static boolean offersTokenProtocol(List<String> protocols) {
    return offers(protocols).stream().anyMatch(o -> o.startsWith(TOKEN_PROTOCOL_PREFIX));
  }

  /** The subprotocols offered, in order, trimmed. */
  static List<String> offers(List<String> protocols) {
    List<String> offers = new ArrayList<>();
    for (String header : protocols) {
      for (String offer : header.split(",")) {
        if (!offer.isBlank()) {
          offers.add(offer.strip());
        }
      }
    }
    return offers;
  }

  /** The URI without its {@code token} parameters (the rest of the query kept as sent). */
  public static String withoutToken(String uri) {
    int q = uri.indexOf('?');
    if (q < 0) {
      return uri;
    }
    List<String> kept = new ArrayList<>();
    for (String pair : uri.substring(q + 1).split("&", -1)) {
      int eq = pair.indexOf('=');
      if (!QUERY_PARAMETER.equals(eq < 0 ? pair : pair.substring(0, eq))) {
        kept.add(pair);
      }
    }
    String path = uri.substring(0, q);
    return kept.isEmpty() ? path : path + "?" + String.join("&", kept);
  }

  /**
   * The Sec-WebSocket-Protocol offers without the token's, joined into one header value; null when
   * nothing is left.
   */
  public static String protocolsWithoutToken(List<String> protocols) {
    List<String> kept =
        offers(protocols).stream().filter(o -> !o.startsWith(TOKEN_PROTOCOL_PREFIX)).toList();
    return kept.isEmpty() ? null : String.join(", ", kept);
  }

  /** Whether an Authorization header value is a bearer token (a header to strip). */
  public static boolean isBearer(String authorization) {
    return authorization.strip().toLowerCase(Locale.ROOT).startsWith("bearer ");
  }

  private static String decode(String value) {
    try {
      return URLDecoder.decode(value, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return value; // a malformed escape: left as is, and refused as a token
    }
  }
}
