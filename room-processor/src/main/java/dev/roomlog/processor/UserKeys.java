package dev.roomlog.processor;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * A user (a token's subject, up to 256 characters, or a username) as a fixed-size key: what a room
 * stores per member and per ban, so that long subjects do not break the room's size bound ({@link
 * RoomLogic#MEMBER_BYTES_BOUND}). 128 bits of SHA-256, base64url: 22 characters. Pure.
 */
final class UserKeys {
  private UserKeys() {}

  static String of(String user) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(user.getBytes(StandardCharsets.UTF_8));
      byte[] head = new byte[16];
      System.arraycopy(digest, 0, head, 0, head.length);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(head);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
