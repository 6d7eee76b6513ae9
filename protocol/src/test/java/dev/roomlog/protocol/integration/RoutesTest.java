package dev.roomlog.protocol.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.ActionParser;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RoutesTest {
  private static final Routes ROUTES =
      Routes.parse(
          "[{\"routeKey\":\"placeOrder\",\"url\":\"http://orders:8080/ws\",\"twoWay\":true,"
              + "\"maxConcurrency\":8,\"retryFor\":\"1h\"},"
              + "{\"routeKey\":\"$default\",\"url\":\"http://bot:8080/\"},"
              + "{\"routeKey\":\"$connect\",\"url\":\"http://auth:8080/\",\"timeout\":\"2s\"}]");

  @Test
  void anActionTakesItsOwnRouteElseDefault() {
    Routes.Route order = ROUTES.forAction("placeOrder").orElseThrow();
    assertEquals("http://orders:8080/ws", order.url().toString());
    assertTrue(order.twoWay());
    assertEquals(8, order.maxConcurrency());
    assertEquals(Duration.ofHours(1), order.retryFor());
    assertEquals("$default", ROUTES.forAction("anythingElse").orElseThrow().routeKey());
    assertEquals(Duration.ofSeconds(2), ROUTES.get("$connect").orElseThrow().timeout());
  }

  @Test
  void roomlogsOwnActionsAndDollarNamesAreNeverRouted() {
    assertEquals(Optional.empty(), ROUTES.forAction("sendMessage"));
    assertEquals(Optional.empty(), ROUTES.forAction("refresh"));
    assertEquals("$default", ROUTES.forAction("$connect").orElseThrow().routeKey());
    assertEquals(Optional.empty(), Routes.NONE.forAction("placeOrder"));
  }

  @Test
  void aBuiltInActionCannotBeConfiguredAsARoute() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Routes.parse("[{\"routeKey\":\"sendMessage\",\"url\":\"http://x/\"}]"));
    assertTrue(e.getMessage().contains("cannot be routed"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Routes.parse("[{\"routeKey\":\"$heartbeat\",\"url\":\"http://x/\"}]"));
    assertTrue(e.getMessage().contains("$default, $connect and $disconnect"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Routes.parse("[{\"routeKey\":\"a\",\"url\":\"ftp://x/\"}]"));
    assertTrue(e.getMessage().contains("route a: url must be http"), e.getMessage());
  }

  @Test
  void theParserAcceptsARoutedActionWithTheFrameAsSent() {
    String frame = "{\"action\":\"placeOrder\",\"requestId\":\"r1\",\"sku\":\"x\"}";
    ActionParser.Result result = ActionParser.parse(frame, null, ROUTES);
    assertEquals(
        new ActionParser.Result.Accepted(new Action.Routed("r1", "placeOrder", frame)), result);
    // A frame that is not one JSON object is refused as before, routes or not.
    assertTrue(
        ActionParser.parse("{\"action\":\"x\"} 1", null, ROUTES)
            instanceof ActionParser.Result.Rejected);
  }
}
