package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code --log-format} and {@code --log-level} as read and refused; what they produce is {@link
 * LogFormatIT}'s (the real jar, whose stderr a test JVM cannot share).
 */
class LoggingTest {
  @Test
  void formatIsTextOrJsonInAnyCase() {
    assertEquals(Logging.Format.TEXT, Logging.Format.parse("text"));
    assertEquals(Logging.Format.JSON, Logging.Format.parse(" JSON "));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Logging.Format.parse("xml"));
    assertEquals(
        "--log-format (env ROOMLOG_LOG_FORMAT) must be text or json, was 'xml'", e.getMessage());
  }

  @Test
  void aBareLevelIsRoomlogsAndNamedLoggersKeepTheirOrder() {
    Map<String, Level> expected = new LinkedHashMap<>();
    expected.put("dev.roomlog", Level.DEBUG);
    expected.put("org.apache.kafka", Level.INFO);
    expected.put("ROOT", Level.ERROR);
    assertEquals(
        expected, Logging.Levels.parse("debug, org.apache.kafka=INFO,root=error,").byLogger());
    assertEquals(Map.of(), Logging.Levels.parse("").byLogger());
  }

  @Test
  void anUnreadableLevelIsRefusedNamingThePart() {
    for (String bad : new String[] {"verbose", "org.apache.kafka=", "=info", "all"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Logging.Levels.parse("info," + bad));
      assertTrue(e.getMessage().startsWith("--log-level (env ROOMLOG_LOG_LEVEL)"), e.getMessage());
      assertTrue(e.getMessage().endsWith("cannot read '" + bad + "'"), e.getMessage());
    }
  }

  @Test
  void anUnknownFormatOrLevelStopsEveryCommandWithExit2NamingTheSetting() {
    String[][] commands = {
      {"--log-format", "xml", "tail"},
      {"tail", "--log-format", "xml"},
      {"replay", "--room", "r", "--log-format=yaml"},
      {"gateway", "--log-level", "loud"},
    };
    for (String[] args : commands) {
      StringWriter err = new StringWriter();
      CommandLine commandLine = RoomlogCommand.commandLine();
      commandLine.setErr(new PrintWriter(err, true));
      commandLine.setOut(new PrintWriter(new StringWriter(), true));
      assertEquals(2, commandLine.execute(args), String.join(" ", args) + ": " + err);
      assertTrue(
          err.toString().contains("(env ROOMLOG_LOG_FORMAT)")
              || err.toString().contains("(env ROOMLOG_LOG_LEVEL)"),
          err.toString());
    }
  }
}
