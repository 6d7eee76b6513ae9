package dev.roomlog.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.Authorizer;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.action.RequestContext.EventType;
import dev.roomlog.protocol.action.RequestContext.Identity;
import dev.roomlog.protocol.frame.ServerFrame;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class WalRecordTest {
  private static final RequestContext CONTEXT =
      new RequestContext(
          "sendMessage",
          EventType.MESSAGE,
          "conn-1",
          1711924352723L,
          1711924352725L,
          "gw-req-1",
          new Identity("127.0.0.1"),
          "gw-a",
          "run-1",
          null);

  @Test
  void keepsTheClientFieldsAtTopLevelAndTheContextBesideThem() throws Exception {
    WalRecord record = new WalRecord(new Action.SendMessage("c1", "lobby", "hi", null), CONTEXT);
    byte[] bytes = Topics.ACTIONS.valueSerde().serializer().serialize("t", record);

    JsonNode json = Json.MAPPER.readTree(new String(bytes, StandardCharsets.UTF_8));
    assertEquals("sendMessage", json.get("action").asText());
    assertEquals("lobby", json.get("roomId").asText());
    assertEquals("c1", json.get("requestId").asText());
    assertEquals("conn-1", json.at("/requestContext/connectionId").asText());
    assertEquals("MESSAGE", json.at("/requestContext/eventType").asText());
    assertEquals("127.0.0.1", json.at("/requestContext/identity/sourceIp").asText());
    assertEquals("gw-a", json.at("/requestContext/gatewayId").asText());

    assertEquals(record, Topics.ACTIONS.valueSerde().deserializer().deserialize("t", bytes));
  }

  @Test
  void carriesTheAuthorizerAndReadsRecordsWrittenBeforeIt() throws Exception {
    Authorizer token = new Authorizer("token", "a1", "Alice", List.of("team-*"), false, 1_900L);
    RequestContext withToken =
        new RequestContext(
            "sendMessage",
            EventType.MESSAGE,
            "conn-1",
            1L,
            2L,
            "gw-req-1",
            new Identity("127.0.0.1"),
            "gw-a",
            "run-1",
            token);
    WalRecord record = new WalRecord(new Action.SendMessage("c1", "team-1", "hi", null), withToken);
    byte[] bytes = Topics.ACTIONS.valueSerde().serializer().serialize("t", record);
    JsonNode json = Json.MAPPER.readTree(new String(bytes, StandardCharsets.UTF_8));
    assertEquals("token", json.at("/requestContext/authorizer/type").asText());
    assertEquals("a1", json.at("/requestContext/authorizer/principalId").asText());
    assertEquals("Alice", json.at("/requestContext/authorizer/name").asText());
    assertEquals(
        List.of("type", "principalId", "name", "rooms", "createRooms", "expiresAt"),
        fieldNames(json.at("/requestContext/authorizer")));
    assertEquals(record, Topics.ACTIONS.valueSerde().deserializer().deserialize("t", bytes));

    // A record from before the authorizer existed has none: read, with a null authorizer.
    byte[] old =
        Topics.ACTIONS
            .valueSerde()
            .serializer()
            .serialize(
                "t", new WalRecord(new Action.SendMessage("c1", "lobby", "hi", null), CONTEXT));
    assertFalse(new String(old, StandardCharsets.UTF_8).contains("authorizer"));
    assertNull(
        Topics.ACTIONS
            .valueSerde()
            .deserializer()
            .deserialize("t", old)
            .requestContext()
            .authorizer());
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void roundTripsGatewayWrittenRecords() {
    for (Action action : List.of(new Action.Connect(), new Action.Disconnect())) {
      WalRecord record = new WalRecord(action, CONTEXT);
      byte[] bytes = Topics.ACTIONS.valueSerde().serializer().serialize("t", record);
      assertEquals(record, Topics.ACTIONS.valueSerde().deserializer().deserialize("t", bytes));
    }
  }

  @Test
  void roomActionsAreKeyedByTheirRoomAndGoToOnePartition() {
    WalRecord send = new WalRecord(new Action.SendMessage(null, "lobby", "hi", null), CONTEXT);
    WalRecord resume = new WalRecord(new Action.Resume(null, "lobby", 3), CONTEXT);
    assertEquals("lobby", send.key());
    assertEquals("lobby", resume.key());
    assertEquals(false, send.toEveryPartition());
  }

  @Test
  void lifecycleRecordsAreKeyedByConnectionAndHeartbeatsByGateway() {
    assertEquals("conn-1", new WalRecord(new Action.Connect(), CONTEXT).key());
    WalRecord disconnect = new WalRecord(new Action.Disconnect(), CONTEXT);
    assertEquals("conn-1", disconnect.key());
    assertEquals(true, disconnect.toEveryPartition());
    WalRecord heartbeat = new WalRecord(new Action.Heartbeat(), CONTEXT);
    assertEquals("gw-a", heartbeat.key());
    assertEquals(true, heartbeat.toEveryPartition());
  }

  @Test
  void aCreateRoomWithoutItsRoomIdCannotBeKeyed() {
    WalRecord unnamed = new WalRecord(new Action.CreateRoom(null, "a", null, null), CONTEXT);
    IllegalStateException e =
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, unnamed::key);
    assertEquals(true, e.getMessage().contains("name its room"), e.getMessage());
  }

  @Test
  void aHeartbeatNeedsNoConnection() {
    RequestContext beat =
        new RequestContext(
            "$heartbeat",
            EventType.HEARTBEAT,
            null,
            1L,
            1L,
            "hb-1",
            new Identity(null),
            "gw-a",
            "run-1",
            null);
    WalRecord record = new WalRecord(new Action.Heartbeat(), beat);
    byte[] bytes = Topics.ACTIONS.valueSerde().serializer().serialize("t", record);
    assertEquals(record, Topics.ACTIONS.valueSerde().deserializer().deserialize("t", bytes));
  }

  @Test
  void deliveryNestsTheFrameAsJsonAndGivesBackTheSameText() throws Exception {
    Delivery delivery = Delivery.of(List.of("c1", "c2"), new ServerFrame.Connected("c1"));
    byte[] bytes = Topics.DELIVERIES.valueSerde().serializer().serialize("t", delivery);
    JsonNode json = Json.MAPPER.readTree(bytes);
    assertEquals("connected", json.at("/frame/type").asText());

    Delivery back = Topics.DELIVERIES.valueSerde().deserializer().deserialize("t", bytes);
    assertEquals(delivery, back);
    assertEquals("{\"type\":\"connected\",\"connectionId\":\"c1\"}", back.frame());
  }

  @Test
  void aRecordWithAnUnpairedSurrogateCannotBeReadFromTheLog() {
    String json =
        "{\"action\":\"sendMessage\",\"roomId\":\"lobby\",\"text\":\"lone \\ud800\","
            + "\"requestContext\":{\"routeKey\":\"sendMessage\",\"eventType\":\"MESSAGE\","
            + "\"connectionId\":\"gw.c1\",\"connectedAt\":1,\"requestTimeEpoch\":2,\"requestId\":\"r\","
            + "\"identity\":{\"sourceIp\":\"127.0.0.1\"},\"gatewayId\":\"gw\"}}";
    SerializationException e =
        assertThrows(
            SerializationException.class,
            () ->
                Topics.ACTIONS
                    .valueSerde()
                    .deserializer()
                    .deserialize("t", json.getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains("unpaired surrogate at /text"), e.getMessage());
    // The same record with the surrogate paired is read.
    String paired = json.replace("\\ud800", "\\ud83d\\ude00");
    assertEquals(
        "lone \ud83d\ude00",
        ((Action.SendMessage)
                Topics.ACTIONS
                    .valueSerde()
                    .deserializer()
                    .deserialize("t", paired.getBytes(StandardCharsets.UTF_8))
                    .action())
            .text());
  }
}
