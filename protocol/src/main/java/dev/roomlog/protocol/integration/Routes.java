package dev.roomlog.protocol.integration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.action.ActionNames;
import dev.roomlog.protocol.settings.Durations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The route integrations, by route key, read from the routes file (a JSON array; see
 * docs/INTEGRATIONS.md "Route integrations"). The gateway and the integrations worker read the same
 * file: the gateway to know which action names it accepts and whether {@code $connect} authorises,
 * the worker to know where each goes. A route key is a client action name that is none of Roomlog's
 * own ({@link ActionNames#CLIENT_ACTIONS} cannot be routed), {@code $default} (any unknown action),
 * {@code $connect} or {@code $disconnect}. A bad file fails at start naming the route and the
 * field. Immutable, thread-safe.
 */
public final class Routes {
  public static final String DEFAULT = "$default";
  public static final String CONNECT = ActionNames.CONNECT;
  public static final String DISCONNECT = ActionNames.DISCONNECT;

  public static final Routes NONE = new Routes(List.of());

  /** The longest route key, like API Gateway's. */
  static final int MAX_ROUTE_KEY_LENGTH = 128;

  /**
   * One route.
   *
   * @param routeKey the action name, {@code $default}, {@code $connect} or {@code $disconnect}
   * @param url where its events are POSTed
   * @param twoWay whether a 2xx answer's body is sent to the client as a frame
   * @param maxConcurrency calls to this backend at once, at most
   * @param timeout how long a handshake waits for a {@code $connect} route's answer; null for the
   *     gateway's {@code connectRouteTimeout} (the worker's calls all have its {@code
   *     --call-timeout})
   * @param retryFor how long a parked call is retried before it is dead-lettered; null for the
   *     worker's {@code --retry-for}
   */
  public record Route(
      String routeKey,
      URI url,
      boolean twoWay,
      int maxConcurrency,
      Duration timeout,
      Duration retryFor) {
    public Route {
      Objects.requireNonNull(routeKey, "routeKey");
      Objects.requireNonNull(url, "url");
      if (maxConcurrency < 1) {
        throw new IllegalArgumentException(
            "route " + routeKey + ": maxConcurrency must be >= 1, was " + maxConcurrency);
      }
    }
  }

  private final Map<String, Route> byKey = new LinkedHashMap<>();

  public Routes(List<Route> routes) {
    for (Route route : routes) {
      check(route.routeKey());
      if (byKey.putIfAbsent(route.routeKey(), route) != null) {
        throw new IllegalArgumentException("route " + route.routeKey() + " is configured twice");
      }
    }
  }

  private static void check(String key) {
    if (ActionNames.CLIENT_ACTIONS.contains(key)) {
      throw new IllegalArgumentException(
          "route "
              + key
              + ": Roomlog answers '"
              + key
              + "' itself, so it cannot be routed; choose another action name");
    }
    if (key.startsWith("$") && !Set.of(DEFAULT, CONNECT, DISCONNECT).contains(key)) {
      throw new IllegalArgumentException(
          "route "
              + key
              + ": the only route keys starting with $ are $default, $connect and $disconnect");
    }
    if (key.isEmpty() || key.length() > MAX_ROUTE_KEY_LENGTH) {
      throw new IllegalArgumentException(
          "route keys are 1 to " + MAX_ROUTE_KEY_LENGTH + " characters, was '" + key + "'");
    }
  }

  /** Reads the routes file; a bad one fails naming the file, the route and the field. */
  public static Routes read(Path file) {
    try {
      return parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the routes file " + file, e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  public static Routes parse(String json) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("routes: not JSON (" + e.getMessage() + ")");
    }
    if (root == null || !root.isArray()) {
      throw new IllegalArgumentException("routes: expected a JSON array of routes");
    }
    List<Route> out = new ArrayList<>();
    for (JsonNode node : root) {
      out.add(route(node));
    }
    return new Routes(out);
  }

  private static Route route(JsonNode node) {
    JsonNode key = node.path("routeKey");
    if (!key.isTextual()) {
      throw new IllegalArgumentException("a route needs a routeKey (a string)");
    }
    String where = "route " + key.asText();
    JsonNode urlNode = node.path("url");
    if (!urlNode.isTextual()) {
      throw new IllegalArgumentException(where + ": url is required (a string)");
    }
    URI url;
    try {
      url = new URI(urlNode.asText());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(where + ": url is not a URL (" + e.getMessage() + ")");
    }
    if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
      throw new IllegalArgumentException(where + ": url must be http:// or https://, was " + url);
    }
    JsonNode timeout = node.path("timeout");
    JsonNode retryFor = node.path("retryFor");
    return new Route(
        key.asText(),
        url,
        node.path("twoWay").asBoolean(false),
        node.path("maxConcurrency").asInt(4),
        timeout.isTextual() ? Durations.parse(where + " timeout", timeout.asText()) : null,
        retryFor.isTextual() ? Durations.parse(where + " retryFor", retryFor.asText()) : null);
  }

  /**
   * The route a client action named {@code action} takes: its own, else {@code $default}, else
   * none. Roomlog's own actions and names starting with {@code $} take none of their own (a client
   * cannot send {@code $connect}).
   */
  public Optional<Route> forAction(String action) {
    if (ActionNames.CLIENT_ACTIONS.contains(action)) {
      return Optional.empty();
    }
    Route own = action.startsWith("$") ? null : byKey.get(action);
    return Optional.ofNullable(own != null ? own : byKey.get(DEFAULT));
  }

  /** The route of {@code routeKey} exactly ({@code $connect}, {@code $disconnect}, a name). */
  public Optional<Route> get(String routeKey) {
    return Optional.ofNullable(byKey.get(routeKey));
  }

  public List<Route> all() {
    return List.copyOf(byKey.values());
  }

  public boolean isEmpty() {
    return byKey.isEmpty();
  }
}
