package dev.roomlog.protocol;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Does a management request carry the admin key? Accepted in {@code x-admin-key} or as {@code
 * Authorization: Bearer KEY}. Shared by the gateway's management port and the processor's query
 * port, so both refuse alike. Pure; compared in constant time.
 *
 * <p>A request that offers the key ambiguously is refused (400 {@code ambiguousAdminKey}) before
 * any key is compared: {@code x-admin-key} twice, {@code Authorization} twice, or both headers with
 * different keys. Reading only the first value would let a proxy in front that reads the last one
 * (or the other header) judge a different key from this node's; and whether either key was right is
 * not told. Both headers with the same key are one offer.
 */
public final class AdminKeyCheck {
  /** Why a request was refused, as an HTTP status, an error code and a message. */
  public record Refusal(int status, String code, String message) {}

  private final byte[] key;

  /**
   * @param key the configured admin key, or null when none is: then every request is refused
   */
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
    if (count(adminKeyHeaders) > 1 || count(authorizationHeaders) > 1) {
      return ambiguous("the admin key header was sent more than once");
    }
    String inAdminKey = count(adminKeyHeaders) == 1 ? adminKeyHeaders.get(0).strip() : null;
    String inBearer = count(authorizationHeaders) == 1 ? bearer(authorizationHeaders.get(0)) : null;
    if (inAdminKey != null && inBearer != null && !inAdminKey.equals(inBearer)) {
      return ambiguous("x-admin-key and Authorization: Bearer carry different keys");
    }
    String offered = inAdminKey != null ? inAdminKey : inBearer;
    if (offered == null) {
      return new Refusal(
          401,
          "unauthorized",
          "send the admin key in the x-admin-key header or as Authorization: Bearer KEY");
    }
    if (!MessageDigest.isEqual(key, offered.getBytes(StandardCharsets.UTF_8))) {
      return new Refusal(403, "forbidden", "wrong admin key");
    }
    return null;
  }

  private static Refusal ambiguous(String what) {
    return new Refusal(
        400,
        "ambiguousAdminKey",
        what
            + ": send the admin key once, in one x-admin-key header or one Authorization: Bearer"
            + " header");
  }

  private static int count(List<String> headers) {
    return headers == null ? 0 : headers.size();
  }

  /** The key of an {@code Authorization: Bearer KEY} value, or null for another scheme. */
  private static String bearer(String authorization) {
    String value = authorization.strip();
    return value.regionMatches(true, 0, "Bearer ", 0, 7) ? value.substring(7).strip() : null;
  }
}
