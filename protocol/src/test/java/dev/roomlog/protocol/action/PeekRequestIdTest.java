package dev.roomlog.protocol.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/**
 * The requestId a rate-limited message is answered with (the gateway's Connection), read without
 * parsing it into an action.
 */
class PeekRequestIdTest {

  @Test
  void peeksTheTopLevelRequestIdWhereverItIs() {
    assertEquals("r1", ActionParser.peekRequestId("{\"requestId\":\"r1\",\"action\":\"x\"}"));
    assertEquals(
        "r2",
        ActionParser.peekRequestId(
            "{\"action\":\"x\",\"nested\":{\"requestId\":\"no\"},\"list\":[1,{}],\"requestId\":\"r2\"}"));
  }

  @Test
  void findsNoRequestIdWhereAParserWouldNotAcceptOne() {
    assertNull(ActionParser.peekRequestId("not json"));
    // A lone surrogate escape could not be sent back in the 429's frame.
    assertNull(ActionParser.peekRequestId("{\"requestId\":\"a\\ud800\"}"));
    assertNull(ActionParser.peekRequestId("[\"requestId\",\"r1\"]"));
    assertNull(ActionParser.peekRequestId("{\"nested\":{\"requestId\":\"r1\"}}"));
    assertNull(ActionParser.peekRequestId("{\"requestId\":7}"));
    assertNull(ActionParser.peekRequestId("{\"requestId\":\"\"}"));
    assertNull(ActionParser.peekRequestId("{\"requestId\":\"" + "x".repeat(129) + "\"}"));
    assertNull(ActionParser.peekRequestId("{\"a\":" + "[".repeat(100) + "]}"));
  }
}
