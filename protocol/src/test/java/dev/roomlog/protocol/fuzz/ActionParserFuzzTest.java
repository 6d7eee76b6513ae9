package dev.roomlog.protocol.fuzz;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import dev.roomlog.protocol.Delivery;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.Topics;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.ActionParser;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.action.RequestContext.EventType;
import dev.roomlog.protocol.action.RequestContext.Identity;
import dev.roomlog.protocol.action.RoomIds;
import dev.roomlog.protocol.frame.ServerFrame.ErrorFrame;
import dev.roomlog.protocol.text.WellFormed;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Throws hostile text at the action parser and checks what the gateway relies on: the parser never
 * throws; a refusal is a 400 or 413 whose frame can be written as UTF-8 (what the processor and the
 * gateway do with it); an accepted action holds only well-formed strings and survives the
 * write-ahead log's serde unchanged, so the processor can read it and answer it.
 */
class ActionParserFuzzTest {
  private static final int EXAMPLES = 3_000;
  private static final RequestContext CONTEXT =
      new RequestContext(
          "sendMessage",
          EventType.MESSAGE,
          "gw-1.c1",
          1L,
          2L,
          "req-1",
          new Identity("127.0.0.1"),
          "gw-1",
          "1-a",
          null);

  @Test
  void anyTextIsAnsweredWithoutThrowing() {
    qt().withExamples(EXAMPLES)
        .forAll(JsonFuzz.anyText(200))
        .checkAssert(ActionParserFuzzTest::check);
  }

  @Test
  void hostileJsonFramesAreAnsweredWithoutThrowing() {
    qt().withExamples(EXAMPLES * 3)
        .forAll(JsonFuzz.frame())
        .checkAssert(ActionParserFuzzTest::check);
  }

  @Test
  void hostileServerPostBodiesAreAnsweredWithoutThrowing() {
    qt().withExamples(EXAMPLES)
        .forAll(JsonFuzz.frame())
        .checkAssert(
            body ->
                checkResult(body, assertDoesNotThrow(() -> ActionParser.parsePost("lobby", body))));
  }

  private static void check(String frame) {
    checkResult(frame, assertDoesNotThrow(() -> ActionParser.parse(frame), frame));
  }

  private static void checkResult(String input, ActionParser.Result result) {
    if (result instanceof ActionParser.Result.Rejected rejected) {
      ErrorFrame error = rejected.error();
      assertTrue(Set.of(400, 413).contains(error.status()), input + " -> " + error);
      // What the processor does with every frame: a delivery with the frame as a raw value.
      assertDoesNotThrow(
          () -> Json.MAPPER.writeValueAsBytes(Delivery.of(List.of("gw-1.c1"), error)),
          "the refusal of " + input + " cannot be written: " + error);
      return;
    }
    if (result instanceof ActionParser.Result.Refresh) {
      // Never a record (the gateway answers it): parsed without throwing is all there is to check.
      return;
    }
    Action action = ((ActionParser.Result.Accepted) result).action();
    if (action instanceof Action.CreateRoom create && create.roomId() == null) {
      action = create.withRoomId(RoomIds.forCreate(create, CONTEXT.requestId()));
    }
    WalRecord record = new WalRecord(action, CONTEXT);
    byte[] bytes =
        assertDoesNotThrow(
            () -> Topics.ACTIONS.valueSerde().serializer().serialize("t", record), input);
    assertTrue(WellFormed.isWellFormed(Json.write(action)), input);
    assertEquals(record, Topics.ACTIONS.valueSerde().deserializer().deserialize("t", bytes), input);
  }
}
