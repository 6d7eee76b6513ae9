package dev.roomlog.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.roomlog.integrations.Integrations;
import dev.roomlog.integrations.IntegrationsSettings;
import dev.roomlog.protocol.Json;
import dev.roomlog.systemtest.SharedKafka;
import dev.roomlog.systemtest.WsClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Route integrations through a real Roomlog (gateway, processor, shared broker), a real
 * integrations worker and a real HTTP backend started by the test: a custom action reaches its
 * route as the API Gateway event, a two-way route's answer reaches the client as a frame, a backend
 * that fails twice still gets every action of a connection in order, a {@code $connect} route that
 * answers 403 refuses the handshake with 403, and the {@code $disconnect} route is told of a close.
 */
class RoutesIT {
  private static final String API_KEY_NAME = "key-1";

  @Test
  void routedActionsReachTheirBackendAsApiGatewayEventsInOrderAndTwoWayAnswersComeBack()
      throws Exception {
    Backend backend = new Backend();
    Path routes = Files.createTempFile("routes", ".json");
    Files.writeString(
        routes,
        """
        [{"routeKey":"placeOrder","url":"http://127.0.0.1:%1$d/orders","twoWay":true},
         {"routeKey":"$default","url":"http://127.0.0.1:%1$d/flaky","maxConcurrency":2},
         {"routeKey":"$disconnect","url":"http://127.0.0.1:%1$d/bye"}]
        """
            .formatted(backend.port()));
    try (InProcessRoomlog roomlog = InProcessRoomlog.start(g -> g.routesFile(routes));
        Integrations worker =
            Integrations.start(
                IntegrationsSettings.of(roomlog.bootstrapServers(), roomlog.topics())
                    .with(IntegrationsSettings.ROUTES_FILE, routes)
                    .with(IntegrationsSettings.GROUP_ID, roomlog.applicationId() + "-routes")
                    .with(IntegrationsSettings.START_FROM, "earliest")
                    .with(IntegrationsSettings.ROUTE_DOMAIN_NAME, "127.0.0.1:8081")
                    .with(IntegrationsSettings.RETRY_BASE_DELAY, Duration.ofMillis(100))
                    .with(IntegrationsSettings.RETRY_MAX_DELAY, Duration.ofSeconds(1)),
                failure -> {})) {
      assertEquals(3, worker.routes());
      WsClient ann = WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY);
      String frame = "{\"action\":\"placeOrder\",\"requestId\":\"o1\",\"sku\":\"b-12\",\"qty\":2}";
      ann.send(frame);

      // The custom action, as API Gateway would have sent it to a Lambda proxy integration.
      await().atMost(Duration.ofSeconds(30)).until(() -> !backend.orders.isEmpty());
      Call order = backend.orders.get(0);
      JsonNode event = order.event();
      assertEquals(frame, event.get("body").textValue(), "the body is the frame as sent");
      assertFalse(event.get("isBase64Encoded").booleanValue());
      JsonNode rc = event.get("requestContext");
      assertEquals("placeOrder", rc.get("routeKey").textValue());
      assertEquals("MESSAGE", rc.get("eventType").textValue());
      assertEquals(ann.connectionId(), rc.get("connectionId").textValue());
      assertEquals("127.0.0.1", rc.at("/identity/sourceIp").textValue());
      assertTrue(rc.at("/identity/userAgent").isTextual(), rc.toString());
      assertEquals(API_KEY_NAME, rc.at("/authorizer/principalId").textValue());
      assertEquals("127.0.0.1:8081", rc.get("domainName").textValue());
      assertEquals("$default", rc.get("stage").textValue());
      assertTrue(rc.get("connectedAt").longValue() <= rc.get("requestTimeEpoch").longValue());
      assertEquals(rc.get("requestId").textValue(), order.idempotencyKey());

      // Its two-way answer reaches the client as a frame.
      JsonNode answer = ann.awaitFrame("orderPlaced", f -> true);
      assertEquals("b-12", answer.get("sku").textValue());

      // A backend that fails its first two calls still gets every action, in the order sent.
      for (int n = 0; n < 6; n++) {
        ann.send("{\"action\":\"ping\",\"n\":" + n + "}");
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> backend.firstArrivals.size() == 6);
      assertEquals(List.of(0, 1, 2, 3, 4, 5), backend.firstArrivals);
      assertEquals(2, backend.failed.get(), "the first two calls were answered 500");
      String connectionId = ann.connectionId();
      ann.close();

      // The $disconnect route is told of the close, once.
      await().atMost(Duration.ofSeconds(30)).until(() -> !backend.byes.isEmpty());
      JsonNode bye = backend.byes.get(0).event();
      assertEquals("$disconnect", bye.at("/requestContext/routeKey").textValue());
      assertEquals("DISCONNECT", bye.at("/requestContext/eventType").textValue());
      assertEquals(connectionId, bye.at("/requestContext/connectionId").textValue());
      assertTrue(
          SharedKafka.readAll(roomlog.topics().deadLetters()).isEmpty(),
          "the processor set none of the routed records aside");
      assertEquals(1, backend.byes.size(), "one $disconnect call, not one per partition");
    } finally {
      backend.stop();
    }
  }

  @Test
  void aConnectRouteThatAnswers403RefusesTheHandshakeWith403AndA2xxAdmitsIt() throws Exception {
    List<String> refusedUsers = new CopyOnWriteArrayList<>();
    List<String> admitted = new CopyOnWriteArrayList<>();
    HttpServer auth = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    auth.createContext(
        "/connect",
        exchange -> {
          JsonNode event = Json.MAPPER.readTree(exchange.getRequestBody().readAllBytes());
          boolean mallory = "mallory".equals(event.at("/headers/x-user").textValue());
          (mallory ? refusedUsers : admitted)
              .add(event.at("/requestContext/connectionId").textValue());
          Backend.answer(exchange, mallory ? 403 : 200, null);
        });
    auth.start();
    Path routes = Files.createTempFile("routes", ".json");
    Files.writeString(
        routes,
        "[{\"routeKey\":\"$connect\",\"url\":\"http://127.0.0.1:%d/connect\"}]"
            .formatted(auth.getAddress().getPort()));
    try (InProcessRoomlog roomlog = InProcessRoomlog.start(g -> g.routesFile(routes))) {
      assertEquals(403, handshakeStatus(roomlog.port(), "mallory"));
      assertEquals(1, refusedUsers.size(), "the route was asked");

      WsClient ann = WsClient.connect(roomlog.port(), InProcessRoomlog.API_KEY);
      assertEquals(List.of(ann.connectionId()), admitted, "the route was told the connection's id");
      ann.sendAction("createRoom", "username", "ann", "requestId", "c1");
      ann.awaitAnswer("c1");
      ann.close();
    } finally {
      auth.stop(0);
    }
  }

  /** The status the gateway answers a handshake with the header {@code x-user: user}. */
  private static int handshakeStatus(int port, String user) throws Exception {
    HttpRequestHead head =
        new HttpRequestHead(
            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + "x-api-key: "
                + InProcessRoomlog.API_KEY
                + "\r\nx-user: "
                + user
                + "\r\n\r\n");
    return head.send(port);
  }

  /** A raw handshake over a socket: the status line is all a refusal needs. */
  record HttpRequestHead(String text) {
    int send(int port) throws IOException {
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        String statusLine =
            new java.io.BufferedReader(
                    new java.io.InputStreamReader(
                        socket.getInputStream(), StandardCharsets.US_ASCII))
                .readLine();
        return Integer.parseInt(statusLine.split(" ")[1]);
      }
    }
  }

  /** One call the backend got: its body and its Idempotency-Key. */
  record Call(byte[] body, String idempotencyKey) {
    JsonNode event() throws IOException {
      return Json.MAPPER.readTree(body);
    }
  }

  /** The test's backend: an orders route (two-way), a flaky default route and a goodbye route. */
  static final class Backend {
    final List<Call> orders = new CopyOnWriteArrayList<>();
    final List<Call> byes = new CopyOnWriteArrayList<>();
    final List<Integer> firstArrivals = new CopyOnWriteArrayList<>();
    final Map<String, Boolean> seen = new ConcurrentHashMap<>();
    final AtomicInteger flakyCalls = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    private final HttpServer server;

    Backend() throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.setExecutor(Executors.newFixedThreadPool(4));
      server.createContext("/orders", this::orders);
      server.createContext("/flaky", this::flaky);
      server.createContext(
          "/bye",
          exchange -> {
            byes.add(read(exchange));
            answer(exchange, 200, null);
          });
      server.start();
    }

    int port() {
      return server.getAddress().getPort();
    }

    void stop() {
      server.stop(0);
    }

    private void orders(HttpExchange exchange) throws IOException {
      Call call = read(exchange);
      orders.add(call);
      JsonNode sent = Json.MAPPER.readTree(call.event().get("body").textValue());
      answer(
          exchange, 200, "{\"type\":\"orderPlaced\",\"sku\":\"" + sent.get("sku").asText() + "\"}");
    }

    private void flaky(HttpExchange exchange) throws IOException {
      Call call = read(exchange);
      if (flakyCalls.incrementAndGet() <= 2) {
        failed.incrementAndGet();
        answer(exchange, 500, null);
        return;
      }
      if (seen.putIfAbsent(call.idempotencyKey(), true) == null) {
        JsonNode sent = Json.MAPPER.readTree(call.event().get("body").textValue());
        firstArrivals.add(sent.get("n").asInt());
      }
      answer(exchange, 204, null);
    }

    private static Call read(HttpExchange exchange) throws IOException {
      return new Call(
          exchange.getRequestBody().readAllBytes(),
          exchange.getRequestHeaders().getFirst("Idempotency-Key"));
    }

    static void answer(HttpExchange exchange, int status, String body) throws IOException {
      if (body == null) {
        exchange.sendResponseHeaders(status, -1);
      } else {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
      }
      exchange.close();
    }
  }
}
