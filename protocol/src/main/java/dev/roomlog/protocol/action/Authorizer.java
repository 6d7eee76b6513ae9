package dev.roomlog.protocol.action;

import java.util.List;

/**
 * Who the gateway admitted a connection as, stamped on every record of that connection like the
 * {@code requestContext.authorizer} of an AWS API Gateway event: the client cannot forge it, since
 * the gateway sets it from the API key or the signed token the handshake carried. Never holds the
 * key's secret or the token itself.
 *
 * @param type {@value #API_KEY} or {@value #TOKEN}
 * @param principalId an API key's name, or a token's {@code sub}
 * @param name a token's display name (its name claim), the username its actions are made under;
 *     null for an API key
 * @param rooms a token's {@code rooms} claim: exact room ids or prefixes ending in {@code *}; null
 *     when the token does not limit rooms (and for an API key)
 * @param createRooms a token's {@code createRooms} claim; null for an API key
 * @param expiresAt a token's {@code exp} in epoch seconds; null for an API key
 */
public record Authorizer(
    String type,
    String principalId,
    String name,
    List<String> rooms,
    Boolean createRooms,
    Long expiresAt) {
  public static final String API_KEY = "apiKey";
  public static final String TOKEN = "token";

  public Authorizer {
    if (!API_KEY.equals(type) && !TOKEN.equals(type)) {
      throw new IllegalArgumentException(
          "authorizer type must be '" + API_KEY + "' or '" + TOKEN + "', was '" + type + "'");
    }
    Fields.require("principalId", principalId);
    if (TOKEN.equals(type)) {
      Fields.require("name", name);
    }
    rooms = rooms == null ? null : List.copyOf(rooms);
  }

  /** A connection admitted with the API key named {@code keyName}. */
  public static Authorizer apiKey(String keyName) {
    return new Authorizer(API_KEY, keyName, null, null, null, null);
  }

  public boolean tokenBased() {
    return TOKEN.equals(type);
  }

  /**
   * Whether this authorizer may act in room {@code roomId}: an API key always, a token when it does
   * not limit rooms or one of its grants is the id or a prefix ({@code abc*}) of it.
   */
  public boolean grantsRoom(String roomId) {
    return rooms == null || grantsRoomByName(roomId);
  }

  /**
   * Whether a token's {@code rooms} claim names {@code roomId}, exactly or by a prefix: what lets a
   * user into a private room without an invite. A token without the claim, and an API key, grant no
   * room by name.
   */
  public boolean grantsRoomByName(String roomId) {
    if (rooms == null) {
      return false;
    }
    for (String grant : rooms) {
      boolean prefix = grant.endsWith("*");
      if (prefix
          ? roomId.startsWith(grant.substring(0, grant.length() - 1))
          : roomId.equals(grant)) {
        return true;
      }
    }
    return false;
  }

  /** Whether this authorizer may create rooms: an API key always, a token unless it says no. */
  public boolean mayCreateRooms() {
    return !Boolean.FALSE.equals(createRooms);
  }

  @Override
  public String toString() {
    return type + ":" + principalId;
  }
}
