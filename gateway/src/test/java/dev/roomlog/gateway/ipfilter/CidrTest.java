package dev.roomlog.gateway.ipfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {
  private static InetAddress ip(String text) {
    return Cidr.parseAddress(text);
  }

  @Test
  void ipv4NetworkContainsItsFirstAndLastAddressAndNothingAround() {
    Cidr net = Cidr.parse("10.1.0.0/16");

    assertTrue(net.contains(ip("10.1.0.0")));
    assertTrue(net.contains(ip("10.1.255.255")));
    assertFalse(net.contains(ip("10.0.255.255")));
    assertFalse(net.contains(ip("10.2.0.0")));
  }

  @Test
  void prefixThatIsNotAWholeByteIsMaskedBitByBit() {
    Cidr net = Cidr.parse("192.0.2.64/27"); // .64 - .95

    assertTrue(net.contains(ip("192.0.2.64")));
    assertTrue(net.contains(ip("192.0.2.95")));
    assertFalse(net.contains(ip("192.0.2.63")));
    assertFalse(net.contains(ip("192.0.2.96")));
  }

  @Test
  void bareAddressIsOneHost() {
    Cidr host = Cidr.parse("192.0.2.7");

    assertTrue(host.contains(ip("192.0.2.7")));
    assertFalse(host.contains(ip("192.0.2.8")));
    assertEquals(Cidr.parse("192.0.2.7/32"), host);
  }

  @Test
  void zeroPrefixContainsEveryAddressOfItsFamilyOnly() {
    assertTrue(Cidr.parse("0.0.0.0/0").contains(ip("255.255.255.255")));
    assertFalse(Cidr.parse("0.0.0.0/0").contains(ip("2001:db8::1")));
    assertTrue(Cidr.parse("::/0").contains(ip("2001:db8::1")));
    assertFalse(Cidr.parse("::/0").contains(ip("192.0.2.1")), "IPv4 clients are not in ::/0");
  }

  @Test
  void ipv6Network() {
    Cidr net = Cidr.parse("2001:db8:abcd::/48");

    assertTrue(net.contains(ip("2001:db8:abcd:ffff::1")));
    assertFalse(net.contains(ip("2001:db8:abce::1")));
    assertEquals("2001:db8:abcd:0:0:0:0:0/48", net.toString());
  }

  @Test
  void ipv4MappedAddressesAreMatchedAsIpv4() throws Exception {
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    mapped[12] = 10;
    mapped[15] = 9;
    // As a dual-stack socket reports an IPv4 client.
    InetAddress fromSocket = java.net.Inet6Address.getByAddress(null, mapped, -1);

    assertTrue(Cidr.parse("10.0.0.0/8").contains(fromSocket));
    assertTrue(Cidr.parse("10.0.0.0/8").contains(ip("::ffff:10.0.0.9")));
    assertEquals(Cidr.parse("10.0.0.0/8"), Cidr.parse("::ffff:10.0.0.0/104"));
    assertTrue(Cidr.parse("::ffff:10.0.0.9").contains(ip("10.0.0.9")));
  }

  @Test
  void mappedNetworkShorterThan96BitsIsRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("::ffff:0.0.0.0/95"));
    assertTrue(e.getMessage().contains("at least 96"), e.getMessage());
  }

  @Test
  void hostBitsPastThePrefixAreRefusedWithTheNetworkItWouldBe() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.1.2.3/8"));
    assertTrue(e.getMessage().contains("10.0.0.0/8"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "10.0.0.0/33",
        "::/129",
        "10.0.0.0/-1",
        "10.0.0.0/",
        "10.0.0/8",
        "256.0.0.0",
        "010.0.0.1",
        "1.2.3.4.5",
        "example.com",
        "localhost",
        "10.0.0.0/8/9",
        "fe80::1%eth0",
        "g::1",
        "::1/abc",
        "1.2.3.4 /32"
      })
  void badTextIsRefusedWithAMessage(String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text));
    assertTrue(e.getMessage().contains("'"), e.getMessage());
  }
}
