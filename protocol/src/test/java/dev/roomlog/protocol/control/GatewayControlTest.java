package dev.roomlog.protocol.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.protocol.control.CommandAnswer.Outcome;
import dev.roomlog.protocol.control.ConnectionCommand.Op;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class GatewayControlTest {
  private static final long DEADLINE = 1_700_000_000_123L;

  private static GatewayControl roundTrip(GatewayControl message) {
    return GatewayControl.read(message.kind(), message.toBytes());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @EnumSource(Op.class)
  void aCommandSurvivesTheTripThroughItsBytes(Op op) {
    String data = op == Op.SEND ? "{\"type\":\"notice\",\"text\":\"héllo \uD83D\uDE00\"}" : null;
    ConnectionCommand sent = new ConnectionCommand("req-1", "gw-a", op, "gw-b.u1", data, DEADLINE);

    assertEquals(GatewayControl.COMMAND, sent.kind());
    assertEquals(sent, roundTrip(sent));
  }

  @Test
  void anAnswerWithoutInfoSurvivesTheTrip() {
    for (Outcome outcome : Outcome.values()) {
      CommandAnswer sent = new CommandAnswer("req-1", outcome, null);

      assertEquals(GatewayControl.ANSWER, sent.kind());
      assertEquals(sent, roundTrip(sent));
    }
  }

  @Test
  void anAnswerWithConnectionInfoSurvivesTheTrip() {
    CommandAnswer full =
        new CommandAnswer(
            "req-2",
            Outcome.DONE,
            new ConnectionInfo(
                "gw-b.u1",
                1_000L,
                2_000L,
                new ConnectionInfo.Identity("192.0.2.7", "curl/8", "web")));
    CommandAnswer noUserAgent =
        new CommandAnswer(
            "req-3",
            Outcome.DONE,
            new ConnectionInfo(
                "gw-b.u2", 5L, 5L, new ConnectionInfo.Identity("2001:db8::1", null, "mobile")));

    assertEquals(full, roundTrip(full));
    CommandAnswer read = (CommandAnswer) roundTrip(noUserAgent);
    assertEquals(noUserAgent, read);
    assertNull(read.info().identity().userAgent());
  }

  @Test
  void theKindTellsACommandFromAnAnswer() {
    ConnectionCommand command =
        new ConnectionCommand("r", "gw-a", Op.GET, "gw-b.u1", null, DEADLINE);

    // Read as the other kind, the command lacks the answer's outcome.
    assertThrows(
        IllegalArgumentException.class,
        () -> GatewayControl.read(GatewayControl.ANSWER, command.toBytes()));
  }

  @Test
  void refusesAnUnknownKindNamingIt() {
    byte[] value = new CommandAnswer("r", Outcome.GONE, null).toBytes();

    String message =
        assertThrows(IllegalArgumentException.class, () -> GatewayControl.read("delivery", value))
            .getMessage();
    assertTrue(message.contains("'delivery'"), message);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "{garbage", "[1,2]", "42", "{}", "{\"requestId\":\"r\"}"})
  void refusesValuesThatDoNotParse(String value) {
    for (String kind : new String[] {GatewayControl.COMMAND, GatewayControl.ANSWER}) {
      assertThrows(
          IllegalArgumentException.class,
          () -> GatewayControl.read(kind, bytes(value)),
          kind + " " + value);
    }
  }

  @Test
  void refusesBytesThatAreNotText() {
    byte[] garbage = {(byte) 0xc3, 0x28, (byte) 0xa0, (byte) 0xa1, 0};

    assertThrows(
        IllegalArgumentException.class, () -> GatewayControl.read(GatewayControl.COMMAND, garbage));
  }

  @Test
  void aSendNeedsDataAndOnlyASendMayCarryIt() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new ConnectionCommand("r", "gw-a", Op.SEND, "gw-b.u1", null, DEADLINE));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ConnectionCommand("r", "gw-a", Op.GET, "gw-b.u1", "x", DEADLINE));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ConnectionCommand("r", "gw-a", Op.DELETE, "gw-b.u1", "x", DEADLINE));
  }

  @Test
  void aSendWithoutDataOrAGetWithDataIsRefusedWhenRead() {
    String sendWithoutData =
        "{\"requestId\":\"r\",\"replyTo\":\"gw-a\",\"op\":\"SEND\",\"connectionId\":\"gw-b.u1\",\"deadline\":1}";
    String getWithData =
        "{\"requestId\":\"r\",\"replyTo\":\"gw-a\",\"op\":\"GET\",\"connectionId\":\"gw-b.u1\","
            + "\"data\":\"x\",\"deadline\":1}";

    assertThrows(
        IllegalArgumentException.class,
        () -> GatewayControl.read(GatewayControl.COMMAND, bytes(sendWithoutData)));
    assertThrows(
        IllegalArgumentException.class,
        () -> GatewayControl.read(GatewayControl.COMMAND, bytes(getWithData)));
  }

  @Test
  void requiresTheIdsOfACommandAndAnAnswer() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new ConnectionCommand("", "gw-a", Op.GET, "gw-b.u1", null, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ConnectionCommand("r", null, Op.GET, "gw-b.u1", null, 1));
    assertThrows(IllegalArgumentException.class, () -> new CommandAnswer("r", null, null));
    assertThrows(IllegalArgumentException.class, () -> new CommandAnswer(null, Outcome.DONE, null));
  }
}
