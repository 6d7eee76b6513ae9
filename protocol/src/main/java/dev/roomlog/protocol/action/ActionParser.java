package dev.roomlog.protocol.action;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.frame.ErrorCode;
import dev.roomlog.protocol.frame.ServerFrame.ErrorFrame;
import dev.roomlog.protocol.integration.Routes;
import dev.roomlog.protocol.text.WellFormed;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a client's text frame into an {@link Action}, or into the error that answers it. Pure: no
 * I/O, no clock, safe to call from any thread.
 *
 * <p>Policy: a frame is exactly one JSON object (nothing after it) whose strings are all
 * well-formed Unicode (I-JSON: no unpaired surrogate escapes, which the processor could not write
 * back out); anything else is 400 badJson. Unknown fields are ignored, and so is a client-supplied
 * {@code connectionId} (the gateway's context is the only source of identity). A client can never
 * send {@code $connect} or {@code $disconnect}. Every rejection carries the client's {@code
 * requestId} when it was readable, so the client can match it.
 *
 * <p>A {@code refresh} is no {@link Action}: it is parsed into {@link Result.Refresh}, which the
 * gateway answers itself, so that its token has no way into the log.
 */
public final class ActionParser {
  private static final String CLIENT_ACTIONS =
      String.join(
          ", ",
          ActionNames.CREATE_ROOM,
          ActionNames.JOIN_ROOM,
          ActionNames.SEND_MESSAGE,
          ActionNames.LEAVE_ROOM,
          ActionNames.RESUME,
          ActionNames.MEMBERS,
          ActionNames.INVITE,
          ActionNames.REFRESH);

  /** The fields that hold a seq ({@code after}: a members page's cursor, a join seq). */
  private static final Set<String> SEQ_FIELDS = Set.of("afterSeq", "after");

  private ActionParser() {}

  /** The outcome of parsing one frame. */
  public sealed interface Result {
    record Accepted(Action action) implements Result {}

    record Rejected(ErrorFrame error) implements Result {}

    /**
     * A {@code refresh}: a token connection's new token, to be checked and answered by the gateway.
     * Not an {@link Action}, so it cannot become a log record; its {@link #toString} leaves the
     * token out, so that it cannot reach a log line either.
     */
    record Refresh(String requestId, String token) implements Result {
      public Refresh {
        // An empty token is the verifier's to refuse (401), like any other bad one.
        Objects.requireNonNull(token, "token");
      }

      @Override
      public String toString() {
        return "Refresh[requestId=" + requestId + ", token=(" + token.length() + " chars)]";
      }
    }
  }

  public static Result parse(String text) {
    return parse(text, null);
  }

  /**
   * As {@link #parse(String)}, for a connection whose username is fixed (a user token's name): an
   * action that needs a username and names none gets {@code ownUsername}. One that names another is
   * parsed as written; refusing it is the gateway's (403 usernameNotYours).
   */
  public static Result parse(String text, String ownUsername) {
    return parse(text, ownUsername, Routes.NONE);
  }

  /**
   * As {@link #parse(String, String)}, with route integrations: an action that is none of Roomlog's
   * own and has a route in {@code routes} (its name's, or {@code $default}) is accepted as an
   * {@link Action.Routed} carrying the frame as sent; it must still be one well-formed JSON object
   * with a string {@code action} (and a valid {@code requestId} if it has one).
   */
  public static Result parse(String text, String ownUsername, Routes routes) {
    try {
      JsonNode root = readObject(text, "frame");
      if (ActionNames.REFRESH.equals(root.path("action").textValue())) {
        return refresh(root);
      }
      Optional<Action> routed = routed(root, text, routes);
      return new Result.Accepted(routed.isPresent() ? routed.get() : read(root, ownUsername));
    } catch (FrameFields.Invalid e) {
      return new Result.Rejected(e.error);
    }
  }

  /**
   * The top-level {@code requestId} of a frame, or null if it has none that {@link #parse} would
   * accept; for answering a message refused before it is parsed (a rate-limited one) with the id
   * the client can match. It reads tokens only up to that field and builds no tree; its cost is
   * bounded by the flood tolerance anyway.
   */
  public static String peekRequestId(String text) {
    try (JsonParser parser = Json.MAPPER.createParser(text)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if ("requestId".equals(field)) {
          if (value != JsonToken.VALUE_STRING) {
            return null;
          }
          String requestId = parser.getText();
          // An unpaired surrogate could not be written back to the client as UTF-8.
          boolean valid =
              !requestId.isEmpty()
                  && requestId.codePointCount(0, requestId.length()) <= Limits.MAX_REQUEST_ID_LENGTH
                  && WellFormed.isWellFormed(requestId);
          return valid ? requestId : null;
        }
        parser.skipChildren();
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Reads one JSON object and nothing after it, every string in it well-formed Unicode. {@code
   * what} names the document in messages ("frame", "body").
   */
  private static JsonNode readObject(String text, String what) {
    JsonNode root;
    try (JsonParser parser = Json.MAPPER.createParser(text)) {
      try {
        root = Json.LENIENT_TREE_READER.readTree(parser);
        // A second value, or garbage, after the object would otherwise be ignored while the
        // first was applied and logged: the client meant something else, so nothing is taken.
        if (root != null && parser.nextToken() != null) {
          throw new FrameFields.Invalid(
              ErrorCode.BAD_JSON,
              "the " + what + " has data after its JSON object: send exactly one object",
              null);
        }
      } catch (StreamConstraintsException e) {
        // Jackson refuses numbers of more than 1000 digits (and deeper nesting than ours)
        // before any field is read; a number that long is a field out of range, not bad JSON.
        String field = parser.currentName();
        if (field != null && e.getMessage() != null && e.getMessage().contains("Number")) {
          throw new FrameFields.Invalid(ErrorCode.INVALID_FIELD, outOfRange(field), null);
        }
        throw new FrameFields.Invalid(
            ErrorCode.BAD_JSON, "the " + what + " is too deeply nested or too large", null);
      }
    } catch (IOException e) {
      throw new FrameFields.Invalid(
          ErrorCode.BAD_JSON, "the " + what + " is not valid JSON: expected one JSON object", null);
    }
    if (root == null || !root.isObject()) {
      throw new FrameFields.Invalid(
          ErrorCode.BAD_JSON, "the " + what + " must be a JSON object", null);
    }
    Optional<String> illFormed = WellFormed.firstIllFormed(root);
    if (illFormed.isPresent()) {
      // Not answered with the requestId: it may be the ill-formed string.
      throw new FrameFields.Invalid(
          ErrorCode.BAD_JSON,
          "the "
              + what
              + " has a string with an unpaired surrogate escape (at "
              + FrameFields.truncate(illFormed.get())
              + "): strings must be well-formed Unicode (I-JSON, RFC 7493)",
          null);
    }
    return root;
  }

  private static String outOfRange(String field) {
    if (SEQ_FIELDS.contains(field)) {
      return field + " must be a whole number from 0 to " + Long.MAX_VALUE;
    }
    // Any other field is the client's own: quoted only if it can be written back to it.
    return WellFormed.isWellFormed(field)
        ? "'" + FrameFields.truncate(field) + "' is a number too long to read"
        : "a number in the frame is too long to read";
  }

  /** The sender name of a server post whose body names none. */
  public static final String DEFAULT_SERVER_USERNAME = "server";

  /**
   * Reads the body of {@code POST /rooms/{roomId}/messages}: a JSON object with {@code text}
   * (required), {@code username} (the sender name members see; "server" when absent) and {@code
   * clientMsgId} (optional, for idempotent retries), under the same limits as a client's
   * sendMessage. Errors carry no requestId: the HTTP answer is the correlation.
   */
  public static Result parsePost(String roomId, String body) {
    try {
      JsonNode root = readObject(body, "body");
      FrameFields.checkRoomId(roomId, null);
      if (roomId.codePointCount(0, roomId.length()) > Limits.MAX_ROOM_ID_LENGTH) {
        throw new FrameFields.Invalid(
            ErrorCode.FIELD_TOO_LONG,
            "roomId is longer than " + Limits.MAX_ROOM_ID_LENGTH + " characters",
            null);
      }
      String username =
          root.hasNonNull("username") ? FrameFields.username(root, null) : DEFAULT_SERVER_USERNAME;
      return new Result.Accepted(
          new Action.PostMessage(
              null,
              roomId,
              FrameFields.text(root, null),
              username,
              FrameFields.clientMsgId(root, null)));
    } catch (FrameFields.Invalid e) {
      return new Result.Rejected(e.error);
    }
  }

  /** The message of a {@code refresh} without a token (a string). */
  public static final String REFRESH_WITHOUT_TOKEN = "refresh needs a token (a string)";

  /**
   * Reads a {@code refresh}. The token is only required to be a string here: its length and form
   * are the verifier's to judge (401), so that every bad token is answered alike.
   */
  private static Result.Refresh refresh(JsonNode root) {
    String requestId =
        FrameFields.optionalString(root, "requestId", Limits.MAX_REQUEST_ID_LENGTH, null);
    JsonNode token = root.get("token");
    if (token == null || !token.isTextual()) {
      throw new FrameFields.Invalid(ErrorCode.MISSING_FIELD, REFRESH_WITHOUT_TOKEN, requestId);
    }
    return new Result.Refresh(requestId, token.textValue());
  }

  private static Optional<Action> routed(JsonNode root, String text, Routes routes) {
    if (routes.isEmpty() || !root.path("action").isTextual()) {
      return Optional.empty();
    }
    String requestId =
        FrameFields.optionalString(root, "requestId", Limits.MAX_REQUEST_ID_LENGTH, null);
    return routes
        .forAction(root.path("action").textValue())
        .map(route -> new Action.Routed(requestId, route.routeKey(), text));
  }

  private static Action read(JsonNode root, String ownUsername) {
    String requestId =
        FrameFields.optionalString(root, "requestId", Limits.MAX_REQUEST_ID_LENGTH, null);
    String action = FrameFields.requiredString(root, "action", Integer.MAX_VALUE, requestId);
    switch (action) {
      case ActionNames.CREATE_ROOM -> {
        String roomId =
            FrameFields.optionalString(root, "roomId", Limits.MAX_ROOM_ID_LENGTH, requestId);
        if (roomId != null) {
          FrameFields.checkRoomId(roomId, requestId);
        }
        return new Action.CreateRoom(
            requestId,
            FrameFields.username(root, requestId, ownUsername),
            roomId,
            FrameFields.clientMsgId(root, requestId),
            FrameFields.optionalBoolean(root, "private", requestId));
      }
      case ActionNames.JOIN_ROOM -> {
        return new Action.JoinRoom(
            requestId,
            FrameFields.roomId(root, requestId),
            FrameFields.username(root, requestId, ownUsername),
            FrameFields.optionalSeq(root, "afterSeq", requestId),
            FrameFields.clientMsgId(root, requestId));
      }
      case ActionNames.SEND_MESSAGE -> {
        String roomId = FrameFields.roomId(root, requestId);
        return new Action.SendMessage(
            requestId,
            roomId,
            FrameFields.text(root, requestId),
            FrameFields.clientMsgId(root, requestId));
      }
      case ActionNames.LEAVE_ROOM -> {
        return new Action.LeaveRoom(
            requestId,
            FrameFields.roomId(root, requestId),
            FrameFields.clientMsgId(root, requestId));
      }
      case ActionNames.RESUME -> {
        String roomId = FrameFields.roomId(root, requestId);
        Long afterSeq = FrameFields.optionalSeq(root, "afterSeq", requestId);
        if (afterSeq == null) {
          throw new FrameFields.Invalid(ErrorCode.MISSING_FIELD, "afterSeq is required", requestId);
        }
        return new Action.Resume(requestId, roomId, afterSeq);
      }
      case ActionNames.MEMBERS -> {
        String roomId = FrameFields.roomId(root, requestId);
        Long after = FrameFields.optionalSeq(root, "after", requestId);
        Integer limit =
            FrameFields.optionalInt(root, "limit", 1, Limits.MAX_MEMBERS_PAGE, requestId);
        return new Action.ListMembers(
            requestId, roomId, after, limit == null ? Limits.FIRST_MEMBERS_PAGE : limit);
      }
      case ActionNames.INVITE -> {
        String roomId = FrameFields.roomId(root, requestId);
        String user = FrameFields.requiredString(root, "user", Limits.MAX_USER_LENGTH, requestId);
        if (user.isBlank() || user.codePoints().anyMatch(Character::isISOControl)) {
          throw new FrameFields.Invalid(
              ErrorCode.INVALID_FIELD,
              "user must be a token's subject or a username: not blank, no control characters",
              requestId);
        }
        return new Action.Invite(requestId, roomId, user);
      }
      default ->
          throw new FrameFields.Invalid(
              ErrorCode.UNKNOWN_ACTION,
              "unknown action '"
                  + FrameFields.truncate(action)
                  + "': expected one of "
                  + CLIENT_ACTIONS,
              requestId);
    }
  }
}
