package dev.roomlog.gateway.management;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.Limits;
import dev.roomlog.protocol.settings.Durations;
import dev.roomlog.protocol.text.WellFormed;
import java.time.Duration;

/**
 * Reads the body of {@code POST /rooms/{roomId}/kick}: {@code {"user": "...", "reason": "...",
 * "banFor": "1h"}}. {@code user} (required) is a token's subject or a username; {@code reason}
 * (optional) is shown to the members; {@code banFor} (optional) is a duration as settings write
 * them ({@code 30m}, {@code 1h}, {@code 7d}), at most 365 days. Pure.
 */
final class KickBody {
  /** The longest reason, in characters. */
  static final int MAX_REASON_LENGTH = 512;

  /** The longest user: a token's subject is at most this long. */
  static final int MAX_USER_LENGTH = 4 * Limits.MAX_USERNAME_LENGTH;

  /** Why a body was refused, for a 400 answer. */
  record Refused(String code, String message) {}

  private KickBody() {}

  /** The {@link Action.Moderate} to append (its requestId still null), or a {@link Refused}. */
  static Object parse(String roomId, String json) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(json);
    } catch (Exception e) {
      return new Refused("badJson", "the body must be one JSON object");
    }
    if (root == null || !root.isObject()) {
      return new Refused("badJson", "the body must be one JSON object");
    }
    if (WellFormed.firstIllFormed(root).isPresent()) {
      return new Refused("invalidField", "the body has a string with an unpaired surrogate");
    }
    if (!roomId.matches(Limits.ROOM_ID_PATTERN) || roomId.length() > Limits.MAX_ROOM_ID_LENGTH) {
      return new Refused("invalidField", "the path's roomId is not a room id");
    }
    JsonNode user = root.get("user");
    if (user == null || user.isNull()) {
      return new Refused("missingField", "user is required: a token's subject or a username");
    }
    if (!user.isTextual() || user.textValue().isBlank()) {
      return new Refused("invalidField", "user must be a non-empty string");
    }
    if (user.textValue().length() > MAX_USER_LENGTH) {
      return new Refused("fieldTooLong", "user is longer than " + MAX_USER_LENGTH + " characters");
    }
    String reason = null;
    JsonNode reasonNode = root.get("reason");
    if (reasonNode != null && !reasonNode.isNull()) {
      if (!reasonNode.isTextual()) {
        return new Refused("invalidField", "reason must be a string");
      }
      reason = reasonNode.textValue();
      if (reason.length() > MAX_REASON_LENGTH) {
        return new Refused(
            "fieldTooLong", "reason is longer than " + MAX_REASON_LENGTH + " characters");
      }
    }
    Long banForMs = null;
    JsonNode banFor = root.get("banFor");
    if (banFor != null && !banFor.isNull()) {
      String problem =
          "banFor must be a duration with a unit (s, m, h or d) from 1s to 365d, e.g. 1h";
      if (!banFor.isTextual()) {
        return new Refused("invalidField", problem);
      }
      Duration duration;
      try {
        duration = Durations.parse("banFor", banFor.textValue());
      } catch (IllegalArgumentException | ArithmeticException e) {
        return new Refused("invalidField", problem);
      }
      if (duration.compareTo(Duration.ofSeconds(1)) < 0
          || duration.toMillis() > Action.Moderate.MAX_BAN_MS) {
        return new Refused("invalidField", problem);
      }
      banForMs = duration.toMillis();
    }
    return new Action.Moderate(null, roomId, user.textValue(), reason, banForMs);
  }
}
