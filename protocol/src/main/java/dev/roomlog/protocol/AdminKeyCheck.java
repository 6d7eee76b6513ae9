package dev.roomlog.protocol;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Does a management request carry the admin key? Accepted in {@code x-admin-key} or as {@code
 * Authorization: Bearer KEY}. Shared by the gateway's management port and the processor's query
 * port, so both refuse alike. Pure; compared in constant time.
 */
public final class AdminKeyCheck {
  /** Why a request was refused, as an HTTP status, an error code and a message. */
  public record Refusal(int status, String code, String message) {}

  private final byte[] key;

  /** @param key the configured admin key, or null when none is: then every request is refused */
  public AdminKeyCheck(String key) {
    this.key = key == null || key.isBlank() ? null : key.strip().getBytes(StandardCharsets.UTF_8);
  }

  /** Null when allowed; else the refusal. Either list may be null (header absent). */
  public Refusal refusal(List<String> adminKeyHeaders, List<String> authorizationHeaders) {
    if (key == null) {
      return new Refusal(
          403,
          "adminApiDisabled",
          "this node has no admin key: set --admin-key (ROOMLOG_ADMIN_KEY) to use the management API");
    }
    String offered = offered(adminKeyHeaders, authorizationHeaders);
    if (offered == null) {
      return new Refusal(
          401, "unauthorized", "send the admin key in the x-admin-key header or as Authorization: Bearer KEY");
    }
    if (!MessageDigest.isEqual(key, offered.getBytes(StandardCharsets.UTF_8))) {
      return new Refusal(403, "forbidden", "wrong admin key");
    }
    return null;
  }

  private static String offered(List<String> adminKeyHeaders, List<String> authorizationHeaders) {
    if (adminKeyHeaders != null && !adminKeyHeaders.isEmpty()) {
      return adminKeyHeaders.get(0).strip();
    }
    if (authorizationHeaders != null && !authorizationHeaders.isEmpty()) {
      String value = authorizationHeaders.get(0).strip();
      if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return value.substring(7).strip();
      }
    }
    return null;
  }
}
