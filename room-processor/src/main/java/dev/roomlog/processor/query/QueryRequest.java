package dev.roomlog.processor.query;

import dev.roomlog.protocol.action.Limits;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A request to the processor's query port, parsed from its method, path and query string. Pure.
 *
 * <p>{@code scope=local} asks an instance for its own rooms only: instances use it when they
 * forward to each other, so a forwarded request is never forwarded again.
 */
public sealed interface QueryRequest {
  /** {@code GET /healthz}: is this instance's processor alive? No key needed. */
  record Health() implements QueryRequest {}

  /** {@code GET /readyz}: is it processing (running, not rebalancing)? No key needed. */
  record Ready() implements QueryRequest {}

  /** {@code GET /metrics}: the processor's meters in Prometheus' text format. No key needed. */
  record Metrics() implements QueryRequest {}

  /**
   * {@code GET /rooms/{roomId}?membersAfter=SEQ&membersLimit=N}: the room with a page of its
   * members, as the {@code members} action pages them (after the member whose join seq is {@code
   * membersAfter}, null: from the first; at most {@code membersLimit}).
   */
  record GetRoom(String roomId, Long membersAfter, int membersLimit, boolean localOnly)
      implements QueryRequest {
    /** The first page of members, of the default size. */
    GetRoom(String roomId, boolean localOnly) {
      this(roomId, null, Limits.FIRST_MEMBERS_PAGE, localOnly);
    }

    /** The query string that asks another instance for the same page (and nothing else). */
    String localQuery() {
      return "scope=local&membersLimit="
          + membersLimit
          + (membersAfter == null ? "" : "&membersAfter=" + membersAfter);
    }
  }

  /** {@code GET /rooms?after=ID&limit=N}. */
  record ListRooms(String after, int limit, boolean localOnly) implements QueryRequest {}

  /** A request this port cannot answer. */
  record Invalid(int status, String code, String message) implements QueryRequest {}

  static QueryRequest parse(String method, String rawPath, String rawQuery) {
    try {
      return parseOrThrow(method, rawPath, rawQuery);
    } catch (IllegalArgumentException e) {
      // a malformed %-escape
      return new Invalid(400, "badRequest", "malformed URL: " + e.getMessage());
    }
  }

  private static QueryRequest parseOrThrow(String method, String rawPath, String rawQuery) {
    String path = rawPath == null ? "" : rawPath;
    boolean known =
        path.equals("/healthz")
            || path.equals("/readyz")
            || path.equals("/metrics")
            || path.equals("/rooms")
            || path.startsWith("/rooms/");
    if (!known) {
      return new Invalid(
          404,
          "notFound",
          "no such endpoint: "
              + path
              + " (try /rooms, /rooms/{roomId}, /healthz, /readyz, /metrics)");
    }
    if (!"GET".equals(method)) {
      return new Invalid(405, "methodNotAllowed", method + " is not allowed here: only GET");
    }
    if (path.equals("/healthz")) {
      return new Health();
    }
    if (path.equals("/readyz")) {
      return new Ready();
    }
    if (path.equals("/metrics")) {
      return new Metrics();
    }
    Map<String, String> query = query(rawQuery);
    boolean localOnly = "local".equals(query.get("scope"));
    if (path.equals("/rooms")) {
      String after = query.get("after");
      String limitText = query.getOrDefault("limit", String.valueOf(RoomPage.DEFAULT_LIMIT));
      int limit;
      try {
        limit = Integer.parseInt(limitText);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > RoomPage.MAX_LIMIT) {
        return new Invalid(
            400,
            "badRequest",
            "limit must be a whole number from 1 to " + RoomPage.MAX_LIMIT + ", got " + limitText);
      }
      return new ListRooms(after == null || after.isEmpty() ? null : after, limit, localOnly);
    }
    String roomId = decode(path.substring("/rooms/".length()));
    if (roomId.isEmpty() || roomId.contains("/")) {
      return new Invalid(404, "notFound", "no such endpoint: " + path + " (try /rooms/{roomId})");
    }
    String afterText = query.get("membersAfter");
    Long membersAfter = null;
    if (afterText != null && !afterText.isEmpty()) {
      membersAfter = parseLong(afterText);
      if (membersAfter == null || membersAfter < 0) {
        return new Invalid(
            400,
            "badRequest",
            "membersAfter must be a whole number from 0 (the next cursor of a page), got "
                + afterText);
      }
    }
    String limitText =
        query.getOrDefault("membersLimit", String.valueOf(Limits.FIRST_MEMBERS_PAGE));
    Long membersLimit = parseLong(limitText);
    if (membersLimit == null || membersLimit < 1 || membersLimit > Limits.MAX_MEMBERS_PAGE) {
      return new Invalid(
          400,
          "badRequest",
          "membersLimit must be a whole number from 1 to "
              + Limits.MAX_MEMBERS_PAGE
              + ", got "
              + limitText);
    }
    return new GetRoom(roomId, membersAfter, membersLimit.intValue(), localOnly);
  }

  private static Long parseLong(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Map<String, String> query(String rawQuery) {
    Map<String, String> out = new HashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return out;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      out.putIfAbsent(name, value);
    }
    return out;
  }

  private static String decode(String text) {
    return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
