package dev.roomlog.gateway.handshake;

import dev.roomlog.gateway.handshake.HandshakePolicy.Refuse;
import dev.roomlog.gateway.handshake.HandshakePolicy.Request;
import java.util.Base64;
import java.util.List;

/**
 * Whether a request is one the gateway can read as its client meant it: well-formed HTTP that no
 * proxy in front could read differently (no body, one Host, no pipelined request), HTTP/1.1, and an
 * RFC 6455 upgrade (version 13, a 16-byte key). Pure functions of the request, no state; {@link
 * HandshakePolicy#decide} runs them in the order documented on {@link HandshakeHandler}.
 */
final class UpgradeChecks {
  static final String MALFORMED_BODY = "bad request: malformed HTTP request\n";
  static final String LINE_TOO_LONG_BODY = "request line too long\n";
  static final String HEADERS_TOO_LARGE_BODY = "request headers too large\n";
  static final String OBS_FOLD_BODY = "bad request: folded header lines are not allowed\n";
  static final String HOST_BODY = "bad request: exactly one Host header is required\n";
  static final String BODY_NOT_ALLOWED_BODY =
      "bad request: a WebSocket handshake has no body (no Content-Length or Transfer-Encoding)\n";

  private UpgradeChecks() {}

  /** HTTP that is broken, or that a proxy in front could read differently from us (smuggling). */
  static Refuse malformed(Request request) {
    String peer = request.peerText();
    switch (request.decodeFailure()) {
      case LINE_TOO_LONG -> {
        return new Refuse(
            414, "requestLineTooLong", LINE_TOO_LONG_BODY, "request line too long", peer, 0);
      }
      case HEADERS_TOO_LARGE -> {
        return new Refuse(
            431, "headersTooLarge", HEADERS_TOO_LARGE_BODY, "headers too large", peer, 0);
      }
      case MALFORMED -> {
        return new Refuse(400, "malformed", MALFORMED_BODY, "HTTP decoder failed", peer, 0);
      }
      case NONE -> {}
    }
    if (request.obsFold()) {
      return new Refuse(400, "obsFold", OBS_FOLD_BODY, "obs-fold header line", peer, 0);
    }
    if (request.header("host").size() != 1) {
      return new Refuse(
          400, "host", HOST_BODY, request.header("host").size() + " Host headers", peer, 0);
    }
    // The body would be read by no one, and a proxy might count it differently: refuse it unread.
    List<String> lengths = request.header("content-length");
    boolean hasBody =
        !lengths.isEmpty() && !(lengths.size() == 1 && lengths.get(0).strip().equals("0"));
    if (hasBody || !request.header("transfer-encoding").isEmpty()) {
      return new Refuse(400, "requestBody", BODY_NOT_ALLOWED_BODY, "request has a body", peer, 0);
    }
    if (request.requestBehind()) {
      return new Refuse(
          400,
          "secondRequest",
          HandshakePolicy.SECOND_REQUEST_BODY,
          "a request pipelined behind this one",
          peer,
          0);
    }
    return null;
  }

  /** {@code HTTP/1.1}, or a later minor version of HTTP/1. */
  static boolean isHttp11(String version) {
    if (version == null || !version.startsWith("HTTP/1.")) {
      return false;
    }
    String minor = version.substring("HTTP/1.".length());
    return minor.matches("[0-9]{1,9}") && Integer.parseInt(minor) >= 1;
  }

  /**
   * Why the request is not an RFC 6455 handshake (exactly one {@code Sec-WebSocket-Version: 13} and
   * exactly one {@code Sec-WebSocket-Key} that is 16 bytes in base64), or null if it is.
   */
  static String versionProblem(Request request) {
    List<String> versions = request.header("sec-websocket-version");
    if (versions.size() != 1 || !versions.get(0).strip().equals("13")) {
      return versions.isEmpty()
          ? "no Sec-WebSocket-Version (Hixie-75/76)"
          : "Sec-WebSocket-Version other than exactly one 13";
    }
    List<String> keys = request.header("sec-websocket-key");
    if (keys.size() != 1 || !isNonce(keys.get(0).strip())) {
      return keys.isEmpty() ? "no Sec-WebSocket-Key" : "malformed Sec-WebSocket-Key";
    }
    return null;
  }

  /** 16 bytes in base64 with its padding: exactly 24 characters. */
  private static boolean isNonce(String key) {
    if (key.length() != 24) {
      return false;
    }
    try {
      return Base64.getDecoder().decode(key).length == 16;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  static String path(String uri) {
    int query = uri.indexOf('?');
    return query < 0 ? uri : uri.substring(0, query);
  }

  static boolean asksForWebSocket(List<String> upgradeHeaders) {
    for (String value : upgradeHeaders) {
      for (String token : value.split(",")) {
        if (token.strip().equalsIgnoreCase("websocket")) {
          return true;
        }
      }
    }
    return false;
  }
}
