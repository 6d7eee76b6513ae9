package dev.roomlog.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.gateway.connection.ActionIntake;
import dev.roomlog.gateway.connection.ConnectionRegistry;
import dev.roomlog.gateway.settings.ApiKey;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.action.RequestContext.EventType;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Route integrations at the gateway: an action that is none of Roomlog's own is accepted when a
 * route takes it (its own or {@code $default}), stamped with its connection's context and written
 * to the log with the frame as sent; without a route it is refused as before.
 */
class RoutedActionsTest {
  private static final String KEY = "secret-key";
  private static final Instant T0 = Instant.parse("2024-04-01T12:00:00Z");

  @TempDir Path dir;
  private final RecordingWalAppender wal = new RecordingWalAppender();
  private final ConnectionRegistry registry = new ConnectionRegistry();
  private final AtomicInteger ids = new AtomicInteger();
  private final GatewayPipelineTest.MutableClock clock = new GatewayPipelineTest.MutableClock(T0);
  private WebSocketTestClient client;

  private String connect(String routesJson, int maxUnanswered) throws IOException {
    Path routes = Files.writeString(dir.resolve("routes.json"), routesJson);
    GatewaySettings settings =
        GatewaySettings.builder(List.of(new ApiKey("alpha", KEY)), "gw-test")
            .routesFile(routes)
            .maxUnansweredActionsPerConnection(maxUnanswered)
            .build();
    ActionIntake intake =
        new ActionIntake(settings, wal, clock, () -> "id-" + ids.incrementAndGet());
    client = new WebSocketTestClient(new GatewayInitializer(settings, intake, registry));
    assertEquals(101, client.handshake(KEY).status());
    return json(client.nextText()).get("connectionId").asText();
  }

  private static String route(String key) {
    return "{\"routeKey\":\"" + key + "\",\"url\":\"http://127.0.0.1:9/" + key + "\"}";
  }

  @AfterEach
  void finish() {
    closeAndFinish();
  }

  /** Closes the server's side, answers its close frame, and checks nothing is left. */
  private void closeAndFinish() {
    if (client != null) {
      client.server.close();
      if (client.server.isOpen()) {
        client.endOfStream();
      }
      for (WebSocketFrame frame : client.remainingFrames()) {
        ReferenceCountUtil.release(frame);
      }
      assertFalse(client.server.finish());
      client = null;
    }
  }

  @Test
  void aRoutedActionIsLoggedWithItsConnectionsContextAndTheFrameAsSent() throws IOException {
    String connectionId = connect("[" + route("placeOrder") + "]", 64);
    clock.set(T0.plusMillis(40));
    String frame = "{\"action\":\"placeOrder\",\"requestId\":\"o1\",\"sku\":\"b-12\",\"qty\":2}";

    client.sendText(frame);

    List<WalRecord> records = wal.records();
    assertEquals(2, records.size(), "its $connect, then it");
    assertInstanceOf(Action.Connect.class, records.get(0).action());
    WalRecord routed = records.get(1);
    assertEquals(new Action.Routed("o1", "placeOrder", frame), routed.action());
    RequestContext ctx = routed.requestContext();
    assertEquals("placeOrder", ctx.routeKey());
    assertEquals(EventType.MESSAGE, ctx.eventType());
    assertEquals(connectionId, ctx.connectionId());
    assertEquals(T0.toEpochMilli(), ctx.connectedAt());
    assertEquals(T0.plusMillis(40).toEpochMilli(), ctx.requestTimeEpoch());
    assertEquals(WebSocketTestClient.SOURCE_IP, ctx.identity().sourceIp());
    assertEquals("alpha", ctx.authorizer().principalId());
    assertEquals(connectionId, routed.key(), "keyed by its connection: its order is kept");
    assertFalse(routed.toEveryPartition());
    assertNull(client.nextFrame(), "the gateway does not answer it");
  }

  @Test
  void anUnknownActionWithoutARouteIsStillRefusedWith400() throws IOException {
    connect("[" + route("placeOrder") + "]", 64);

    client.sendText("{\"action\":\"cancelOrder\",\"requestId\":\"c1\"}");

    JsonNode error = json(client.nextText());
    assertEquals("unknownAction", error.get("code").asText());
    assertEquals("c1", error.get("requestId").asText());
    assertEquals(List.of(), wal.records());
  }

  @Test
  void withDefaultAnyUnknownActionIsRoutedAsDefaultButBuiltInsAreNot() throws IOException {
    connect("[" + route("$default") + "]", 64);

    client.sendText("{\"action\":\"cancelOrder\"}");
    client.sendText("{\"action\":\"leaveRoom\",\"roomId\":\"lobby\"}");
    client.sendText("{\"action\":\"joinRoom\"}"); // a built-in, invalid: refused, never routed

    List<WalRecord> records = wal.records();
    assertEquals(3, records.size());
    assertEquals("$default", records.get(1).requestContext().routeKey());
    assertEquals(
        new Action.Routed(null, "$default", "{\"action\":\"cancelOrder\"}"),
        records.get(1).action());
    assertInstanceOf(Action.LeaveRoom.class, records.get(2).action());
    assertEquals("missingField", json(client.nextText()).get("code").asText());
  }

  @Test
  void routedActionsDoNotWaitForAnAnswerFromTheProcessor() throws IOException {
    // One unanswered action at most: routed ones are never answered by the processor, so
    // counting them would refuse the connection's third action with 503.
    connect("[" + route("$default") + "]", 1);

    for (int i = 0; i < 5; i++) {
      client.sendText("{\"action\":\"ping\",\"n\":" + i + "}");
    }

    assertEquals(6, wal.records().size());
    assertNull(client.nextFrame());
  }

  @Test
  void withADisconnectRouteEveryCloseIsLogged() throws IOException {
    String connectionId = connect("[" + route("$disconnect") + "]", 64);

    closeAndFinish();

    List<WalRecord> records = wal.records();
    assertEquals(1, records.size(), "a connection that wrote nothing has its close logged");
    assertInstanceOf(Action.Disconnect.class, records.get(0).action());
    assertEquals(connectionId, records.get(0).connectionId());
  }

  private static JsonNode json(String text) {
    try {
      return Json.MAPPER.readTree(text);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }
}
