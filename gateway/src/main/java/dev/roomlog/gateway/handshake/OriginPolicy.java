package dev.roomlog.gateway.handshake;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which browser origins may open a WebSocket ({@code allowedOrigins}). Immutable and thread-safe.
 *
 * <p>Origin exists to stop cross-site WebSocket hijacking: a page on another site opening a socket
 * with the victim's browser. So:
 *
 * <ul>
 *   <li>No allowed origins configured: any origin may connect.
 *   <li>No Origin header: allowed. Browsers always send one on a WebSocket handshake; non-browser
 *       clients (wscat, server SDKs) send none, and they could send any Origin they like anyway, so
 *       refusing them would protect nothing.
 *   <li>Otherwise exactly one Origin header, equal to an allowed origin ignoring case (scheme and
 *       host are case-insensitive; an origin has no path). No other normalisation: browsers
 *       serialise an origin without a default port and without a trailing slash, so {@code
 *       https://chat.example.com:443} or {@code https://chat.example.com/} is not what a browser on
 *       that site sends, and anything looser invites look-alikes. {@code null} (sandboxed frames,
 *       file: pages) is refused.
 * </ul>
 */
final class OriginPolicy {
  private final Set<String> allowed;

  OriginPolicy(Set<String> allowedOrigins) {
    this.allowed =
        allowedOrigins.stream()
            .map(origin -> origin.toLowerCase(Locale.ROOT))
            .collect(Collectors.toUnmodifiableSet());
  }

  /**
   * @param originHeaders every Origin header value of the request
   */
  boolean allows(List<String> originHeaders) {
    if (allowed.isEmpty() || originHeaders.isEmpty()) {
      return true;
    }
    return originHeaders.size() == 1
        && allowed.contains(originHeaders.get(0).strip().toLowerCase(Locale.ROOT));
  }
}
