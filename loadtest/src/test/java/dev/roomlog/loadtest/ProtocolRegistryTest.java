package dev.roomlog.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProtocolRegistryTest {
  @Test
  void makesRoomlogWithTheApiKey() {
    ChatProtocol p = ProtocolRegistry.create("roomlog", "k");
    assertEquals("roomlog", p.name());
    assertEquals("k", p.handshakeHeaders().get("x-api-key"));
  }

  @Test
  void refusesAnUnknownNameListingTheKnownOnes() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ProtocolRegistry.create("mqtt", null));
    assertTrue(e.getMessage().contains("roomlog"), e.getMessage());
  }
}
