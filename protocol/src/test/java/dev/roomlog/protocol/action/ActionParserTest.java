package dev.roomlog.protocol.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.protocol.action.ActionParser.Result;
import dev.roomlog.protocol.frame.ServerFrame.ErrorFrame;
import dev.roomlog.protocol.text.WellFormed;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ActionParserTest {

  private static Action accepted(String json) {
    return assertInstanceOf(Result.Accepted.class, ActionParser.parse(json)).action();
  }

  private static ErrorFrame rejected(String json) {
    return assertInstanceOf(Result.Rejected.class, ActionParser.parse(json)).error();
  }

  @Test
  void parsesEachClientAction() {
    assertEquals(
        new Action.CreateRoom("r1", "test1", null, null),
        accepted("{\"action\":\"createRoom\",\"username\":\"test1\",\"requestId\":\"r1\"}"));
    assertEquals(
        new Action.JoinRoom(null, "lobby", "bob", null, null),
        accepted("{\"action\":\"joinRoom\",\"roomId\":\"lobby\",\"username\":\"bob\"}"));
    assertEquals(
        new Action.SendMessage(null, "lobby", "hi", "m1"),
        accepted(
            "{\"action\":\"sendMessage\",\"roomId\":\"lobby\",\"text\":\"hi\",\"clientMsgId\":\"m1\"}"));
    assertEquals(
        new Action.LeaveRoom("x", "lobby", null),
        accepted("{\"action\":\"leaveRoom\",\"roomId\":\"lobby\",\"requestId\":\"x\"}"));
    assertEquals(
        new Action.Resume(null, "lobby", 7),
        accepted("{\"action\":\"resume\",\"roomId\":\"lobby\",\"afterSeq\":7}"));
  }

  @Test
  void takesAClientMsgIdOnEveryStateChangingAction() {
    assertEquals(
        new Action.CreateRoom(null, "a", null, "k1"),
        accepted("{\"action\":\"createRoom\",\"username\":\"a\",\"clientMsgId\":\"k1\"}"));
    assertEquals(
        new Action.JoinRoom(null, "lobby", "a", 0L, "k2"),
        accepted(
            "{\"action\":\"joinRoom\",\"roomId\":\"lobby\",\"username\":\"a\","
                + "\"afterSeq\":0,\"clientMsgId\":\"k2\"}"));
    assertEquals(
        new Action.LeaveRoom(null, "lobby", "k3"),
        accepted("{\"action\":\"leaveRoom\",\"roomId\":\"lobby\",\"clientMsgId\":\"k3\"}"));
  }

  @Test
  void acceptsTheLargestSeqAsAfterSeq() {
    assertEquals(
        new Action.Resume(null, "lobby", Long.MAX_VALUE),
        accepted(
            "{\"action\":\"resume\",\"roomId\":\"lobby\",\"afterSeq\":" + Long.MAX_VALUE + "}"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "1.5", "\"3\"", "true", "9223372036854775808", "1e3"})
  void rejectsAnAfterSeqThatIsNotAWholeNumberFromZeroWithInvalidField(String afterSeq) {
    for (String frame :
        List.of(
            "{\"action\":\"resume\",\"roomId\":\"lobby\",\"requestId\":\"q\",\"afterSeq\":"
                + afterSeq
                + "}",
            "{\"action\":\"joinRoom\",\"roomId\":\"lobby\",\"username\":\"a\",\"requestId\":\"q\","
                + "\"afterSeq\":"
                + afterSeq
                + "}")) {
      ErrorFrame error = rejected(frame);
      assertEquals(400, error.status(), frame);
      assertEquals("invalidField", error.code(), frame);
      assertEquals("q", error.requestId(), frame);
    }
  }

  @Test
  void rejectsAResumeWithoutAfterSeqWithMissingField() {
    ErrorFrame error = rejected("{\"action\":\"resume\",\"roomId\":\"lobby\"}");
    assertEquals("missingField", error.code());
    assertEquals(true, error.message().contains("afterSeq"), error.message());
  }

  @Test
  void ignoresAClientSuppliedConnectionId() {
    Action action =
        accepted(
            "{\"action\":\"createRoom\",\"username\":\"a\",\"connectionId\":\"someone-else\"}");
    assertEquals(new Action.CreateRoom(null, "a", null, null), action);
  }

  @ParameterizedTest
  @ValueSource(strings = {"not json", "{\"action\":", "[1,2]", "42", "\"text\""})
  void rejectsWhatIsNotAJsonObjectWithBadJson(String frame) {
    ErrorFrame error = rejected(frame);
    assertEquals(400, error.status());
    assertEquals("badJson", error.code());
  }

  @Test
  void rejectsUnknownActionAndEchoesRequestId() {
    ErrorFrame error = rejected("{\"action\":\"dance\",\"requestId\":\"q7\"}");
    assertEquals("unknownAction", error.code());
    assertEquals(400, error.status());
    assertEquals("q7", error.requestId());
  }

  @ParameterizedTest
  @ValueSource(strings = {"$connect", "$disconnect"})
  void clientsCannotSendTheGatewaysOwnRoutes(String route) {
    assertEquals("unknownAction", rejected("{\"action\":\"" + route + "\"}").code());
  }

  @Test
  void rejectsMissingFieldsNamingTheField() {
    ErrorFrame error =
        rejected("{\"action\":\"sendMessage\",\"roomId\":\"lobby\",\"requestId\":\"a\"}");
    assertEquals("missingField", error.code());
    assertEquals("text is required", error.message());
    assertEquals("a", error.requestId());
    assertEquals("missingField", rejected("{\"username\":\"x\"}").code());
  }

  @Test
  void rejectsFieldsOfTheWrongType() {
    assertEquals(
        "invalidField",
        rejected("{\"action\":\"joinRoom\",\"roomId\":7,\"username\":\"bob\"}").code());
    assertEquals(
        "invalidField",
        rejected("{\"action\":\"joinRoom\",\"roomId\":\"a b\",\"username\":\"bob\"}").code());
    assertEquals(
        "invalidField",
        rejected("{\"action\":\"joinRoom\",\"roomId\":\"lobby\",\"username\":\"   \"}").code());
  }

  @Test
  void acceptsTextAtTheLimitAndRejectsOneCharacterMoreWith413() {
    String atLimit = "é".repeat(Limits.MAX_TEXT_LENGTH);
    Action ok =
        accepted("{\"action\":\"sendMessage\",\"roomId\":\"r\",\"text\":\"" + atLimit + "\"}");
    assertEquals(atLimit, ((Action.SendMessage) ok).text());

    ErrorFrame error =
        rejected("{\"action\":\"sendMessage\",\"roomId\":\"r\",\"text\":\"" + atLimit + "x\"}");
    assertEquals(413, error.status());
    assertEquals("fieldTooLong", error.code());
  }

  @Test
  void acceptsLineBreaksAndTabsInTextButNoOtherControlCharacters() {
    Action ok = accepted("{\"action\":\"sendMessage\",\"roomId\":\"r\",\"text\":\"a\\nb\\tc\\r\"}");
    assertEquals("a\nb\tc\r", ((Action.SendMessage) ok).text());
    ErrorFrame error =
        rejected(
            "{\"action\":\"sendMessage\",\"roomId\":\"r\",\"text\":\"a\\u0000b\",\"requestId\":\"z\"}");
    assertEquals("invalidField", error.code());
    assertEquals("z", error.requestId());
  }

  @Test
  void countsAnEmojiAsOneCharacter() {
    String emoji = "\uD83D\uDE00".repeat(Limits.MAX_USERNAME_LENGTH);
    accepted("{\"action\":\"createRoom\",\"username\":\"" + emoji + "\"}");
  }

  @Test
  void enforcesUsernameRoomIdAndRequestIdLimits() {
    String name = "u".repeat(Limits.MAX_USERNAME_LENGTH);
    accepted("{\"action\":\"createRoom\",\"username\":\"" + name + "\"}");
    assertEquals(
        "fieldTooLong",
        rejected("{\"action\":\"createRoom\",\"username\":\"" + name + "u\"}").code());

    String room = "r".repeat(Limits.MAX_ROOM_ID_LENGTH);
    accepted("{\"action\":\"leaveRoom\",\"roomId\":\"" + room + "\"}");
    assertEquals(
        "fieldTooLong", rejected("{\"action\":\"leaveRoom\",\"roomId\":\"" + room + "r\"}").code());

    String req = "q".repeat(Limits.MAX_REQUEST_ID_LENGTH);
    accepted("{\"action\":\"leaveRoom\",\"roomId\":\"r\",\"requestId\":\"" + req + "\"}");
    ErrorFrame tooLong =
        rejected("{\"action\":\"leaveRoom\",\"roomId\":\"r\",\"requestId\":\"" + req + "q\"}");
    assertEquals("fieldTooLong", tooLong.code());
    assertEquals(null, tooLong.requestId(), "an unreadable requestId is not echoed");
  }

  @Test
  void rejectsDocumentsNestedDeeperThanTheLimit() {
    String deep = "[".repeat(1000) + "]".repeat(1000);
    assertEquals("badJson", rejected("{\"action\":\"createRoom\",\"x\":" + deep + "}").code());
  }

  private static Action.PostMessage posted(String roomId, String body) {
    Action action =
        assertInstanceOf(Result.Accepted.class, ActionParser.parsePost(roomId, body)).action();
    return assertInstanceOf(Action.PostMessage.class, action);
  }

  private static ErrorFrame postRejected(String roomId, String body) {
    return assertInstanceOf(Result.Rejected.class, ActionParser.parsePost(roomId, body)).error();
  }

  @Test
  void aServerPostIsSentAsServerUnlessItNamesASender() {
    assertEquals(
        new Action.PostMessage(null, "lobby", "hi", ActionParser.DEFAULT_SERVER_USERNAME, null),
        posted("lobby", "{\"text\":\"hi\"}"));
    assertEquals("server", posted("lobby", "{\"text\":\"hi\",\"username\":null}").username());
    assertEquals(
        new Action.PostMessage(null, "lobby", "hi", "Announcements", "k1"),
        posted("lobby", "{\"text\":\"hi\",\"username\":\"Announcements\",\"clientMsgId\":\"k1\"}"));
  }

  @Test
  void aServerPostTakesTextOf4096CharactersAndRefuses4097WithFieldTooLong() {
    String atLimit = "\uD83D\uDE00".repeat(Limits.MAX_TEXT_LENGTH);
    assertEquals(atLimit, posted("lobby", "{\"text\":\"" + atLimit + "\"}").text());

    ErrorFrame error = postRejected("lobby", "{\"text\":\"" + atLimit + "x\"}");
    assertEquals("fieldTooLong", error.code());
    assertEquals(413, error.status());
    assertNull(error.requestId());
  }

  @Test
  void aServerPostTakesAUsernameOf64CharactersAndRefuses65() {
    String name = "n".repeat(Limits.MAX_USERNAME_LENGTH);
    assertEquals(
        name, posted("lobby", "{\"text\":\"hi\",\"username\":\"" + name + "\"}").username());

    ErrorFrame error = postRejected("lobby", "{\"text\":\"hi\",\"username\":\"" + name + "n\"}");
    assertEquals("fieldTooLong", error.code());
    assertTrue(error.message().contains("username"), error.message());
  }

  @Test
  void aServerPostTakesAClientMsgIdOf128CharactersAndRefuses129() {
    String id = "c".repeat(Limits.MAX_CLIENT_MSG_ID_LENGTH);
    assertEquals(
        id, posted("lobby", "{\"text\":\"hi\",\"clientMsgId\":\"" + id + "\"}").clientMsgId());

    ErrorFrame error = postRejected("lobby", "{\"text\":\"hi\",\"clientMsgId\":\"" + id + "c\"}");
    assertEquals("fieldTooLong", error.code());
    assertTrue(error.message().contains("clientMsgId"), error.message());
  }

  @Test
  void aServerPostKeepsLineBreaksAndTabs() {
    assertEquals("a\nb\tc\r", posted("lobby", "{\"text\":\"a\\nb\\tc\\r\"}").text());
  }

  @ParameterizedTest
  @ValueSource(strings = {"\\u0000", "\\u0007", "\\u001b", "\\u007f", "\\u0085"})
  void aServerPostRefusesOtherControlCharactersInText(String escaped) {
    ErrorFrame error = postRejected("lobby", "{\"text\":\"a" + escaped + "b\"}");
    assertEquals("invalidField", error.code(), escaped);
    assertEquals(400, error.status());
  }

  @Test
  void aServerPostWithoutTextIsMissingAField() {
    ErrorFrame error = postRejected("lobby", "{\"username\":\"ops\"}");
    assertEquals("missingField", error.code());
    assertEquals("text is required", error.message());
    assertEquals("missingField", postRejected("lobby", "{\"text\":null}").code());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "not json", "{\"text\":", "[\"hi\"]", "42", "\"hi\"", "null"})
  void aServerPostThatIsNotAJsonObjectIsBadJson(String body) {
    ErrorFrame error = postRejected("lobby", body);
    assertEquals("badJson", error.code(), body);
    assertEquals(400, error.status());
  }

  @Test
  void aServerPostToARoomIdOf64CharactersIsTakenAnd65Refused() {
    String room = "r".repeat(Limits.MAX_ROOM_ID_LENGTH);
    assertEquals(room, posted(room, "{\"text\":\"hi\"}").roomId());

    assertEquals("fieldTooLong", postRejected(room + "r", "{\"text\":\"hi\"}").code());
  }

  @ParameterizedTest
  @ValueSource(strings = {"a b", "a/b", "caf\u00e9", ""})
  void aServerPostToAnInvalidRoomIdIsRefused(String roomId) {
    assertEquals("invalidField", postRejected(roomId, "{\"text\":\"hi\"}").code(), roomId);
  }

  // Issue 14: the holes an attack on the edge found.

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"action\":\"joinRoom\",\"roomId\":\"doesnotexist\",\"username\":\"x\",\"requestId\":\"a\\ud800\"}",
        "{\"action\":\"createRoom\",\"username\":\"x\\udfff\"}",
        "{\"action\":\"sendMessage\",\"roomId\":\"lobby\",\"text\":\"lone \\ud800\"}",
        "{\"action\":\"sendMessage\",\"roomId\":\"lobby\",\"text\":\"hi\",\"clientMsgId\":\"\\udc00x\"}",
        "{\"action\":\"sendMessage\",\"roomId\":\"lobby\",\"text\":\"hi\",\"extra\":[\"\\ud800\"]}",
        "{\"action\":\"sendMessage\",\"roomId\":\"lobby\",\"text\":\"swapped \\ude00\\ud83d\"}"
      })
  void aLoneSurrogateEscapeAnywhereInTheFrameIsBadJson(String frame) {
    ErrorFrame error = rejected(frame);
    assertEquals(400, error.status(), frame);
    assertEquals("badJson", error.code(), frame);
    assertTrue(error.message().contains("unpaired surrogate"), error.message());
    assertNull(error.requestId(), "the requestId may be the ill-formed string");
  }

  @Test
  void aSurrogatePairWrittenAsEscapesIsOneCharacter() {
    Action action =
        accepted("{\"action\":\"sendMessage\",\"roomId\":\"lobby\",\"text\":\"\\ud83d\\ude00\"}");
    assertEquals(new Action.SendMessage(null, "lobby", "\ud83d\ude00", null), action);
  }

  @Test
  void aServerPostWithALoneSurrogateIsBadJson() {
    ErrorFrame error = postRejected("lobby", "{\"text\":\"a\\ud800\"}");
    assertEquals("badJson", error.code());
    assertEquals(
        "badJson", postRejected("lobby", "{\"text\":\"a\",\"username\":\"\\udfff\"}").code());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"action\":\"createRoom\",\"username\":\"a\"} xyz",
        "{\"action\":\"createRoom\",\"username\":\"a\"}{\"action\":\"createRoom\",\"username\":\"b\"}",
        "{\"action\":\"createRoom\",\"username\":\"a\"} 42",
        "{\"action\":\"createRoom\",\"username\":\"a\"}]"
      })
  void dataAfterTheObjectIsBadJsonAndNothingIsTaken(String frame) {
    ErrorFrame error = rejected(frame);
    assertEquals("badJson", error.code(), frame);
  }

  @Test
  void whitespaceAfterTheObjectIsFine() {
    assertEquals(
        new Action.CreateRoom(null, "a", null, null),
        accepted("{\"action\":\"createRoom\",\"username\":\"a\"} \n\t "));
  }

  @Test
  void aServerPostWithDataAfterItsObjectIsBadJson() {
    assertEquals("badJson", postRejected("lobby", "{\"text\":\"a\"}{\"text\":\"b\"}").code());
  }

  @Test
  void anAfterSeqOf1000DigitsOrMoreIsAnInvalidFieldNotBadJson() {
    for (int digits : new int[] {20, 1000, 1001, 5000}) {
      ErrorFrame error =
          rejected(
              "{\"action\":\"resume\",\"roomId\":\"lobby\",\"afterSeq\":"
                  + "9".repeat(digits)
                  + "}");
      assertEquals("invalidField", error.code(), digits + " digits");
      assertTrue(error.message().startsWith("afterSeq must be a whole number"), error.message());
    }
    assertEquals(
        new Action.Resume(null, "lobby", Long.MAX_VALUE),
        accepted(
            "{\"action\":\"resume\",\"roomId\":\"lobby\",\"afterSeq\":" + Long.MAX_VALUE + "}"));
  }

  @Test
  void aLongNumberInAnUnknownFieldIsAnInvalidFieldNamingIt() {
    ErrorFrame error =
        rejected("{\"action\":\"resume\",\"roomId\":\"lobby\",\"other\":" + "1".repeat(1001) + "}");
    assertEquals("invalidField", error.code());
    assertTrue(error.message().startsWith("'other' "), error.message());
  }

  @ParameterizedTest
  @ValueSource(strings = {"\u200b", "\u200d", "\u00a0", "\u3164", "\u202eadmin", "ad\u200bmin"})
  void aUsernameThatIsInvisibleOrCarriesBidiControlsIsRefused(String username) {
    ErrorFrame error =
        rejected(
            "{\"action\":\"createRoom\",\"username\":\"" + username + "\",\"requestId\":\"q\"}");
    assertEquals("invalidField", error.code());
    assertTrue(error.message().startsWith("username must"), error.message());
    assertEquals("q", error.requestId());
    assertEquals(
        "invalidField",
        postRejected("lobby", "{\"text\":\"hi\",\"username\":\"" + username + "\"}").code());
  }

  @Test
  void anUnknownActionIsQuotedWithoutSplittingAnEmojiAtTheCut() {
    String name = "x".repeat(39) + "\ud83d\ude00" + "tail";
    ErrorFrame error = rejected("{\"action\":\"" + name + "\"}");
    assertEquals("unknownAction", error.code());
    assertTrue(WellFormed.isWellFormed(error.message()), error.message());
    assertTrue(error.message().contains("x".repeat(39) + "\ud83d\ude00..."), error.message());
  }

  @Test
  void aConnectionWithItsOwnUsernameMayLeaveItOutAndAnotherIsParsedAsWritten() {
    assertEquals(
        new Action.JoinRoom("r1", "lobby", "Alice", null, null),
        ((Result.Accepted)
                ActionParser.parse(
                    "{\"action\":\"joinRoom\",\"requestId\":\"r1\",\"roomId\":\"lobby\"}", "Alice"))
            .action());
    assertEquals(
        new Action.CreateRoom("r1", "Bob", null, null),
        ((Result.Accepted)
                ActionParser.parse(
                    "{\"action\":\"createRoom\",\"requestId\":\"r1\",\"username\":\"Bob\"}",
                    "Alice"))
            .action());
    // Without one, username is still required.
    assertInstanceOf(
        Result.Rejected.class,
        ActionParser.parse("{\"action\":\"joinRoom\",\"roomId\":\"lobby\"}", null));
  }

  @Test
  void aRefreshIsParsedIntoARefreshNeverAnAction() {
    Result.Refresh refresh =
        assertInstanceOf(
            Result.Refresh.class,
            ActionParser.parse(
                "{\"action\":\"refresh\",\"requestId\":\"r9\",\"token\":\"aaa.bbb.sig-xyz\"}",
                "Alice"));
    assertEquals(new Result.Refresh("r9", "aaa.bbb.sig-xyz"), refresh);
    // The token is for the verifier only: what gets printed of it never shows it.
    assertFalse(refresh.toString().contains("sig-xyz"), refresh.toString());
    // An empty token is the verifier's to refuse, like any other bad token.
    assertEquals(
        new Result.Refresh(null, ""),
        ActionParser.parse("{\"action\":\"refresh\",\"token\":\"\"}"));
  }

  @Test
  void aRefreshWithoutAStringTokenIsAMissingField() {
    for (String frame :
        List.of(
            "{\"action\":\"refresh\",\"requestId\":\"r9\"}",
            "{\"action\":\"refresh\",\"requestId\":\"r9\",\"token\":42}")) {
      ErrorFrame error = rejected(frame);
      assertEquals("missingField", error.code(), frame);
      assertEquals(ActionParser.REFRESH_WITHOUT_TOKEN, error.message(), frame);
      assertEquals("r9", error.requestId(), frame);
    }
  }

  @Test
  void aMessageThatSaysRefreshIsAMessage() {
    assertEquals(
        new Action.SendMessage(null, "lobby", "please refresh", null),
        accepted(
            "{\"action\":\"sendMessage\",\"roomId\":\"lobby\",\"text\":\"please refresh\","
                + "\"token\":\"x\"}"));
  }
}
