package dev.roomlog.integrations;

import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.integration.RouteEvent;
import dev.roomlog.protocol.integration.Routes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Route integrations as calls: each log record a route takes is one POST of the API Gateway event
 * ({@link RouteEvent}) to the route's URL, one at a time per connection, with the record's
 * requestId as its {@code Idempotency-Key}. A two-way route's call keeps the answer's body.
 * Immutable.
 */
final class RouteCalls implements Targets {
  static final String USER_AGENT = "Roomlog-Routes/0.1";

  private final Routes routes;
  private final RouteEvent.Place place;

  RouteCalls(Routes routes, RouteEvent.Place place) {
    this.routes = routes;
    this.place = place;
  }

  /**
   * The route a log record goes to, or null: a routed action its route (by its routeKey), a {@code
   * $disconnect} the {@code $disconnect} route. Everything else (room actions, {@code $connect},
   * heartbeats) goes to none: {@code $connect} is called by the gateway, during the handshake.
   */
  String routeOf(WalRecord record) {
    String key;
    if (record.action() instanceof Action.Routed routed) {
      key = routed.route();
    } else if (record.action() instanceof Action.Disconnect) {
      key = Routes.DISCONNECT;
    } else {
      return null;
    }
    return routes.get(key).isPresent() ? key : null;
  }

  boolean twoWay(String routeKey) {
    return routes.get(routeKey).map(Routes.Route::twoWay).orElse(false);
  }

  /** Whether any route is the worker's to call (anything but {@code $connect}). */
  boolean any() {
    return routes.all().stream().anyMatch(r -> !r.routeKey().equals(Routes.CONNECT));
  }

  /** The event's body: the routed frame as sent; a {@code $disconnect} has none. */
  static byte[] body(WalRecord record, RouteEvent.Place place) {
    String body = record.action() instanceof Action.Routed routed ? routed.body() : null;
    return Json.write(RouteEvent.of(record.requestContext(), body, place))
        .getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public boolean has(String targetId) {
    return routes.get(targetId).isPresent();
  }

  @Override
  public int maxConcurrency(String targetId) {
    return routes.get(targetId).orElseThrow().maxConcurrency();
  }

  @Override
  public Duration retryFor(String targetId) {
    return routes.get(targetId).map(Routes.Route::retryFor).orElse(null);
  }

  @Override
  public Call call(String targetId, List<Item> batch, Instant now) {
    if (batch.size() != 1) {
      throw new IllegalStateException("a route call carries one action, got " + batch.size());
    }
    Routes.Route route = routes.get(targetId).orElseThrow();
    WalRecord record = batch.get(0).action;
    return new Call(
        targetId,
        route.url(),
        record.connectionId(),
        record.requestContext().requestId(),
        body(record, place),
        Map.of("content-type", "application/json", "user-agent", USER_AGENT),
        route.twoWay());
  }

  @Override
  public String callId(List<Item> batch) {
    WalRecord record = batch.get(0).action;
    return record.connectionId() + " " + record.requestContext().requestId();
  }

  @Override
  public String gone() {
    return "route no longer configured";
  }
}
