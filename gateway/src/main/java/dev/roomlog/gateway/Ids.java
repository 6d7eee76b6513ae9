package dev.roomlog.gateway;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Connection ids and gateway request ids: 12 random bytes, base64url without padding (16
 * characters). Unguessable, because a connectionId addresses deliveries. Thread-safe.
 */
public final class Ids {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private Ids() {}

  public static String newId() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return ENCODER.encodeToString(bytes);
  }
}
