package dev.roomlog.processor.query;

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

  /** {@code GET /rooms/{roomId}}. */
  record GetRoom(String roomId, boolean localOnly) implements QueryRequest {}

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
    return new GetRoom(roomId, localOnly);
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
