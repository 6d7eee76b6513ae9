package dev.roomlog.protocol.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.action.ActionParser.Result;
import dev.roomlog.protocol.frame.ServerFrame.ErrorFrame;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The parser's side of private rooms: {@code "private"} on createRoom, and {@code invite}. */
class PrivateRoomActionsTest {
  private static Action accepted(String json) {
    return assertInstanceOf(Result.Accepted.class, ActionParser.parse(json)).action();
  }

  private static ErrorFrame rejected(String json) {
    return assertInstanceOf(Result.Rejected.class, ActionParser.parse(json)).error();
  }

  @Test
  void createRoomTakesPrivateAsABooleanAndKeepsItInTheLog() throws Exception {
    Action.CreateRoom room =
        (Action.CreateRoom)
            accepted("{\"action\":\"createRoom\",\"username\":\"a\",\"private\":true}");
    assertTrue(room.isPrivate());
    assertTrue(room.withRoomId("r-1").isPrivate(), "the gateway's id keeps the room private");
    String logged = Json.write(room.withRoomId("r-1"));
    assertTrue(logged.contains("\"private\":true"), logged);
    assertTrue(((Action.CreateRoom) Json.MAPPER.readValue(logged, Action.class)).isPrivate());

    assertFalse(
        ((Action.CreateRoom)
                accepted("{\"action\":\"createRoom\",\"username\":\"a\",\"private\":false}"))
            .isPrivate());
    Action.CreateRoom plain =
        (Action.CreateRoom) accepted("{\"action\":\"createRoom\",\"username\":\"a\"}");
    assertFalse(plain.isPrivate());
    assertFalse(Json.write(plain).contains("private"), "a public room's record is as before");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"true\"", "1", "\"yes\"", "{}"})
  void privateThatIsNotABooleanIsInvalidField(String value) {
    ErrorFrame error =
        rejected(
            "{\"action\":\"createRoom\",\"username\":\"a\",\"private\":"
                + value
                + ",\"requestId\":\"q\"}");
    assertEquals("invalidField", error.code());
    assertEquals("q", error.requestId());
  }

  @Test
  void inviteNeedsARoomAndAUserOfAtMost256Characters() {
    assertEquals(
        new Action.Invite("q", "team-1", "u-42"),
        accepted(
            "{\"action\":\"invite\",\"roomId\":\"team-1\",\"user\":\"u-42\",\"requestId\":\"q\"}"));
    String longest = "u".repeat(Limits.MAX_USER_LENGTH);
    assertEquals(
        longest,
        ((Action.Invite)
                accepted("{\"action\":\"invite\",\"roomId\":\"r\",\"user\":\"" + longest + "\"}"))
            .user());
    assertEquals(
        "fieldTooLong",
        rejected("{\"action\":\"invite\",\"roomId\":\"r\",\"user\":\"" + longest + "u\"}").code());
    for (String missing :
        List.of(
            "{\"action\":\"invite\",\"roomId\":\"r\"}", "{\"action\":\"invite\",\"user\":\"u\"}")) {
      assertEquals("missingField", rejected(missing).code(), missing);
    }
    for (String bad : List.of("\"   \"", "\"u\\u0007\"", "7")) {
      assertEquals(
          "invalidField",
          rejected("{\"action\":\"invite\",\"roomId\":\"r\",\"user\":" + bad + "}").code(),
          bad);
    }
  }

  @Test
  void aTokenGrantsAPrivateRoomOnlyByNamingIt() {
    Authorizer everyPublicRoom = new Authorizer(Authorizer.TOKEN, "s", "n", null, null, null);
    assertTrue(everyPublicRoom.grantsRoom("team-1"));
    assertFalse(everyPublicRoom.grantsRoomByName("team-1"));
    Authorizer teams =
        new Authorizer(Authorizer.TOKEN, "s", "n", List.of("team-*", "x"), null, null);
    assertTrue(teams.grantsRoomByName("team-1"));
    assertTrue(teams.grantsRoomByName("x"));
    assertFalse(teams.grantsRoomByName("xy"));
    assertFalse(Authorizer.apiKey("default").grantsRoomByName("team-1"));
  }
}
