package dev.roomlog.gateway.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.action.Authorizer;
import dev.roomlog.protocol.integration.RouteEvent;
import dev.roomlog.protocol.integration.Routes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code $connect} route against a real HTTP backend: its answer decides the handshake (0 to
 * admit, else the status to refuse with), no answer is 503, and it gets the API Gateway CONNECT
 * event without the client's credentials.
 */
class ConnectRouteTest {
  private static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");
  private final AtomicInteger status = new AtomicInteger(204);
  private final AtomicReference<JsonNode> lastEvent = new AtomicReference<>();
  private final AtomicReference<String> lastKey = new AtomicReference<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicInteger ids = new AtomicInteger();
  private HttpServer backend;

  private int startBackend() throws IOException {
    backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext(
        "/connect",
        exchange -> {
          lastEvent.set(Json.MAPPER.readTree(exchange.getRequestBody().readAllBytes()));
          lastKey.set(exchange.getRequestHeaders().getFirst("Idempotency-Key"));
          exchange.sendResponseHeaders(status.get(), -1);
          exchange.close();
        });
    backend.createContext(
        "/slow",
        exchange -> {
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    backend.start();
    return backend.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    release.countDown();
    if (backend != null) {
      backend.stop(0);
    }
  }

  private ConnectRoute route(String url, int maxCalls) {
    return ConnectRoute.of(
        Routes.parse("[{\"routeKey\":\"$connect\",\"url\":\"" + url + "\",\"maxConcurrency\":1}]"),
        Duration.ofMillis(500),
        maxCalls,
        new RouteEvent.Place("gw.example.com:8081", RouteEvent.STAGE),
        Clock.fixed(T0, ZoneOffset.UTC),
        new ConnectRoute.Ids() {
          @Override
          public String gatewayId() {
            return "gw-1";
          }

          @Override
          public String gatewayInstance() {
            return "gw-1-run";
          }

          @Override
          public String newRequestId() {
            return "id-" + ids.incrementAndGet();
          }
        });
  }

  private static ConnectRoute.Handshake handshake(String connectionId) {
    return new ConnectRoute.Handshake(
        connectionId,
        "203.0.113.7",
        "ua/2",
        Authorizer.apiKey("web"),
        Map.of(
            "host", List.of("chat.example.com"),
            "x-api-key", List.of("the-secret"),
            "authorization", List.of("Basic abc"),
            "x-client", List.of("v1")),
        Map.of("room", List.of("lobby")));
  }

  @Test
  void a2xxAdmitsAndTheBackendGetsTheConnectEventWithoutCredentials() throws Exception {
    ConnectRoute route = route("http://127.0.0.1:" + startBackend() + "/connect", 8);
    String connectionId = route.newConnectionId();

    assertEquals(0, route.authorise(handshake(connectionId)).get(5, TimeUnit.SECONDS));

    JsonNode event = lastEvent.get();
    assertEquals("$connect", event.at("/requestContext/routeKey").textValue());
    assertEquals("CONNECT", event.at("/requestContext/eventType").textValue());
    assertEquals(connectionId, event.at("/requestContext/connectionId").textValue());
    assertTrue(connectionId.startsWith("gw-1."), connectionId);
    assertEquals(T0.toEpochMilli(), event.at("/requestContext/connectedAt").longValue());
    assertEquals("web", event.at("/requestContext/authorizer/principalId").textValue());
    assertEquals("ua/2", event.at("/requestContext/identity/userAgent").textValue());
    assertEquals("chat.example.com", event.at("/headers/host").textValue());
    assertEquals("v1", event.at("/headers/x-client").textValue());
    assertFalse(event.get("headers").has("x-api-key"), "the client's key is not the backend's");
    assertFalse(event.get("headers").has("authorization"));
    assertEquals("lobby", event.at("/queryStringParameters/room").textValue());
    assertEquals(event.at("/requestContext/requestId").textValue(), lastKey.get());
  }

  @Test
  void aNon2xxIsTheStatusTheHandshakeIsRefusedWith() throws Exception {
    ConnectRoute route = route("http://127.0.0.1:" + startBackend() + "/connect", 8);
    status.set(403);
    assertEquals(403, route.authorise(handshake("gw-1.a")).get(5, TimeUnit.SECONDS));
    status.set(302);
    assertEquals(502, route.authorise(handshake("gw-1.b")).get(5, TimeUnit.SECONDS));
  }

  @Test
  void noAnswerInTimeAnUnreachableBackendOrNoFreeSlotIs503() throws Exception {
    int port = startBackend();
    ConnectRoute slow = route("http://127.0.0.1:" + port + "/slow", 1);
    var first = slow.authorise(handshake("gw-1.a"));
    // The one slot is taken by the call that waits: the next is refused at once.
    assertEquals(503, slow.authorise(handshake("gw-1.b")).get(5, TimeUnit.SECONDS));
    assertEquals(503, first.get(5, TimeUnit.SECONDS), "past the 500 ms timeout");
    backend.stop(0);
    backend = null;
    ConnectRoute gone = route("http://127.0.0.1:" + port + "/connect", 8);
    assertEquals(503, gone.authorise(handshake("gw-1.c")).get(5, TimeUnit.SECONDS));
    assertNull(
        ConnectRoute.of(
            Routes.NONE,
            Duration.ofSeconds(1),
            1,
            new RouteEvent.Place("x", RouteEvent.STAGE),
            Clock.systemUTC(),
            null),
        "no $connect route: handshakes are asked nowhere");
  }
}
