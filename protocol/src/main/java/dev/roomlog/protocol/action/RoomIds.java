package dev.roomlog.protocol.action;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The id the gateway gives a room that a client creates without naming it. It is decided before the
 * action is written, so the log names every room it touches and a replay creates the same rooms.
 */
public final class RoomIds {
  public static final String DERIVED_PREFIX = "r-";
  private static final Pattern ROOM_ID = Pattern.compile(Limits.ROOM_ID_PATTERN);

  private RoomIds() {}

  /**
   * With a {@code clientMsgId}, the id depends only on the username and that id, so a retry of the
   * same createRoom (from any connection, through any gateway) names the same room and is answered
   * with the original result instead of creating a second room. Without one, it comes from the
   * gateway's unique request id.
   */
  public static String forCreate(Action.CreateRoom create, String gatewayRequestId) {
    if (create.clientMsgId() != null) {
      return DERIVED_PREFIX + hash(create.username() + '\u0000' + create.clientMsgId());
    }
    String candidate = DERIVED_PREFIX + gatewayRequestId;
    if (candidate.length() <= Limits.MAX_ROOM_ID_LENGTH && ROOM_ID.matcher(candidate).matches()) {
      return candidate;
    }
    return DERIVED_PREFIX + hash(gatewayRequestId);
  }

  /** 128 bits of SHA-256 in hex: room-id-legal and short. */
  private static String hash(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }
}
