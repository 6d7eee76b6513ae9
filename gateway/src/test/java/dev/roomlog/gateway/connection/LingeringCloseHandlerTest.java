package dev.roomlog.gateway.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The close codes a client may send (RFC 6455 7.4), at each edge of each range; what the pipeline
 * answers to them is in LingeringCloseTest.
 */
class LingeringCloseHandlerTest {
  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
    "-1, true", // an empty close frame: no code at all
    "0, false",
    "999, false",
    "1000, true",
    "1003, true",
    "1004, false",
    "1005, false",
    "1006, false",
    "1007, true",
    "1011, true",
    "1014, true",
    "1015, false",
    "1016, false",
    "2999, false",
    "3000, true",
    "4999, true",
    "5000, false",
    "65535, false"
  })
  void aPeerMaySendOnlyTheCloseCodesRfc6455Defines(int code, boolean valid) {
    assertEquals(valid, LingeringCloseHandler.isValidReceivedCloseCode(code));
  }
}
