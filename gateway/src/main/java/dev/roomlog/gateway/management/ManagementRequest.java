package dev.roomlog.gateway.management;

import dev.roomlog.protocol.control.ConnectionCommand.Op;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * What a request to the management API asks for, from its method and path alone. Pure.
 *
 * <ul>
 *   <li>{@code POST|GET|DELETE /@connections/{connectionId}}, also under {@code /{stage}} when the
 *       gateway has a stage, as API Gateway's URLs have it;
 *   <li>{@code POST /rooms/{roomId}/messages} and {@code POST /rooms/{roomId}/kick};
 *   <li>{@code GET /rooms} and {@code GET /rooms/{roomId}}, answered by a processor;
 *   <li>{@code POST|GET /webhooks} and {@code GET|DELETE /webhooks/{id}};
 *   <li>{@code GET /metrics}.
 * </ul>
 */
sealed interface ManagementRequest {
  record OnConnection(Op op, String connectionId) implements ManagementRequest {}

  record PostToRoom(String roomId) implements ManagementRequest {}

  /** {@code POST /rooms/{roomId}/kick}: remove a user, maybe ban them. */
  record Kick(String roomId) implements ManagementRequest {}

  /** {@code GET /rooms} or {@code GET /rooms/{roomId}}: forwarded to a processor. */
  record RoomQuery() implements ManagementRequest {}

  /** The webhook subscriptions: {@code id} null for {@code /webhooks} itself. */
  record Webhooks(String id) implements ManagementRequest {}

  /** {@code GET /metrics}: the node's meters, without a key (as on the other ports). */
  record Metrics() implements ManagementRequest {}

  /**
   * Refused before any key check or body: a method this API does not know (501), unknown path
   * (404), a method the path does not take (405), bad escape (400).
   */
  record Invalid(int status, String code, String message, String allow)
      implements ManagementRequest {}

  String CONNECTIONS = "@connections";

  /**
   * The methods of RFC 9110 9.3 and PATCH, as written there: method names are case-sensitive (RFC
   * 9110 9.1), so {@code get} is not GET but a method this API does not know.
   */
  Set<String> KNOWN_METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

  /**
   * @param rawPath the request target's path, still percent-encoded, without the query
   * @param stage the gateway's stage, or null
   */
  static ManagementRequest parse(String method, String rawPath, String stage) {
    if (!KNOWN_METHODS.contains(method)) {
      // RFC 9110 9.1: an unrecognized method SHOULD get 501, whatever the path.
      return new Invalid(
          501,
          "methodNotImplemented",
          "'"
              + (method.length() <= 20 ? method : method.substring(0, 20) + "...")
              + "' is not a method this API knows: methods are case-sensitive, use GET, POST or"
              + " DELETE",
          null);
    }
    if (rawPath.equals("/metrics")) {
      return method.equals("GET") ? new Metrics() : notAllowed("GET");
    }
    String[] parts = rawPath.startsWith("/") ? rawPath.substring(1).split("/", -1) : new String[0];
    int at = 0;
    if (stage != null && parts.length == 3 && parts[0].equals(stage)) {
      at = 1;
    }
    try {
      if (parts.length - at == 2 && parts[at].equals(CONNECTIONS) && !parts[at + 1].isEmpty()) {
        String id = decode(parts[at + 1]);
        return switch (method) {
          case "POST" -> new OnConnection(Op.SEND, id);
          case "GET" -> new OnConnection(Op.GET, id);
          case "DELETE" -> new OnConnection(Op.DELETE, id);
          default -> notAllowed("POST, GET, DELETE");
        };
      }
      if (parts.length > 0
          && parts[0].equals("rooms")
          && (parts.length == 1 || (parts.length == 2 && !parts[1].isEmpty()))) {
        if (parts.length == 2) {
          decode(parts[1]); // a broken escape is refused here, not by the processor
        }
        return method.equals("GET") ? new RoomQuery() : notAllowed("GET");
      }
      if (parts.length == 3
          && parts[0].equals("rooms")
          && !parts[1].isEmpty()
          && parts[2].equals("messages")) {
        String roomId = decode(parts[1]);
        return method.equals("POST") ? new PostToRoom(roomId) : notAllowed("POST");
      }
      if (parts.length == 3
          && parts[0].equals("rooms")
          && !parts[1].isEmpty()
          && parts[2].equals("kick")) {
        String roomId = decode(parts[1]);
        return method.equals("POST") ? new Kick(roomId) : notAllowed("POST");
      }
      if (parts.length == 1 && parts[0].equals("webhooks")) {
        return method.equals("POST") || method.equals("GET")
            ? new Webhooks(null)
            : notAllowed("POST, GET");
      }
      if (parts.length == 2 && parts[0].equals("webhooks") && !parts[1].isEmpty()) {
        String id = decode(parts[1]);
        return method.equals("GET") || method.equals("DELETE")
            ? new Webhooks(id)
            : notAllowed("GET, DELETE");
      }
    } catch (IllegalArgumentException e) {
      return new Invalid(400, "badPath", "the path has a broken %-escape", null);
    }
    return new Invalid(
        404,
        "notFound",
        "no such endpoint: the management API has /@connections/{connectionId}, /rooms,"
            + " /rooms/{roomId}, /rooms/{roomId}/messages, /rooms/{roomId}/kick, /webhooks,"
            + " /webhooks/{id} and /metrics",
        null);
  }

  private static Invalid notAllowed(String allow) {
    return new Invalid(405, "methodNotAllowed", "use " + allow, allow);
  }

  private static String decode(String segment) {
    // A path segment: '+' is a plus, not a space.
    return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
