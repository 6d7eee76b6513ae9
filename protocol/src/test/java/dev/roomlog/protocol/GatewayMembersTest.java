package dev.roomlog.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The four kinds of delivery, as they read in the topic and as a gateway resolves them. */
class GatewayMembersTest {
  private static final String FRAME = "{\"type\":\"message\",\"roomId\":\"r\",\"seq\":3}";

  private final GatewayMembers members = new GatewayMembers();

  @Test
  void aFrameToARoomReachesItsMembersHereButTheOneLeftOutInJoinOrder() {
    members.apply(Delivery.memberJoined("r", "c2"));
    members.apply(Delivery.memberJoined("r", "c1"));
    members.apply(Delivery.memberJoined("r", "c3"));
    members.apply(Delivery.memberJoined("other", "c9"));

    assertEquals(List.of("c2", "c1", "c3"), members.apply(Delivery.toRoom("r", null, FRAME)));
    assertEquals(List.of("c2", "c3"), members.apply(Delivery.toRoom("r", "c1", FRAME)));
    assertEquals(List.of(), members.apply(Delivery.toRoom("empty", null, FRAME)));
    assertEquals(4, members.memberships());
  }

  @Test
  void aLeaveRemovesOnlyThatMembershipAndARepeatedChangeChangesNothing() {
    members.apply(Delivery.memberJoined("r", "c1"));
    members.apply(Delivery.memberJoined("r", "c1"));
    members.apply(Delivery.memberJoined("r", "c2"));
    members.apply(Delivery.memberLeft("r", "c1"));
    members.apply(Delivery.memberLeft("r", "c1"));
    members.apply(Delivery.memberLeft("r", "never-joined"));

    assertEquals(List.of("c2"), members.members("r"));
    assertEquals(1, members.memberships());
    members.apply(Delivery.memberLeft("r", "c2"));
    assertEquals(0, members.rooms(), "an empty room is forgotten");
  }

  @Test
  void aFrameToConnectionsGoesToThemWhateverTheRoomsHold() {
    assertEquals(List.of("c7", "c8"), members.apply(new Delivery(List.of("c7", "c8"), FRAME)));
    assertEquals(List.of(), members.apply(Delivery.memberJoined("r", "c1")));
  }

  @Test
  void eachKindReadsInTheTopicAsItsOwnFieldsAndBackTheSame() throws Exception {
    for (Delivery d :
        List.of(
            new Delivery(List.of("c1"), FRAME),
            Delivery.toRoom("r", "c1", FRAME),
            Delivery.toRoom("r", null, FRAME),
            Delivery.memberJoined("r", "c1"),
            Delivery.memberLeft("r", "c1"))) {
      byte[] bytes = Topics.DELIVERIES.valueSerde().serializer().serialize("t", d);
      assertEquals(d, Topics.DELIVERIES.valueSerde().deserializer().deserialize("t", bytes));
      JsonNode json = Json.MAPPER.readTree(bytes);
      assertTrue(
          json.path("frame").isMissingNode() || json.path("frame").isObject(), json::toString);
    }
    JsonNode joined =
        Json.MAPPER.readTree(
            Topics.DELIVERIES
                .valueSerde()
                .serializer()
                .serialize("t", Delivery.memberJoined("r", "c1")));
    assertEquals("{\"roomId\":\"r\",\"joined\":\"c1\"}", joined.toString());
  }

  @Test
  void aRecordOfNoKindOrOfTwoIsRefused() {
    assertThrows(
        IllegalArgumentException.class, () -> new Delivery(null, null, null, null, null, FRAME));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Delivery(List.of("c1"), "r", null, "c1", null, FRAME));
    assertThrows(
        IllegalArgumentException.class, () -> new Delivery(null, "r", null, "c1", "c2", null));
    assertThrows(
        IllegalArgumentException.class, () -> new Delivery(null, "r", "c3", "c1", null, null));
    assertThrows(IllegalArgumentException.class, () -> new Delivery(List.of(), FRAME));
  }
}
