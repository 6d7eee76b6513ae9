package dev.roomlog.loadtest;

import java.net.URI;

/**
 * The server under test, as {@code --target} writes it: {@code host:port}, {@code [::1]:port}, or a
 * {@code ws://host:port/} URI.
 */
record Target(String host, int port) {
  static Target parse(String text) {
    String t = text.strip();
    if (t.startsWith("ws://")) {
      URI uri = URI.create(t);
      if (uri.getHost() == null || uri.getPort() < 0) {
        throw bad(text);
      }
      String host =
          uri.getHost().startsWith("[")
              ? uri.getHost().substring(1, uri.getHost().length() - 1)
              : uri.getHost();
      return new Target(host, uri.getPort());
    }
    int colon = t.lastIndexOf(':');
    if (colon <= 0 || colon == t.length() - 1) {
      throw bad(text);
    }
    String host = t.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      return new Target(host, Integer.parseInt(t.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw bad(text);
    }
  }

  /** {@code host:port}, an IPv6 host in brackets. */
  String text() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  private static IllegalArgumentException bad(String text) {
    return new IllegalArgumentException(
        "--target: '" + text + "' is not host:port or ws://host:port/");
  }
}
