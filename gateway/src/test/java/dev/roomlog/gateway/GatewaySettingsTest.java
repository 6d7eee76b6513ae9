package dev.roomlog.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GatewaySettingsTest {

  private static String failure(Map<String, String> props) {
    return assertThrows(IllegalArgumentException.class, () -> GatewaySettings.fromProperties(props))
        .getMessage();
  }

  @Test
  void fillsInTheDefaults() {
    GatewaySettings s = GatewaySettings.of(Set.of("k"), "gw-1");

    assertEquals("0.0.0.0", s.bindHost());
    assertEquals(8080, s.port());
    assertEquals(32_768, s.maxFramePayloadBytes());
    assertEquals(131_072, s.maxMessageBytes());
    assertEquals(10_000, s.maxPendingAppends());
    assertNull(s.stage());
  }

  @Test
  void readsPropertiesIncludingACommaSeparatedKeyList() {
    GatewaySettings s =
        GatewaySettings.fromProperties(
            Map.of(
                GatewaySettings.API_KEYS, " a, b ,,c",
                GatewaySettings.GATEWAY_ID, "gw-2",
                GatewaySettings.PORT, "0",
                GatewaySettings.STAGE, "production"));

    assertEquals(Set.of("a", "b", "c"), s.apiKeys());
    assertEquals(0, s.port());
    assertEquals("production", s.stage());
  }

  @Test
  void rejectsBadValuesNamingTheSetting() {
    assertTrue(failure(Map.of(GatewaySettings.GATEWAY_ID, "g")).contains(GatewaySettings.API_KEYS));
    assertTrue(failure(Map.of(GatewaySettings.API_KEYS, "k")).contains(GatewaySettings.GATEWAY_ID));
    assertTrue(
        failure(Map.of(GatewaySettings.API_KEYS, "k", GatewaySettings.GATEWAY_ID, "g",
                GatewaySettings.PORT, "70000"))
            .contains(GatewaySettings.PORT));
    assertTrue(
        failure(Map.of(GatewaySettings.API_KEYS, "k", GatewaySettings.GATEWAY_ID, "g",
                GatewaySettings.MAX_PENDING_APPENDS, "lots"))
            .contains(GatewaySettings.MAX_PENDING_APPENDS));
    assertTrue(
        failure(Map.of(GatewaySettings.API_KEYS, "k", GatewaySettings.GATEWAY_ID, "g",
                GatewaySettings.MAX_FRAME_PAYLOAD_BYTES, "4096",
                GatewaySettings.MAX_MESSAGE_BYTES, "1024"))
            .contains(GatewaySettings.MAX_MESSAGE_BYTES));
  }

  @Test
  void apiKeysAreCheckedByValueOnly() {
    ApiKeys keys = new ApiKeys(Set.of("alpha", "beta-longer"));

    assertTrue(keys.accepts("alpha"));
    assertTrue(keys.accepts("beta-longer"));
    assertEquals(false, keys.accepts("alph"));
    assertEquals(false, keys.accepts(""));
    assertEquals(false, keys.accepts(null));
  }
}
