package dev.roomlog.gateway.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** What a rate-limited message is answered with, read without parsing it into an action. */
class ConnectionTest {

  @Test
  void peeksTheTopLevelRequestIdWhereverItIs() {
    assertEquals("r1", Connection.peekRequestId("{\"requestId\":\"r1\",\"action\":\"x\"}"));
    assertEquals(
        "r2",
        Connection.peekRequestId(
            "{\"action\":\"x\",\"nested\":{\"requestId\":\"no\"},\"list\":[1,{}],\"requestId\":\"r2\"}"));
  }

  @Test
  void findsNoRequestIdWhereAParserWouldNotAcceptOne() {
    assertNull(Connection.peekRequestId("not json"));
    // A lone surrogate escape could not be sent back in the 429's frame.
    assertNull(Connection.peekRequestId("{\"requestId\":\"a\\ud800\"}"));
    assertNull(Connection.peekRequestId("[\"requestId\",\"r1\"]"));
    assertNull(Connection.peekRequestId("{\"nested\":{\"requestId\":\"r1\"}}"));
    assertNull(Connection.peekRequestId("{\"requestId\":7}"));
    assertNull(Connection.peekRequestId("{\"requestId\":\"\"}"));
    assertNull(Connection.peekRequestId("{\"requestId\":\"" + "x".repeat(129) + "\"}"));
    assertNull(Connection.peekRequestId("{\"a\":" + "[".repeat(100) + "]}"));
  }
}
