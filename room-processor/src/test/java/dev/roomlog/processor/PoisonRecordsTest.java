package dev.roomlog.processor;

import static dev.roomlog.processor.TopologyHarness.frame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.processor.Fixtures.Client;
import dev.roomlog.protocol.Delivery;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.frame.ServerFrame;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records that would have stopped the processor for good (issue 14): each is set aside in the
 * dead-letter topic with its reason, its sender is answered 500 internalError, nothing of it is
 * applied, and the rooms go on.
 */
class PoisonRecordsTest {
  private static final String ROOM = "lobby";
  private static final Client ALICE = Client.on("gw-a", "gw-a.c1");
  private static final Client BOB = Client.on("gw-b", "gw-b.c2");

  @TempDir Path stateDir;
  private TopologyHarness h;

  @BeforeEach
  void start() {
    h = new TopologyHarness(stateDir, "poison-test");
  }

  @AfterEach
  void stop() {
    h.close();
  }

  @Test
  void eachLoneSurrogateFrameOfTheIssueIsSetAsideAndItsSenderAnswered() {
    h.send(ALICE.wal(100, new Action.CreateRoom("c1", "alice", ROOM, null)));
    h.deliveries.readRecordsToList();
    h.roomEvents.readRecordsToList();

    // Written as a gateway before the fix wrote them: the WAL serde lets a lone surrogate through.
    List<WalRecord> poison =
        List.of(
            ALICE.wal(110, new Action.JoinRoom("a\ud800", "doesnotexist", "x", null, null)),
            ALICE.wal(111, new Action.CreateRoom("c2", "x\udfff", "r-2", null)),
            ALICE.wal(112, new Action.SendMessage("s1", ROOM, "lone \ud800", null)));
    poison.forEach(h::send);

    List<TestRecord<String, byte[]>> set = h.deadLetters.readRecordsToList();
    assertEquals(3, set.size());
    for (int i = 0; i < 3; i++) {
      assertEquals(poison.get(i).key(), set.get(i).key());
      assertEquals("decode", header(set.get(i).headers(), DeadLetters.STAGE_HEADER));
      assertTrue(
          header(set.get(i).headers(), DeadLetters.MESSAGE_HEADER).contains("unpaired surrogate"),
          header(set.get(i).headers(), DeadLetters.MESSAGE_HEADER));
      // Offset 0 is the createRoom that came first.
      assertEquals(String.valueOf(i + 1), header(set.get(i).headers(), DeadLetters.OFFSET_HEADER));
    }
    // The sender hears of each: with its requestId where that can be sent back.
    List<ServerFrame.ErrorFrame> answers =
        h.deliveries.readValuesToList().stream()
            .map(TopologyHarness::frame)
            .map(f -> assertInstanceOf(ServerFrame.ErrorFrame.class, f))
            .toList();
    assertEquals(3, answers.size());
    answers.forEach(a -> assertEquals("internalError", a.code()));
    assertEquals(500, answers.get(0).status());
    assertEquals(
        List.of("-", "c2", "s1"),
        answers.stream().map(a -> a.requestId() == null ? "-" : a.requestId()).toList());
    assertTrue(h.roomEvents.readRecordsToList().isEmpty(), "nothing of them is applied");

    // And the room goes on.
    h.send(BOB.wal(120, new Action.JoinRoom("j", ROOM, "bob", null, null)));
    h.send(BOB.wal(121, new Action.SendMessage("m", ROOM, "still here", null)));
    List<RoomEvent> events = h.roomEvents.readValuesToList();
    assertEquals(List.of(3L, 4L), events.stream().map(RoomEvent::seq).toList());
  }

  @Test
  void bytesThatAreNotAWalRecordAreSetAsideAsTheyWereWithTheirOffset() {
    byte[] garbage = {(byte) 0xff, 0x00, 0x7b, 0x13};
    h.rawActions.pipeInput(ROOM, garbage);
    h.rawActions.pipeInput(
        ROOM,
        "{\"action\":\"selfDestruct\",\"requestContext\":{}}".getBytes(StandardCharsets.UTF_8));
    h.rawActions.pipeInput(
        ROOM, "{\"action\":\"createRoom\"} trailing".getBytes(StandardCharsets.UTF_8));
    h.rawActions.pipeInput(
        ROOM, "null".getBytes(StandardCharsets.UTF_8)); // found by the fuzz suite
    h.send(ALICE.wal(110, new Action.CreateRoom("c1", "alice", ROOM, null)));

    List<TestRecord<String, byte[]>> set = h.deadLetters.readRecordsToList();
    assertEquals(4, set.size());
    assertArrayEquals(garbage, set.get(0).value());
    assertEquals(
        List.of("0", "1", "2", "3"),
        set.stream().map(r -> header(r.headers(), DeadLetters.OFFSET_HEADER)).toList());
    assertTrue(header(set.get(0).headers(), DeadLetters.TOPIC_HEADER).endsWith("roomlog.actions"));
    assertEquals("0", header(set.get(0).headers(), DeadLetters.PARTITION_HEADER));
    // None names a connection: nobody is answered but alice, whose room is created.
    List<KeyValue<String, Delivery>> deliveries = h.deliveries.readKeyValuesToList();
    assertEquals(1, deliveries.size());
    assertInstanceOf(ServerFrame.RoomCreated.class, frame(deliveries.get(0).value));
    assertEquals(2, h.roomEvents.readValuesToList().size());
  }

  @Test
  void anUnreadableRecordThatStillNamesItsConnectionIsAnswered() {
    String json =
        "{\"action\":\"sendMessage\",\"roomId\":\"lobby\",\"requestId\":\"q7\",\"requestContext\":{"
            + "\"eventType\":\"MESSAGE\",\"connectionId\":\"gw-a.c1\",\"gatewayId\":\"gw-a\"}}";
    h.rawActions.pipeInput(ROOM, json.getBytes(StandardCharsets.UTF_8));

    assertEquals(1, h.deadLetters.readRecordsToList().size());
    KeyValue<String, Delivery> answer = h.deliveries.readKeyValue();
    assertEquals("gw-a", answer.key);
    assertEquals(List.of("gw-a.c1"), answer.value.connectionIds());
    ServerFrame.ErrorFrame error =
        assertInstanceOf(ServerFrame.ErrorFrame.class, frame(answer.value));
    assertEquals("internalError", error.code());
    assertEquals("q7", error.requestId());
  }

  @Test
  void aRoutedActionIsNeitherSetAsideNorAnsweredNorApplied() {
    h.send(ALICE.wal(100, new Action.CreateRoom("c1", "alice", ROOM, null)));
    h.deliveries.readRecordsToList();
    List<RoomEvent> created = h.roomEvents.readValuesToList();
    long lastSeq = created.get(created.size() - 1).seq();

    // Keyed by its connection, as the gateway writes it; the integrations worker is its reader.
    WalRecord routed =
        ALICE.wal(
            110,
            new Action.Routed("o1", "placeOrder", "{\"action\":\"placeOrder\",\"sku\":\"x\"}"));
    h.send(routed);

    assertTrue(h.deadLetters.readRecordsToList().isEmpty(), "a routed action is no poison");
    assertTrue(h.deliveries.readRecordsToList().isEmpty(), "the processor does not answer it");
    assertTrue(h.roomEvents.readRecordsToList().isEmpty(), "it changes no room");
    h.send(ALICE.wal(120, new Action.SendMessage("m", ROOM, "still here", null)));
    assertEquals(lastSeq + 1, h.roomEvents.readValuesToList().get(0).seq(), "no seq was used");
  }

  private static String header(Headers headers, String name) {
    Header h = headers.lastHeader(name);
    return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
  }
}
