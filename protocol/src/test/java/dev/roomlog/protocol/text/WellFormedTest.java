package dev.roomlog.protocol.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.protocol.Json;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WellFormedTest {

  @Test
  void findsLoneHighAndLowSurrogatesButNotPairs() {
    assertEquals(-1, WellFormed.unpairedSurrogateAt("plain ascii"));
    assertEquals(-1, WellFormed.unpairedSurrogateAt("emoji \ud83d\ude00 is a pair"));
    assertEquals(1, WellFormed.unpairedSurrogateAt("a\ud800"));
    assertEquals(1, WellFormed.unpairedSurrogateAt("a\udfffb"));
    assertEquals(0, WellFormed.unpairedSurrogateAt("\ud800\ud800\udc00"));
    assertEquals(2, WellFormed.unpairedSurrogateAt("\ud83d\ude00\ude00"));
  }

  @Test
  void pointsAtTheFirstIllFormedStringOfADocument() throws Exception {
    assertEquals(
        Optional.of("/requestContext/identity/sourceIp"),
        WellFormed.firstIllFormed(
            Json.MAPPER.readTree(
                "{\"a\":\"ok\",\"requestContext\":{\"identity\":{\"sourceIp\":\"1\\ud800\"}}}")));
    assertEquals(
        Optional.of("/list/1"),
        WellFormed.firstIllFormed(Json.MAPPER.readTree("{\"list\":[\"ok\",\"\\udc00\"]}")));
    assertEquals(
        Optional.of("/<field name>"),
        WellFormed.firstIllFormed(Json.MAPPER.readTree("{\"\\ud800\":1}")));
    assertTrue(
        WellFormed.firstIllFormed(Json.MAPPER.readTree("{\"a\":[1,\"\\ud83d\\ude00\",{}]}"))
            .isEmpty());
  }
}
