package dev.roomlog.gateway.handshake;

import dev.roomlog.gateway.ipfilter.Cidr;
import java.net.InetAddress;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Finds the client's address behind trusted reverse proxies from {@code X-Forwarded-For}.
 *
 * <p>Anyone can send an X-Forwarded-For header, so it is believed only when the socket's peer is a
 * trusted proxy. Each proxy appends the address it received the request from, so the chain is read
 * from the right: the client is the right-most address that is not itself a trusted proxy. Entries
 * left of it were written by the client and are never looked at (they may be anything). If every
 * address in the chain is a trusted proxy, the left-most one is the client. Several X-Forwarded-For
 * headers are one chain, in order (RFC 9110, 5.3).
 *
 * <p>Policy for a malformed entry in the part that must be read (from a trusted proxy): the request
 * is refused ({@link Malformed}, HTTP 400) rather than falling back to the peer's address. Falling
 * back would give every such client the proxy's address, so block rules would not apply to them and
 * they would all share one per-IP connection cap; a broken proxy chain is a configuration error
 * that should be loud. Accepted entry forms: {@code 192.0.2.1}, {@code 192.0.2.1:443}, {@code
 * 2001:db8::1}, {@code [2001:db8::1]}, {@code [2001:db8::1]:443}.
 *
 * <p>Immutable and thread-safe.
 */
final class ForwardedFor {
  private static final Pattern PORT = Pattern.compile(":[0-9]{1,5}");

  /** What {@link #resolve} found. */
  sealed interface Resolution permits Client, Malformed {}

  /** The client's address, and whether it came from the header (rather than the socket). */
  record Client(InetAddress address, boolean forwarded) implements Resolution {}

  record Malformed(String why) implements Resolution {}

  private final List<Cidr> trustedProxies;

  ForwardedFor(List<Cidr> trustedProxies) {
    this.trustedProxies = List.copyOf(trustedProxies);
  }

  /** Parses the {@code trustedProxies} setting's CIDRs. */
  static ForwardedFor of(List<String> trustedProxyCidrs) {
    return new ForwardedFor(trustedProxyCidrs.stream().map(Cidr::parse).toList());
  }

  /**
   * @param peer the socket's remote address
   * @param headerValues every X-Forwarded-For header value, in the order received
   */
  Resolution resolve(InetAddress peer, List<String> headerValues) {
    InetAddress client = Cidr.normalize(peer);
    if (!isTrusted(client) || headerValues.isEmpty()) {
      return new Client(client, false);
    }
    String[] chain = String.join(",", headerValues).split(",", -1);
    InetAddress found = null;
    for (int i = chain.length - 1; i >= 0; i--) {
      try {
        found = parseEntry(chain[i]);
      } catch (IllegalArgumentException e) {
        return new Malformed(
            "X-Forwarded-For entry "
                + (i + 1)
                + " of "
                + chain.length
                + " (from the right: "
                + (chain.length - i)
                + ") is not an IP address");
      }
      if (!isTrusted(found)) {
        break;
      }
    }
    return new Client(found, true);
  }

  /** Whether {@code address} is one of the trusted proxies. */
  boolean isTrustedProxy(InetAddress address) {
    return isTrusted(address);
  }

  private boolean isTrusted(InetAddress address) {
    for (Cidr proxy : trustedProxies) {
      if (proxy.contains(address)) {
        return true;
      }
    }
    return false;
  }

  private static InetAddress parseEntry(String entry) {
    String s = entry.strip();
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      boolean portOrNothing =
          close == s.length() - 1 || PORT.matcher(s.substring(close + 1)).matches();
      if (close < 0 || !portOrNothing) {
        throw new IllegalArgumentException("bad bracketed address");
      }
      s = s.substring(1, close);
    } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':')) {
      // One colon: IPv4 with a port (an IPv6 address has at least two).
      int colon = s.indexOf(':');
      if (!PORT.matcher(s.substring(colon)).matches()) {
        throw new IllegalArgumentException("bad port");
      }
      s = s.substring(0, colon);
    }
    return Cidr.parseAddress(s);
  }
}
