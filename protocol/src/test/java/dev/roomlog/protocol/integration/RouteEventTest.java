package dev.roomlog.protocol.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.Authorizer;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.action.RequestContext.EventType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The API Gateway event of a log record: its fields and values, as a Lambda handler reads them. */
class RouteEventTest {
  private static final RouteEvent.Place PLACE =
      new RouteEvent.Place("roomlog.example.com:8081", RouteEvent.STAGE);
  private static final String FRAME = "{\"action\":\"placeOrder\",\"sku\":\"b-12\",\"qty\":2}";

  private static RequestContext context(String routeKey, EventType type) {
    return new RequestContext(
        routeKey,
        type,
        "gw-1.c7",
        1_764_133_300_000L,
        1_764_133_390_123L,
        "r-42",
        new RequestContext.Identity("203.0.113.7", "Mozilla/5.0"),
        "gw-1",
        "gw-1-run",
        new Authorizer(
            Authorizer.TOKEN, "user-17", "Ann", List.of("shop-*"), false, 1_764_200_000L));
  }

  @Test
  void aRoutedActionIsTheMessageEventWithTheFrameAsBody() throws Exception {
    // Through the log and back, as the worker reads it.
    WalRecord record =
        Json.MAPPER.readValue(
            Json.write(
                new WalRecord(
                    new Action.Routed(null, "placeOrder", FRAME),
                    context("placeOrder", EventType.MESSAGE))),
            WalRecord.class);
    Action.Routed routed = (Action.Routed) record.action();

    JsonNode event = RouteEvent.of(record.requestContext(), routed.body(), PLACE);

    assertEquals(FRAME, event.get("body").textValue(), "the body is the frame, as a string");
    assertFalse(event.get("isBase64Encoded").booleanValue());
    JsonNode rc = event.get("requestContext");
    assertEquals("placeOrder", rc.get("routeKey").textValue());
    assertEquals("MESSAGE", rc.get("eventType").textValue());
    assertEquals("IN", rc.get("messageDirection").textValue());
    assertEquals("gw-1.c7", rc.get("connectionId").textValue());
    assertEquals("r-42", rc.get("requestId").textValue());
    assertEquals("r-42", rc.get("messageId").textValue());
    assertEquals(1_764_133_300_000L, rc.get("connectedAt").longValue());
    assertEquals(1_764_133_390_123L, rc.get("requestTimeEpoch").longValue());
    assertEquals("26/Nov/2025:05:03:10 +0000", rc.get("requestTime").textValue());
    assertEquals("roomlog.example.com:8081", rc.get("domainName").textValue());
    assertEquals("$default", rc.get("stage").textValue());
    assertEquals("203.0.113.7", rc.at("/identity/sourceIp").textValue());
    assertEquals("Mozilla/5.0", rc.at("/identity/userAgent").textValue());
    assertEquals("user-17", rc.at("/authorizer/principalId").textValue());
    assertEquals("token", rc.at("/authorizer/type").textValue());
    assertEquals("Ann", rc.at("/authorizer/name").textValue());
    assertEquals("shop-*", rc.at("/authorizer/rooms").textValue());
    assertFalse(rc.at("/authorizer/createRooms").booleanValue());
    assertEquals(1_764_200_000L, rc.at("/authorizer/expiresAt").longValue());
  }

  @Test
  void aDisconnectHasNoBodyAndAConnectCarriesTheHandshakesHeadersAndQuery() {
    JsonNode gone = RouteEvent.of(context("$disconnect", EventType.DISCONNECT), null, PLACE);
    assertEquals("DISCONNECT", gone.at("/requestContext/eventType").textValue());
    assertEquals("$disconnect", gone.at("/requestContext/routeKey").textValue());
    assertFalse(gone.has("body"));

    JsonNode connect =
        RouteEvent.connect(
            context("$connect", EventType.CONNECT),
            Map.of("Host", List.of("chat.example.com"), "X-Trace", List.of("a", "b")),
            Map.of("room", List.of("lobby")),
            PLACE);
    assertEquals("CONNECT", connect.at("/requestContext/eventType").textValue());
    assertEquals("chat.example.com", connect.at("/headers/Host").textValue());
    assertEquals("b", connect.at("/headers/X-Trace").textValue(), "the last value");
    assertEquals(2, connect.at("/multiValueHeaders/X-Trace").size());
    assertEquals("lobby", connect.at("/queryStringParameters/room").textValue());
    assertEquals("lobby", connect.at("/multiValueQueryStringParameters/room/0").textValue());
    assertTrue(connect.has("isBase64Encoded"));
    assertFalse(connect.has("body"));
  }
}
