package dev.roomlog.loadtest;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The local addresses connections are opened from. Against a loopback target, connection {@code i}
 * binds 127.0.0.{@code 1 + i % n}: each source address has its own ephemeral port range (about
 * 28,000 ports per address and target) and its own share of the server's per-IP connection limit,
 * so thousands of connections fit where one address would run out. Linux routes all of 127.0.0.0/8
 * to the loopback interface, so no setup is needed. Against any other target the operating system
 * chooses (one entry, null).
 */
final class SourceAddresses {
  static final int MAX = 254;

  private final List<InetAddress> addresses;

  private SourceAddresses(List<InetAddress> addresses) {
    this.addresses = addresses;
  }

  static SourceAddresses forTarget(InetAddress target, int count) {
    if (count < 1 || count > MAX) {
      throw new IllegalArgumentException("--source-addresses must be 1.." + MAX + ", got " + count);
    }
    List<InetAddress> list = new ArrayList<>();
    if (target instanceof Inet4Address && target.isLoopbackAddress() && count > 1) {
      for (int i = 1; i <= count; i++) {
        list.add(loopback(i));
      }
    } else {
      list.add(null);
    }
    return new SourceAddresses(list);
  }

  private static InetAddress loopback(int last) {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
    } catch (UnknownHostException e) {
      throw new IllegalStateException("a literal IPv4 address is always valid", e);
    }
  }

  /** The address connection {@code i} binds, or null to let the operating system choose. */
  InetAddress forConnection(int i) {
    return addresses.get(Math.floorMod(i, addresses.size()));
  }

  int size() {
    return addresses.size();
  }
}
