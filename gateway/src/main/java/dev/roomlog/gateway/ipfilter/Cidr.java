package dev.roomlog.gateway.ipfilter;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 10.0.0.0/8}, {@code 2001:db8::/32}; a bare
 * address means one host). Immutable and thread-safe.
 *
 * <p>IPv4-mapped IPv6 addresses ({@code ::ffff:192.0.2.1}) are the IPv4 address they carry: a
 * dual-stack socket reports IPv4 clients that way, and a rule written for {@code 192.0.2.0/24} must
 * still match them. So both addresses and CIDRs are normalised to IPv4 ({@code ::ffff:10.0.0.0/104}
 * is {@code 10.0.0.0/8}), and an IPv4 address never matches an IPv6 network such as {@code ::/0}.
 *
 * <p>Parsing never asks DNS: only literal addresses are accepted.
 */
public final class Cidr {
  // No leading zeros: some parsers read 010 as octal 8, so "010.0.0.1" is ambiguous.
  private static final Pattern IPV4 =
      Pattern.compile("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");
  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,3}");

  private final byte[] network;
  private final int prefixLength;

  private Cidr(byte[] network, int prefixLength) {
    this.network = network;
    this.prefixLength = prefixLength;
  }

  /**
   * Parses {@code address[/prefix]}.
   *
   * @throws IllegalArgumentException saying what is wrong with the text
   */
  public static Cidr parse(String text) {
    String t = text.strip();
    int slash = t.indexOf('/');
    String addressText = slash < 0 ? t : t.substring(0, slash);
    byte[] bytes = parseAddress(addressText).getAddress();
    // The JDK turns "::ffff:a.b.c.d" into an IPv4 address; the prefix was written for 128 bits.
    boolean mapped = addressText.indexOf(':') >= 0 && bytes.length == 4;
    int maxPrefix = mapped ? 128 : bytes.length * 8;
    int prefix = maxPrefix;
    if (slash >= 0) {
      String prefixText = t.substring(slash + 1);
      if (!DIGITS.matcher(prefixText).matches() || Integer.parseInt(prefixText) > maxPrefix) {
        throw new IllegalArgumentException(
            "'" + t + "': the prefix length must be a number from 0 to " + maxPrefix);
      }
      prefix = Integer.parseInt(prefixText);
    }
    if (mapped) {
      if (prefix < 96) {
        throw new IllegalArgumentException(
            "'"
                + t
                + "': an IPv4-mapped network needs a prefix of at least 96 (it is matched as IPv4)");
      }
      prefix -= 96;
    }
    Cidr cidr = new Cidr(bytes, prefix);
    byte[] masked = cidr.mask(bytes);
    if (!Arrays.equals(masked, bytes)) {
      // Usually a typo (10.0.0.1/24 meant as one host, or a wrong prefix): say what it would mean.
      throw new IllegalArgumentException(
          "'"
              + t
              + "' has address bits set past the prefix; the network is "
              + new Cidr(masked, prefix));
    }
    return cidr;
  }

  /**
   * Parses a literal IPv4 (dotted quad) or IPv6 address, without DNS. IPv4-mapped IPv6 addresses
   * come back as IPv4.
   *
   * @throws IllegalArgumentException if the text is not an IP address
   */
  public static InetAddress parseAddress(String text) {
    String t = text;
    try {
      if (IPV4.matcher(t).matches()) {
        byte[] bytes = new byte[4];
        String[] parts = t.split("\\.");
        for (int i = 0; i < 4; i++) {
          int part = Integer.parseInt(parts[i]);
          if (part > 255) {
            throw notAnAddress(t);
          }
          bytes[i] = (byte) part;
        }
        return InetAddress.getByAddress(bytes);
      }
      // With a ':' and a hex digit or ':' first, the JDK parses a literal and never asks DNS.
      if (t.indexOf(':') >= 0
          && IPV6_CHARS.matcher(t).matches()
          && (t.charAt(0) == ':' || Character.digit(t.charAt(0), 16) >= 0)) {
        return normalize(InetAddress.getByName(t));
      }
    } catch (UnknownHostException e) {
      throw notAnAddress(t);
    }
    throw notAnAddress(t);
  }

  /** The address without its IPv6 scope, and an IPv4-mapped IPv6 address as IPv4. */
  public static InetAddress normalize(InetAddress address) {
    byte[] bytes = address.getAddress();
    try {
      if (address instanceof Inet6Address && isIpv4Mapped(bytes)) {
        return InetAddress.getByAddress(Arrays.copyOfRange(bytes, 12, 16));
      }
      if (address instanceof Inet6Address inet6 && inet6.getScopeId() != 0) {
        return InetAddress.getByAddress(bytes);
      }
    } catch (UnknownHostException e) {
      throw new IllegalStateException("a 4- or 16-byte address is always valid", e);
    }
    return address;
  }

  /** Whether the address is in this network (an IPv4 address is never in an IPv6 network). */
  public boolean contains(InetAddress address) {
    byte[] bytes = normalize(address).getAddress();
    return bytes.length == network.length && Arrays.equals(mask(bytes), network);
  }

  private byte[] mask(byte[] bytes) {
    byte[] masked = bytes.clone();
    for (int i = 0; i < masked.length; i++) {
      int bitsHere = Math.max(0, Math.min(8, prefixLength - i * 8));
      masked[i] &= (byte) (0xff << (8 - bitsHere));
    }
    return masked;
  }

  private static boolean isIpv4Mapped(byte[] bytes) {
    if (bytes.length != 16) {
      return false;
    }
    for (int i = 0; i < 10; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
  }

  private static IllegalArgumentException notAnAddress(String text) {
    return new IllegalArgumentException(
        "'"
            + text
            + "' is not an IP address (expected IPv4 like 192.0.2.1 or IPv6 like 2001:db8::1)");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr other
        && prefixLength == other.prefixLength
        && Arrays.equals(network, other.network);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(network) + prefixLength;
  }

  @Override
  public String toString() {
    try {
      InetAddress address = InetAddress.getByAddress(network);
      String text =
          address instanceof Inet4Address ? address.getHostAddress() : compactIpv6(network);
      return text + "/" + prefixLength;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Hex groups without leading zeros; good enough for messages and logs. */
  private static String compactIpv6(byte[] bytes) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 16; i += 2) {
      if (i > 0) {
        s.append(':');
      }
      s.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff)));
    }
    return s.toString();
  }
}
