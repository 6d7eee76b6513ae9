package dev.roomlog.protocol.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.action.ActionParser.Result;
import dev.roomlog.protocol.frame.ServerFrame;
import dev.roomlog.protocol.frame.ServerFrame.ErrorFrame;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code members} action: a page of a room's members, its cursor and its limit. */
class MembersActionTest {

  private static Action accepted(String json) {
    return assertInstanceOf(Result.Accepted.class, ActionParser.parse(json)).action();
  }

  private static ErrorFrame rejected(String json) {
    return assertInstanceOf(Result.Rejected.class, ActionParser.parse(json)).error();
  }

  private static String members(String fields) {
    return "{\"action\":\"members\",\"roomId\":\"lobby\",\"requestId\":\"q\"" + fields + "}";
  }

  @Test
  void withoutCursorOrLimitItAsksForTheFirstPageOfTheDefaultSize() {
    assertEquals(
        new Action.ListMembers("q", "lobby", null, Limits.FIRST_MEMBERS_PAGE),
        accepted(members("")));
    assertEquals(
        new Action.ListMembers("q", "lobby", null, Limits.FIRST_MEMBERS_PAGE),
        accepted(members(",\"after\":null,\"limit\":null")));
  }

  @Test
  void takesACursorAndALimitFromOneToTheMaximum() {
    assertEquals(
        new Action.ListMembers("q", "lobby", 41L, 1),
        accepted(members(",\"after\":41,\"limit\":1")));
    assertEquals(
        new Action.ListMembers("q", "lobby", 0L, Limits.MAX_MEMBERS_PAGE),
        accepted(members(",\"after\":0,\"limit\":" + Limits.MAX_MEMBERS_PAGE)));
    assertEquals(
        new Action.ListMembers("q", "lobby", Long.MAX_VALUE, 5),
        accepted(members(",\"after\":" + Long.MAX_VALUE + ",\"limit\":5")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "1001", "2.5", "\"10\"", "true", "[]", "99999999999"})
  void refusesALimitOutsideOneToTheMaximumWithInvalidField(String limit) {
    ErrorFrame error = rejected(members(",\"limit\":" + limit));
    assertEquals(400, error.status(), limit);
    assertEquals("invalidField", error.code(), limit);
    assertEquals("q", error.requestId());
    assertEquals(
        "limit must be a whole number from 1 to " + Limits.MAX_MEMBERS_PAGE, error.message());
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "1.5", "\"3\"", "false", "{}", "9223372036854775808", "1e3"})
  void refusesACursorThatIsNotAJoinSeqWithInvalidField(String after) {
    ErrorFrame error = rejected(members(",\"after\":" + after));
    assertEquals("invalidField", error.code(), after);
    assertEquals("q", error.requestId());
  }

  @Test
  void needsARoomId() {
    assertEquals("missingField", rejected("{\"action\":\"members\",\"requestId\":\"q\"}").code());
    assertEquals(
        "invalidField",
        rejected("{\"action\":\"members\",\"roomId\":\"no room\",\"requestId\":\"q\"}").code());
  }

  @Test
  void theActionRoundTripsThroughTheLogAndItsAnswerSaysWhenTheListEnds() throws Exception {
    Action.ListMembers list = new Action.ListMembers("q", "lobby", 7L, 20);
    assertEquals(list, Json.MAPPER.readValue(Json.write(list), Action.class));
    String last =
        new ServerFrame.Members(
                "lobby", 9, 2, List.of(new ServerFrame.MemberView("c1", "ann")), null, "q")
            .toJson();
    assertEquals(
        "{\"type\":\"members\",\"roomId\":\"lobby\",\"seq\":9,\"memberCount\":2,"
            + "\"members\":[{\"connectionId\":\"c1\",\"username\":\"ann\"}],\"next\":null,"
            + "\"requestId\":\"q\"}",
        last);
  }
}
