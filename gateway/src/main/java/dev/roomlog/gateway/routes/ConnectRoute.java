package dev.roomlog.gateway.routes;

import dev.roomlog.protocol.ConnectionIds;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.action.ActionNames;
import dev.roomlog.protocol.action.Authorizer;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.action.RequestContext.EventType;
import dev.roomlog.protocol.integration.RouteEvent;
import dev.roomlog.protocol.integration.Routes;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code $connect} route that authorises handshakes: before the upgrade, the gateway POSTs the
 * API Gateway {@code CONNECT} event (with the handshake's headers and query string) to the route's
 * URL and waits, at most {@code timeout}, with at most {@code maxConcurrency} calls in flight on
 * this node. A 2xx answer admits the connection; any other status refuses the handshake with that
 * status (a 1xx or 3xx with 502); no answer in time, an unreachable backend, or no free call slot
 * refuses it with 503. Not from the log: the log gets the connection's {@code $connect} only once
 * it is accepted, as always. Thread-safe; one per gateway node.
 */
public final class ConnectRoute {
  private static final Logger log = LoggerFactory.getLogger(ConnectRoute.class);

  /** The status of a handshake refused for want of the route's answer. */
  public static final int UNAVAILABLE = 503;

  /** What a client refused with {@code status} is told (never the backend's own words). */
  public static String refusalBody(int status) {
    return status == UNAVAILABLE
        ? "the application is unavailable or did not answer in time: try again later\n"
        : "the application refused the connection\n";
  }

  /** Headers a backend never sees: the client's credentials are the gateway's to check. */
  private static final List<String> WITHHELD = List.of("x-api-key", "authorization", "cookie");

  private final Routes.Route route;
  private final Duration timeout;
  private final Semaphore slots;
  private final RouteEvent.Place place;
  private final Clock clock;
  private final Ids ids;
  private final HttpClient client;

  /** Where its ids come from: the node's, as its records' (ActionIntake). */
  public interface Ids {
    String gatewayId();

    String gatewayInstance();

    /** A new unique id (a request's; a connection's with the gateway's id before it). */
    String newRequestId();
  }

  private ConnectRoute(
      Routes.Route route,
      Duration timeout,
      int maxConcurrency,
      RouteEvent.Place place,
      Clock clock,
      Ids ids) {
    this.route = route;
    this.timeout = timeout;
    this.slots = new Semaphore(maxConcurrency);
    this.place = place;
    this.clock = clock;
    this.ids = ids;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /**
   * The {@code $connect} route of {@code routes}, or null when there is none: then handshakes are
   * not sent anywhere. The route's {@code timeout} and {@code maxConcurrency} win over the node's.
   */
  public static ConnectRoute of(
      Routes routes,
      Duration defaultTimeout,
      int defaultMaxCalls,
      RouteEvent.Place place,
      Clock clock,
      Ids ids) {
    return routes
        .get(Routes.CONNECT)
        .map(
            route ->
                new ConnectRoute(
                    route,
                    route.timeout() != null ? route.timeout() : defaultTimeout,
                    // A route file's maxConcurrency defaults to 4; a node takes more handshakes.
                    Math.max(route.maxConcurrency(), defaultMaxCalls),
                    place,
                    clock,
                    ids))
        .orElse(null);
  }

  /**
   * What the gateway knows of the handshake when it asks the route.
   *
   * @param connectionId the id the connection will have if admitted ({@link #newConnectionId})
   * @param headers by lower-case name; the client's credentials are left out before they are sent
   */
  public record Handshake(
      String connectionId,
      String sourceIp,
      String userAgent,
      Authorizer authorizer,
      Map<String, List<String>> headers,
      Map<String, List<String>> query) {}

  /** The id of a connection being admitted: the route is told it, and the connection keeps it. */
  public String newConnectionId() {
    return ConnectionIds.of(ids.gatewayId(), ids.newRequestId());
  }

  /**
   * Asks the route about {@code handshake}: completes with the status to refuse it with, or 0 to
   * admit it. Never fails.
   */
  public CompletableFuture<Integer> authorise(Handshake handshake) {
    if (!slots.tryAcquire()) {
      log.info(
          "refusing a handshake from {}: {} $connect calls are in flight",
          handshake.sourceIp(),
          slots.availablePermits());
      return CompletableFuture.completedFuture(UNAVAILABLE);
    }
    long now = clock.millis();
    String requestId = ids.newRequestId();
    RequestContext context =
        new RequestContext(
            ActionNames.CONNECT,
            EventType.CONNECT,
            handshake.connectionId(),
            now,
            now,
            requestId,
            new RequestContext.Identity(handshake.sourceIp(), handshake.userAgent()),
            ids.gatewayId(),
            ids.gatewayInstance(),
            handshake.authorizer());
    Map<String, List<String>> headers = new TreeMap<>(handshake.headers());
    WITHHELD.forEach(headers::remove);
    byte[] body =
        Json.write(RouteEvent.connect(context, headers, handshake.query(), place))
            .getBytes(StandardCharsets.UTF_8);
    HttpRequest request =
        HttpRequest.newBuilder(route.url())
            .timeout(timeout)
            .header("content-type", "application/json")
            .header("Idempotency-Key", requestId)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    CompletableFuture<Integer> answer;
    try {
      answer =
          client
              .sendAsync(request, HttpResponse.BodyHandlers.discarding())
              .handle(
                  (response, error) -> {
                    if (response == null) {
                      log.warn(
                          "the $connect route {} did not answer ({}): refusing {} with 503",
                          route.url(),
                          error,
                          handshake.sourceIp());
                      return UNAVAILABLE;
                    }
                    int status = response.statusCode();
                    if (status >= 200 && status < 300) {
                      return 0;
                    }
                    // A redirect or an interim status could not be a handshake's answer.
                    return status >= 400 && status <= 599 ? status : 502;
                  });
    } catch (RuntimeException e) {
      answer = CompletableFuture.completedFuture(UNAVAILABLE);
    }
    return answer.whenComplete((status, error) -> slots.release());
  }
}
