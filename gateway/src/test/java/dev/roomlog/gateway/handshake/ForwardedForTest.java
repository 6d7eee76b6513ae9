package dev.roomlog.gateway.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.ipfilter.Cidr;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ForwardedForTest {
  private static final InetAddress PROXY = Cidr.parseAddress("10.0.0.5");
  private static final InetAddress STRANGER = Cidr.parseAddress("198.51.100.20");

  private final ForwardedFor xff = ForwardedFor.of(List.of("10.0.0.0/24", "2001:db8:1::/48"));

  private String client(InetAddress peer, String... headers) {
    ForwardedFor.Client c =
        assertInstanceOf(ForwardedFor.Client.class, xff.resolve(peer, List.of(headers)));
    return c.address().getHostAddress();
  }

  @Test
  void headerFromAnUntrustedPeerIsIgnored() {
    ForwardedFor.Client c =
        assertInstanceOf(ForwardedFor.Client.class, xff.resolve(STRANGER, List.of("192.0.2.1")));

    assertEquals(STRANGER, c.address());
    assertFalse(c.forwarded());
  }

  @Test
  void withNoTrustedProxiesTheHeaderIsNeverBelieved() {
    ForwardedFor none = ForwardedFor.of(List.of());

    ForwardedFor.Client c =
        assertInstanceOf(ForwardedFor.Client.class, none.resolve(PROXY, List.of("192.0.2.1")));
    assertEquals(PROXY, c.address());
  }

  @Test
  void trustedPeerWithoutHeaderIsTheClient() {
    assertEquals("10.0.0.5", client(PROXY));
  }

  @Test
  void trustedPeerNamesTheClient() {
    ForwardedFor.Client c =
        assertInstanceOf(ForwardedFor.Client.class, xff.resolve(PROXY, List.of("192.0.2.1")));

    assertEquals("192.0.2.1", c.address().getHostAddress());
    assertTrue(c.forwarded());
  }

  @Test
  void clientIsTheRightMostAddressThatIsNotATrustedProxy() {
    assertEquals("192.0.2.1", client(PROXY, "203.0.113.9, 192.0.2.1, 10.0.0.7, 10.0.0.8"));
  }

  @Test
  void entriesLeftOfTheClientAreNeverParsed() {
    // The client wrote those itself: spoofed or garbage, they must not matter.
    assertEquals("192.0.2.1", client(PROXY, "not-an-ip, 10.0.0.1 , 192.0.2.1"));
  }

  @Test
  void severalHeadersAreOneChainInOrder() {
    assertEquals("192.0.2.1", client(PROXY, "203.0.113.9", "192.0.2.1", "10.0.0.7"));
  }

  @Test
  void whenEveryHopIsTrustedTheLeftMostIsTheClient() {
    assertEquals("10.0.0.9", client(PROXY, "10.0.0.9, 10.0.0.7"));
  }

  @Test
  void portsAndBracketsAreAccepted() {
    assertEquals("192.0.2.1", client(PROXY, "192.0.2.1:5555"));
    assertEquals("2001:db8:0:0:0:0:0:1", client(PROXY, "[2001:db8::1]:443"));
    assertEquals("2001:db8:0:0:0:0:0:1", client(PROXY, "[2001:db8::1]"));
    assertEquals("2001:db8:0:0:0:0:0:1", client(PROXY, "2001:db8::1"));
    assertEquals("192.0.2.1", client(PROXY, "::ffff:192.0.2.1"));
  }

  @Test
  void ipv6ProxyIsTrustedToo() {
    assertEquals("192.0.2.1", client(Cidr.parseAddress("2001:db8:1::9"), "192.0.2.1"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "unknown",
        "192.0.2.1,",
        "192.0.2.300",
        "example.com",
        "192.0.2.1:http",
        "[2001:db8::1",
        "_hidden",
        "192.0.2.1, ,10.0.0.7"
      })
  void malformedEntryInTheTrustedPartIsReportedNotReplacedByThePeer(String header) {
    ForwardedFor.Malformed m =
        assertInstanceOf(ForwardedFor.Malformed.class, xff.resolve(PROXY, List.of(header)));
    assertTrue(m.why().contains("X-Forwarded-For"), m.why());
  }
}
