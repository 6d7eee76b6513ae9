package dev.roomlog.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.roomlog.loadtest.ChatProtocol.Incoming;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The frames of docs/PROTOCOL.md, written and read as the generator does. */
class RoomlogProtocolTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final RoomlogProtocol protocol = new RoomlogProtocol("secret");

  @Test
  void sendsTheApiKeyInTheUpgradeAndConnectsToTheRootPath() {
    assertEquals(Map.of("x-api-key", "secret"), protocol.handshakeHeaders());
    assertEquals(Map.of(), new RoomlogProtocol(null).handshakeHeaders());
    assertEquals(URI.create("ws://127.0.0.1:8080/"), protocol.uri("127.0.0.1", 8080));
    assertEquals(URI.create("ws://[::1]:8080/"), protocol.uri("::1", 8080));
  }

  @Test
  void writesTheThreeActionsWithTheirFields() throws Exception {
    assertEquals(
        JSON.readTree(
            "{\"action\":\"createRoom\",\"roomId\":\"lt-r0\",\"username\":\"u0\",\"requestId\":\"s0.1\"}"),
        JSON.readTree(protocol.createRoom("lt-r0", "u0", "s0.1")));
    assertEquals(
        JSON.readTree(
            "{\"action\":\"joinRoom\",\"roomId\":\"lt-r0\",\"username\":\"u1\",\"requestId\":\"s1.1\"}"),
        JSON.readTree(protocol.joinRoom("lt-r0", "u1", "s1.1")));
    JsonNode send = JSON.readTree(protocol.sendMessage("lt-r0", "say \"hi\"\n", "m7"));
    assertEquals("sendMessage", send.get("action").asText());
    assertEquals("say \"hi\"\n", send.get("text").asText());
    assertEquals("m7", send.get("requestId").asText());
  }

  @Test
  void leavesOutAFieldThatIsNull() throws Exception {
    JsonNode create = JSON.readTree(protocol.createRoom(null, "u0", "s0.1"));
    assertEquals(false, create.has("roomId"));
  }

  @Test
  void readsConnectedAsReadyWithTheConnectionsId() {
    assertEquals(
        new Incoming.Ready("kJ3v0n1xY2QbZx1A"),
        protocol.parse("{\"type\":\"connected\",\"connectionId\":\"kJ3v0n1xY2QbZx1A\"}"));
  }

  @Test
  void readsMemberLeftWithWhoLeftAndWhy() {
    assertEquals(
        new Incoming.Left("lobby", "c7", "gatewayLost"),
        protocol.parse(
            "{\"type\":\"memberLeft\",\"roomId\":\"lobby\",\"seq\":9,\"connectionId\":\"c7\","
                + "\"username\":\"u7\",\"reason\":\"gatewayLost\",\"at\":1}"));
  }

  @Test
  void readsRoomCreatedAndJoinedWithTheHistoryTexts() {
    assertEquals(
        new Incoming.RoomJoined("lobby", "2"),
        protocol.parse(
            "{\"type\":\"roomCreated\",\"roomId\":\"lobby\",\"seq\":2,"
                + "\"members\":[{\"connectionId\":\"kJ3v\",\"username\":\"test1\"}],\"requestId\":\"2\"}"));
    assertEquals(
        new Incoming.RoomJoined("lobby", "3", List.of("one", "two")),
        protocol.parse(
            "{\"type\":\"joined\",\"roomId\":\"lobby\",\"seq\":5,\"members\":[{\"connectionId\":\"a\",\"username\":\"x\"}],"
                + "\"history\":[{\"type\":\"message\",\"roomId\":\"lobby\",\"seq\":3,\"from\":\"x\",\"text\":\"one\",\"sentAt\":1},"
                + "{\"type\":\"message\",\"roomId\":\"lobby\",\"seq\":4,\"from\":\"x\",\"text\":\"two\",\"sentAt\":2}],"
                + "\"requestId\":\"3\"}"));
  }

  @Test
  void readsAMessageWithTheSendersRequestIdOrWithout() {
    String own =
        "{\"type\":\"message\",\"roomId\":\"lobby\",\"seq\":4,\"from\":\"test2\",\"connectionId\":\"Qm9\","
            + "\"text\":\"hello\",\"sentAt\":1764133380123,\"clientMsgId\":\"m-1\",\"requestId\":\"4\"}";
    assertEquals(new Incoming.Message("lobby", "hello", "4"), protocol.parse(own));
    assertEquals(
        new Incoming.Message("lobby", "hello", null),
        protocol.parse("{\"type\":\"message\",\"roomId\":\"lobby\",\"seq\":4,\"text\":\"hello\"}"));
  }

  @Test
  void readsAnErrorsStatusCodeRequestIdAndRetryAfter() {
    assertEquals(
        new Incoming.Error(429, "rateLimited", "m9", 50),
        protocol.parse(
            "{\"type\":\"error\",\"status\":429,\"code\":\"rateLimited\",\"message\":\"slow down\","
                + "\"requestId\":\"m9\",\"retryAfterMs\":50}"));
    assertEquals(
        new Incoming.Error(503, "overloaded", null, 1000),
        protocol.parse(
            "{\"type\":\"error\",\"status\":503,\"code\":\"overloaded\",\"retryAfterMs\":1000}"));
    assertEquals(
        new Incoming.Error(404, "roomNotFound", "j1", -1),
        protocol.parse(
            "{\"type\":\"error\",\"status\":404,\"code\":\"roomNotFound\",\"requestId\":\"j1\"}"));
  }

  @Test
  void readsOtherFramesAsOtherWithTheirType() {
    assertEquals(
        new Incoming.Other("memberJoined"),
        protocol.parse(
            "{\"type\":\"memberJoined\",\"roomId\":\"lobby\",\"seq\":3,\"connectionId\":\"Q\",\"username\":\"b\",\"at\":1}"));
  }

  @Test
  void readsWhatIsNotAFrameAsOtherInsteadOfFailing() {
    assertEquals(new Incoming.Other("unreadable"), protocol.parse("{\"type\":"));
    assertEquals(new Incoming.Other("notAnObject"), protocol.parse("[1,2]"));
    assertEquals(new Incoming.Other("untyped"), protocol.parse("{\"roomId\":\"x\"}"));
  }

  @Test
  void ignoresFieldsOfTheWrongTypeAndNestedObjects() {
    assertEquals(
        new Incoming.Error(0, "x", null),
        protocol.parse(
            "{\"type\":\"error\",\"status\":{\"nested\":[1]},\"requestId\":7,\"code\":\"x\"}"));
  }
}
