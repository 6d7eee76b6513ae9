package dev.roomlog.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.gateway.auth.TokenVerifier;
import dev.roomlog.gateway.connection.ActionIntake;
import dev.roomlog.gateway.connection.ConnectionRegistry;
import dev.roomlog.gateway.handshake.HandshakeHandler;
import dev.roomlog.gateway.handshake.HandshakePolicy;
import dev.roomlog.gateway.ipfilter.IpRules;
import dev.roomlog.gateway.metrics.GatewayMetrics;
import dev.roomlog.gateway.settings.GatewaySettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's meters, read from a {@link SimpleMeterRegistry} while the whole client pipeline (an
 * EmbeddedChannel driven with real HTTP and WebSocket bytes) does what it counts.
 */
class GatewayMetricsTest {
  private static final String KEY = TestPipelines.KEY;

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final GatewayMetrics metrics = new GatewayMetrics(meters);
  private final RecordingWalAppender wal = new RecordingWalAppender();
  private final ConnectionRegistry registry = new ConnectionRegistry();
  private final AtomicInteger ids = new AtomicInteger();
  private final List<WebSocketTestClient> clients = new ArrayList<>();
  private GatewaySettings settings = TestPipelines.settings().build();
  private ActionIntake intake;

  private WebSocketTestClient client(Supplier<String> scrape) {
    if (intake == null) {
      intake =
          new ActionIntake(
              settings,
              wal,
              Clock.fixed(Instant.parse("2024-04-01T12:00:00Z"), ZoneOffset.UTC),
              () -> "id-" + ids.incrementAndGet(),
              metrics);
      metrics.bindConnections(registry);
      metrics.bindIntake(intake, wal::acceptingConnections);
    }
    TokenVerifier tokens = TokenVerifier.fromSettings(settings, java.time.Clock.systemUTC());
    HandshakePolicy policy =
        HandshakePolicy.create(
            settings,
            tokens,
            () -> IpRules.NONE,
            wal::acceptingConnections,
            java.time.Clock.systemUTC());
    WebSocketTestClient client =
        new WebSocketTestClient(
            new GatewayInitializer(settings, intake, registry, policy, tokens, scrape));
    clients.add(client);
    return client;
  }

  private WebSocketTestClient connected() {
    WebSocketTestClient client = client(null);
    TestPipelines.connect(client);
    return client;
  }

  @AfterEach
  void finish() {
    for (WebSocketTestClient c : clients) {
      c.server.close();
      for (WebSocketFrame frame : c.remainingFrames()) {
        ReferenceCountUtil.release(frame);
      }
      c.close();
    }
  }

  private double count(String name, String... tags) {
    var counter = meters.find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void countsEachRefusedHandshakeByStatusAndReason() {
    assertEquals(401, client(null).handshake(null).status());
    assertEquals(401, client(null).handshake("wrong").status());
    assertEquals(404, client(null).http(WebSocketTestClient.upgradeRequest("/chat", KEY)).status());

    assertEquals(
        2, count("roomlog.gateway.handshakes.refused", "status", "401", "reason", "apiKey"));
    assertEquals(
        1, count("roomlog.gateway.handshakes.refused", "status", "404", "reason", "notFound"));
  }

  @Test
  void countsHandshakesRefusedForTheirHttpVersionOrPastTheHandshakeRate() {
    settings = settings.toBuilder().handshakeRatePerIp(1, 1).build();
    WebSocketTestClient first = client(null);
    HandshakePolicy shared =
        HandshakePolicy.create(
            settings,
            TokenVerifier.fromSettings(settings, java.time.Clock.systemUTC()),
            () -> IpRules.NONE,
            wal::acceptingConnections,
            java.time.Clock.systemUTC());
    String http10 = WebSocketTestClient.upgradeRequest("/", KEY).replace("HTTP/1.1", "HTTP/1.0");

    assertEquals(505, first.http(http10).status());
    assertEquals(101, sharing(shared).handshake(KEY).status());
    assertEquals(429, sharing(shared).handshake(KEY).status());

    assertEquals(
        1, count("roomlog.gateway.handshakes.refused", "status", "505", "reason", "httpVersion"));
    assertEquals(
        1, count("roomlog.gateway.handshakes.refused", "status", "429", "reason", "handshakeRate"));
  }

  /** A client of the node whose handshake policy (and so handshake rate) is {@code policy}. */
  private WebSocketTestClient sharing(HandshakePolicy policy) {
    WebSocketTestClient client =
        new WebSocketTestClient(
            new GatewayInitializer(
                settings,
                intake,
                registry,
                policy,
                TokenVerifier.fromSettings(settings, java.time.Clock.systemUTC()),
                null));
    clients.add(client);
    return client;
  }

  @Test
  void connectionsOpenFollowsTheRegistry() {
    WebSocketTestClient first = connected();
    connected();
    assertEquals(2, meters.get("roomlog.gateway.connections.open").gauge().value());

    first.server.close();
    first.endOfStream();

    assertEquals(1, meters.get("roomlog.gateway.connections.open").gauge().value());
  }

  @Test
  void countsActionsByTypeAndOutcomeOnceKafkaAnswers() {
    WebSocketTestClient client = connected();
    client.sendText("{\"action\":\"leaveRoom\",\"roomId\":\"lobby\",\"requestId\":\"r1\"}");
    client.sendText(
        "{\"action\":\"sendMessage\",\"roomId\":\"lobby\",\"text\":\"hi\",\"requestId\":\"r2\"}");
    assertEquals(
        0,
        count("roomlog.gateway.actions", "outcome", GatewayMetrics.APPENDED),
        "not before Kafka answers");

    wal.action("r1").callback().onAcknowledged();
    wal.action("r2").callback().onFailure(new TimeoutException("slow"));

    assertEquals(1, count("roomlog.gateway.actions", "type", "leaveRoom", "outcome", "appended"));
    assertEquals(
        1, count("roomlog.gateway.actions", "type", "sendMessage", "outcome", "logUnavailable"));
    assertEquals(503, TestPipelines.json(client.nextText()).get("status").asInt());
    assertEquals(
        1, count("roomlog.gateway.error.frames", "status", "503", "code", "logUnavailable"));
  }

  @Test
  void countsRateLimitedAndInvalidMessagesAsUnknownTypeWithTheirErrorCode() {
    settings = settings.toBuilder().connectionRate(10, 1).build();
    WebSocketTestClient client = connected();

    client.sendText("not json");
    JsonNode badJson = TestPipelines.json(client.nextText());
    client.sendText("{\"action\":\"leaveRoom\",\"roomId\":\"lobby\"}");
    JsonNode limited = TestPipelines.json(client.nextText());

    assertEquals("badJson", badJson.get("code").asText());
    assertEquals("rateLimited", limited.get("code").asText());
    assertEquals(1, count("roomlog.gateway.actions", "type", "unknown", "outcome", "badJson"));
    assertEquals(1, count("roomlog.gateway.actions", "type", "unknown", "outcome", "rateLimited"));
    assertEquals(1, count("roomlog.gateway.error.frames", "status", "429", "code", "rateLimited"));
    assertEquals(1, count("roomlog.gateway.error.frames", "status", "400", "code", "badJson"));
  }

  @Test
  void countsActionsRefusedByTheInFlightBoundAsOverloaded() {
    settings = settings.toBuilder().maxInFlightActions(1).build();
    WebSocketTestClient client = connected();

    client.sendText("{\"action\":\"leaveRoom\",\"roomId\":\"a\"}");
    client.sendText("{\"action\":\"leaveRoom\",\"roomId\":\"b\"}");

    assertEquals(503, TestPipelines.json(client.nextText()).get("status").asInt());
    assertEquals(1, count("roomlog.gateway.actions", "type", "leaveRoom", "outcome", "overloaded"));
    assertEquals(1, meters.get("roomlog.gateway.actions.in.flight").gauge().value());
  }

  @Test
  void countsActionsRefusedForTheWritersBacklogAsOverloaded() {
    WebSocketTestClient client = connected();
    wal.setAcceptingActions(false);

    client.sendText("{\"action\":\"leaveRoom\",\"roomId\":\"a\"}");

    assertEquals(503, TestPipelines.json(client.nextText()).get("status").asInt());
    assertEquals(1, count("roomlog.gateway.actions", "type", "leaveRoom", "outcome", "overloaded"));
    assertEquals(1, count("roomlog.gateway.error.frames", "status", "503", "code", "overloaded"));
  }

  @Test
  void deliveryCountsAreReadFromTheRegistry() {
    WebSocketTestClient client = client(null);
    String connectionId = TestPipelines.connect(client);

    registry.deliver(List.of(connectionId, "gone"), "{\"type\":\"pong\"}");
    client.server.runPendingTasks();

    assertEquals("pong", TestPipelines.json(client.nextText()).get("type").asText());
    assertEquals(1, meters.get("roomlog.gateway.frames.written").functionCounter().count());
    assertEquals(1, meters.get("roomlog.gateway.unknown.recipients").functionCounter().count());
    assertEquals(0, meters.get("roomlog.gateway.slow.reader.closes").functionCounter().count());
  }

  @Test
  void readyFollowsWhetherTheLogTakesConnections() {
    connected();
    assertEquals(1, meters.get("roomlog.gateway.ready").gauge().value());

    wal.setAcceptingConnections(false);

    assertEquals(0, meters.get("roomlog.gateway.ready").gauge().value());
  }

  @Test
  void metricsPathAnswersTheScrapeWithoutAKeyAndCloses() {
    WebSocketTestClient client = client(() -> "roomlog_gateway_connections_open 0.0\n");

    WebSocketTestClient.HttpReply reply =
        client.http("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");

    assertEquals(200, reply.status());
    assertEquals(HandshakeHandler.METRICS_CONTENT_TYPE, reply.headers().get("content-type"));
    assertEquals("roomlog_gateway_connections_open 0.0\n", reply.body());
    assertFalse(client.server.isOpen(), "closed after the answer");
  }

  @Test
  void metricsPathIsNotFoundWithoutAScrape() {
    WebSocketTestClient client = client(null);

    WebSocketTestClient.HttpReply reply =
        client.http("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");

    assertEquals(404, reply.status());
    assertNull(
        meters.find("roomlog.gateway.handshakes.refused").tags("reason", "apiKey").counter());
  }
}
