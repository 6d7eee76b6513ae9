package dev.roomlog.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.roomlog.loadtest.ChatProtocol.Incoming;
import java.net.URI;
import org.junit.jupiter.api.Test;

class SocketIoProtocolTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final SocketIoProtocol protocol = new SocketIoProtocol();

  @Test
  void connectsStraightOverWebSocketWithEngineIoV4AndNoHeaders() {
    assertEquals("socketio", protocol.name());
    assertEquals(
        URI.create("ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket"),
        protocol.uri("127.0.0.1", 3000));
    assertEquals(
        URI.create("ws://[::1]:3000/socket.io/?EIO=4&transport=websocket"),
        protocol.uri("::1", 3000));
    assertTrue(protocol.handshakeHeaders().isEmpty());
  }

  @Test
  void answersEngineIoOpenByConnectingToTheMainNamespace() {
    assertEquals(
        new Incoming.Reply("40"),
        protocol.parse(
            "0{\"sid\":\"LHDaQC4Cm655E_KRAAAA\",\"upgrades\":[],\"pingInterval\":25000,"
                + "\"pingTimeout\":20000,\"maxPayload\":1000000}"));
  }

  @Test
  void isReadyOnceTheNamespaceConnectIsAccepted() {
    assertEquals(new Incoming.Ready(), protocol.parse("40{\"sid\":\"kyHdnLUlH6ncqTW8AAAA\"}"));
  }

  @Test
  void answersPingWithPongEchoingItsData() {
    assertEquals(new Incoming.Reply("3"), protocol.parse("2"));
    assertEquals(new Incoming.Reply("3probe"), protocol.parse("2probe"));
  }

  @Test
  void readsRoomCreatedAndJoinedAsRoomJoined() {
    assertEquals(
        new Incoming.RoomJoined("lobby", "1"),
        protocol.parse("42[\"roomCreated\",{\"roomId\":\"lobby\",\"requestId\":\"1\"}]"));
    assertEquals(
        new Incoming.RoomJoined("lobby", "2"),
        protocol.parse("42[\"joined\",{\"roomId\":\"lobby\",\"requestId\":\"2\"}]"));
  }

  @Test
  void readsMessagesWithTheSendersRequestIdOnlyWhereItIsEchoed() {
    assertEquals(
        new Incoming.Message("lobby", "hi \"you\"\n", "m1"),
        protocol.parse(
            "42[\"message\",{\"roomId\":\"lobby\",\"text\":\"hi \\\"you\\\"\\n\",\"from\":\"a\","
                + "\"requestId\":\"m1\"}]"));
    assertEquals(
        new Incoming.Message("lobby", "hi", null),
        protocol.parse("42[\"message\",{\"roomId\":\"lobby\",\"text\":\"hi\",\"from\":\"a\"}]"));
  }

  @Test
  void readsAnEventThatAsksForAnAck() {
    assertEquals(
        new Incoming.Message("lobby", "hi", null),
        protocol.parse("4217[\"message\",{\"roomId\":\"lobby\",\"text\":\"hi\"}]"));
  }

  @Test
  void readsChatErrorsWithStatusCodeAndRequestId() {
    assertEquals(
        new Incoming.Error(403, "notMember", "3"),
        protocol.parse(
            "42[\"chatError\",{\"status\":403,\"code\":\"notMember\",\"requestId\":\"3\"}]"));
  }

  @Test
  void readsARefusedNamespaceConnectAsAnError() {
    assertEquals(
        new Incoming.Error(403, "connectError", null),
        protocol.parse("44{\"message\":\"Invalid namespace\"}"));
  }

  @Test
  void countsEverythingElseAsOther() {
    assertEquals(new Incoming.Other("close"), protocol.parse("1"));
    assertEquals(new Incoming.Other("pong"), protocol.parse("3"));
    assertEquals(new Incoming.Other("noop"), protocol.parse("6"));
    assertEquals(new Incoming.Other("disconnect"), protocol.parse("41"));
    assertEquals(new Incoming.Other("ack"), protocol.parse("433[{\"roomId\":\"lobby\"}]"));
    assertEquals(new Incoming.Other("memberJoined"), protocol.parse("42[\"memberJoined\",{}]"));
    assertEquals(new Incoming.Other("namespace"), protocol.parse("42/admin,[\"message\",{}]"));
    assertEquals(new Incoming.Other("socketio-5"), protocol.parse("451-[\"message\",{}]"));
    assertEquals(new Incoming.Other("unreadable"), protocol.parse("42[\"message\","));
    assertEquals(new Incoming.Other("unreadable"), protocol.parse("42{}"));
    assertEquals(new Incoming.Other("empty"), protocol.parse(""));
    assertEquals(new Incoming.Other("empty"), protocol.parse("4"));
    assertEquals(new Incoming.Other("unknown"), protocol.parse("x"));
  }

  @Test
  void createRoomIsAnEventWithTheRoomIdOnlyWhenGiven() throws Exception {
    JsonNode withId = event("createRoom", protocol.createRoom("lobby", "alice", "1"));
    assertEquals("lobby", withId.get("roomId").asText());
    assertEquals("alice", withId.get("username").asText());
    assertEquals("1", withId.get("requestId").asText());

    JsonNode withoutId = event("createRoom", protocol.createRoom(null, "alice", null));
    assertFalse(withoutId.has("roomId"), withoutId.toString());
    assertFalse(withoutId.has("requestId"), withoutId.toString());
  }

  @Test
  void joinRoomIsAnEvent() throws Exception {
    JsonNode join = event("joinRoom", protocol.joinRoom("lobby", "bob", "2"));
    assertEquals("lobby", join.get("roomId").asText());
    assertEquals("bob", join.get("username").asText());
    assertEquals("2", join.get("requestId").asText());
  }

  @Test
  void sendMessageIsAnEventWithTheTextEscaped() throws Exception {
    String text = "t=123 \"quoted\"\n\u00e9\u2603";
    JsonNode message = event("sendMessage", protocol.sendMessage("lobby", text, "3"));
    assertEquals("lobby", message.get("roomId").asText());
    assertEquals(text, message.get("text").asText());
    assertEquals("3", message.get("requestId").asText());
  }

  /** Checks that {@code frame} is {@code 42["name",{...}]} and returns the object. */
  private static JsonNode event(String name, String frame) throws Exception {
    assertTrue(frame.startsWith("42["), frame);
    JsonNode event = JSON.readTree(frame.substring(2));
    assertEquals(2, event.size(), frame);
    assertEquals(name, event.get(0).asText(), frame);
    assertTrue(event.get(1).isObject(), frame);
    return event.get(1);
  }
}
