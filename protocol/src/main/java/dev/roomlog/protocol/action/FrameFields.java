package dev.roomlog.protocol.action;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.frame.ErrorCode;
import dev.roomlog.protocol.frame.ServerFrame.ErrorFrame;
import dev.roomlog.protocol.text.DisplayNames;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The field readers of {@link ActionParser}: each reads one field of a parsed frame under its rule
 * and limit, or throws {@link Invalid} with the error that answers the frame. Pure.
 */
final class FrameFields {
  private static final Pattern ROOM_ID = Pattern.compile(Limits.ROOM_ID_PATTERN);

  private FrameFields() {}

  static String text(JsonNode root, String requestId) {
    String text = requiredString(root, "text", Limits.MAX_TEXT_LENGTH, requestId);
    // Line breaks and tabs belong in chat; other control characters do not, and each would
    // be stored as a six-byte JSON escape, swelling the room's state.
    if (text.codePoints()
        .anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t')) {
      throw new Invalid(
          ErrorCode.INVALID_FIELD,
          "text must not contain control characters other than line breaks and tabs",
          requestId);
    }
    return text;
  }

  static String roomId(JsonNode root, String requestId) {
    String roomId = requiredString(root, "roomId", Limits.MAX_ROOM_ID_LENGTH, requestId);
    checkRoomId(roomId, requestId);
    return roomId;
  }

  static void checkRoomId(String roomId, String requestId) {
    if (!ROOM_ID.matcher(roomId).matches()) {
      throw new Invalid(
          ErrorCode.INVALID_FIELD,
          "roomId may contain only letters, digits, '.', '_' and '-'",
          requestId);
    }
  }

  static String clientMsgId(JsonNode root, String requestId) {
    return optionalString(root, "clientMsgId", Limits.MAX_CLIENT_MSG_ID_LENGTH, requestId);
  }

  /** A seq: a whole JSON number from 0 up to 2^63-1; null when absent or JSON null. */
  static Long optionalSeq(JsonNode root, String field, String requestId) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
      throw new Invalid(
          ErrorCode.INVALID_FIELD,
          field + " must be a whole number from 0 to " + Long.MAX_VALUE,
          requestId);
    }
    return node.longValue();
  }

  /** A whole JSON number from {@code min} to {@code max}; null when absent or JSON null. */
  static Integer optionalInt(JsonNode root, String field, int min, int max, String requestId) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isIntegralNumber()
        || !node.canConvertToInt()
        || node.intValue() < min
        || node.intValue() > max) {
      throw new Invalid(
          ErrorCode.INVALID_FIELD,
          field + " must be a whole number from " + min + " to " + max,
          requestId);
    }
    return node.intValue();
  }

  /** A JSON true or false; null when absent or JSON null. */
  static Boolean optionalBoolean(JsonNode root, String field, String requestId) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isBoolean()) {
      throw new Invalid(ErrorCode.INVALID_FIELD, field + " must be true or false", requestId);
    }
    return node.booleanValue();
  }

  static String username(JsonNode root, String requestId, String ownUsername) {
    return ownUsername != null && !root.has("username") ? ownUsername : username(root, requestId);
  }

  static String username(JsonNode root, String requestId) {
    String username = requiredString(root, "username", Limits.MAX_USERNAME_LENGTH, requestId);
    Optional<String> problem = DisplayNames.problem("username", username);
    if (problem.isPresent()) {
      throw new Invalid(ErrorCode.INVALID_FIELD, problem.get(), requestId);
    }
    return username;
  }

  static String requiredString(JsonNode root, String field, int maxLength, String requestId) {
    String value = optionalString(root, field, maxLength, requestId);
    if (value == null) {
      throw new Invalid(ErrorCode.MISSING_FIELD, field + " is required", requestId);
    }
    return value;
  }

  /** The field's string value, null when absent or JSON null. */
  static String optionalString(JsonNode root, String field, int maxLength, String requestId) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw new Invalid(ErrorCode.INVALID_FIELD, field + " must be a string", requestId);
    }
    String value = node.textValue();
    if (value.isEmpty()) {
      throw new Invalid(ErrorCode.INVALID_FIELD, field + " must not be empty", requestId);
    }
    if (value.codePointCount(0, value.length()) > maxLength) {
      throw new Invalid(
          ErrorCode.FIELD_TOO_LONG,
          field + " is longer than " + maxLength + " characters",
          requestId);
    }
    return value;
  }

  /** The first 40 characters; never splits a surrogate pair, so the result stays well-formed. */
  static String truncate(String s) {
    if (s.codePointCount(0, s.length()) <= 40) {
      return s;
    }
    return s.substring(0, s.offsetByCodePoints(0, 40)) + "...";
  }

  /** Unwinds the field readers to {@link ActionParser}'s entry points; never escapes them. */
  static final class Invalid extends RuntimeException {
    final transient ErrorFrame error;

    Invalid(ErrorCode code, String message, String requestId) {
      super(message, null, false, false);
      this.error = code.frame(message, requestId);
    }
  }
}
