package dev.roomlog.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConnectionIdsTest {

  @Test
  void aConnectionIdNamesTheGatewayThatMadeIt() {
    String id = ConnectionIds.of("gw-1", "AbC_-9");

    assertEquals("gw-1.AbC_-9", id);
    assertEquals(Optional.of("gw-1"), ConnectionIds.gatewayOf(id));
  }

  @Test
  void aGatewayIdMayContainDots() {
    String id = ConnectionIds.of("eu.west.gw-1", "u1");

    assertEquals(Optional.of("eu.west.gw-1"), ConnectionIds.gatewayOf(id));
  }

  @Test
  void acceptsAGatewayIdOf64CharactersAndRefuses65() {
    String longest = "g".repeat(64);
    assertEquals(Optional.of(longest), ConnectionIds.gatewayOf(ConnectionIds.of(longest, "u")));

    String message =
        assertThrows(IllegalArgumentException.class, () -> ConnectionIds.of(longest + "g", "u"))
            .getMessage();
    assertTrue(message.contains("1 to 64"), message);
    assertEquals(Optional.empty(), ConnectionIds.gatewayOf(longest + "g.u"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "gw 1", "gw/1", "gw:1", "gw%1", "gé"})
  void refusesGatewayIdsWithCharactersOutsideTheAlphabet(String gatewayId) {
    String message =
        assertThrows(IllegalArgumentException.class, () -> ConnectionIds.of(gatewayId, "u"))
            .getMessage();
    assertTrue(message.contains("'" + gatewayId + "'"), message);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a.b", "a b", "a/b", "a="})
  void refusesAUniquePartThatIsNotBase64Url(String unique) {
    assertThrows(IllegalArgumentException.class, () -> ConnectionIds.of("gw-1", unique));
  }

  @Test
  void acceptsAUniquePartOf64CharactersAndRefuses65() {
    assertEquals("g." + "u".repeat(64), ConnectionIds.of("g", "u".repeat(64)));
    assertThrows(IllegalArgumentException.class, () -> ConnectionIds.of("g", "u".repeat(65)));
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(
      strings = {
        "",
        "nodot",
        ".u1",
        "gw-1.",
        "gw-1.u=",
        "gw-1.u 1",
        "gw 1.u1",
        "gw/1.u1",
      })
  void gatewayOfIsEmptyForWhatIsNotAConnectionId(String connectionId) {
    assertEquals(Optional.empty(), ConnectionIds.gatewayOf(connectionId));
  }

  @Test
  void gatewayOfTakesTheUniquePartAfterTheLastDot() {
    assertEquals(Optional.of("a.b"), ConnectionIds.gatewayOf("a.b.c"));
    assertEquals(Optional.of("a.b"), ConnectionIds.gatewayOf("a.b." + "x".repeat(64)));
    assertEquals(Optional.empty(), ConnectionIds.gatewayOf("a.b." + "x".repeat(65)));
  }
}
