package dev.roomlog.processor.query;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Does a request carry the admin key? Accepted in {@code x-admin-key} or as {@code
 * Authorization: Bearer KEY}. Pure; compared in constant time.
 */
final class AdminKeyCheck {
  private final byte[] key;

  /** @param key the configured admin key, or null when none is: then every request is refused */
  AdminKeyCheck(String key) {
    this.key = key == null || key.isBlank() ? null : key.strip().getBytes(StandardCharsets.UTF_8);
  }

  /** Null when allowed; else the refusal. */
  QueryRequest.Invalid refusal(List<String> adminKeyHeaders, List<String> authorizationHeaders) {
    if (key == null) {
      return new QueryRequest.Invalid(
          403, "adminApiDisabled", "this processor has no admin key: set --admin-key (ROOMLOG_ADMIN_KEY) to query rooms");
    }
    String offered = offered(adminKeyHeaders, authorizationHeaders);
    if (offered == null) {
      return new QueryRequest.Invalid(
          401, "unauthorized", "send the admin key in the x-admin-key header or as Authorization: Bearer KEY");
    }
    if (!MessageDigest.isEqual(key, offered.getBytes(StandardCharsets.UTF_8))) {
      return new QueryRequest.Invalid(403, "forbidden", "wrong admin key");
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
