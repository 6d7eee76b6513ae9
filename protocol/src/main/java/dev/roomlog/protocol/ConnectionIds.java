package dev.roomlog.protocol;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Connection ids name the gateway that holds the connection: {@code <gatewayId>.<unique>}, where
 * the unique part is base64url (no '.'). That is how the management API of any gateway finds the
 * one to ask about a connection ({@code /@connections/{id}}) without a directory. Pure.
 */
public final class ConnectionIds {
  /** What a gateway id may contain: URL- and log-safe, at most 64 characters. */
  public static final Pattern GATEWAY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private static final Pattern UNIQUE = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private ConnectionIds() {}

  /** The id of a new connection of {@code gatewayId}, whose own part is {@code unique}. */
  public static String of(String gatewayId, String unique) {
    if (!GATEWAY_ID.matcher(gatewayId).matches()) {
      throw new IllegalArgumentException(
          "gateway id '" + gatewayId + "' must be 1 to 64 letters, digits, '.', '_' or '-'");
    }
    if (!UNIQUE.matcher(unique).matches()) {
      throw new IllegalArgumentException("the unique part must be base64url, got '" + unique + "'");
    }
    return gatewayId + "." + unique;
  }

  /** The gateway that holds {@code connectionId}, or empty if it is not a connection id. */
  public static Optional<String> gatewayOf(String connectionId) {
    if (connectionId == null) {
      return Optional.empty();
    }
    int dot = connectionId.lastIndexOf('.');
    if (dot <= 0) {
      return Optional.empty();
    }
    String gatewayId = connectionId.substring(0, dot);
    String unique = connectionId.substring(dot + 1);
    if (!GATEWAY_ID.matcher(gatewayId).matches() || !UNIQUE.matcher(unique).matches()) {
      return Optional.empty();
    }
    return Optional.of(gatewayId);
  }
}
