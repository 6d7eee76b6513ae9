package dev.roomlog.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class SourceAddressesTest {
  @Test
  void spreadsLoopbackConnectionsOverTheFirstNAddresses() throws Exception {
    SourceAddresses s = SourceAddresses.forTarget(InetAddress.getByName("127.0.0.1"), 4);
    assertEquals(4, s.size());
    assertEquals(InetAddress.getByName("127.0.0.1"), s.forConnection(0));
    assertEquals(InetAddress.getByName("127.0.0.4"), s.forConnection(3));
    assertEquals(InetAddress.getByName("127.0.0.1"), s.forConnection(4));
  }

  @Test
  void letsTheSystemChooseForAnyOtherTargetOrForOne() throws Exception {
    assertNull(SourceAddresses.forTarget(InetAddress.getByName("192.0.2.10"), 8).forConnection(5));
    assertNull(SourceAddresses.forTarget(InetAddress.getByName("::1"), 8).forConnection(5));
    assertNull(SourceAddresses.forTarget(InetAddress.getByName("127.0.0.1"), 1).forConnection(5));
  }

  @Test
  void refusesACountOutsideOneTo254() throws Exception {
    InetAddress lo = InetAddress.getByName("127.0.0.1");
    assertThrows(IllegalArgumentException.class, () -> SourceAddresses.forTarget(lo, 0));
    assertThrows(IllegalArgumentException.class, () -> SourceAddresses.forTarget(lo, 255));
  }
}
