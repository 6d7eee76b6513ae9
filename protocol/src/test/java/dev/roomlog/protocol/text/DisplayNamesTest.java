package dev.roomlog.protocol.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One case per class of name the Unicode security recommendations warn about. */
class DisplayNamesTest {

  private static Optional<String> problem(String name) {
    return DisplayNames.problem("username", name);
  }

  private static void assertRefusedFor(String name, String because) {
    Optional<String> problem = problem(name);
    assertTrue(problem.isPresent(), "should refuse " + escape(name));
    assertTrue(
        problem.get().contains(because),
        "refusal of " + escape(name) + " should say '" + because + "', said: " + problem.get());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "test1",
        "José",
        "李小龍",
        "محمد",
        "Jane Doe",
        "Jane\u00a0Doe",
        "\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67", // family: ZWJ sequence
        "\u2764\ufe0f", // heart with emoji presentation selector
        "\ud83c\udff4\udb40\udc67\udb40\udc62\udb40\udc73\udb40\udc63\udb40\udc74\udb40\udc7f", // Scotland
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", // Persian with ZWNJ
        "e\u0301", // e + combining acute
        "a.b-c_d!",
        "42"
      })
  void acceptsNamesInAnyScriptWithEmojiAndJoiners(String name) {
    assertEquals(Optional.empty(), problem(name), escape(name));
  }

  @Test
  void refusesANameOfZeroWidthSpacesOnly() {
    assertRefusedFor("\u200b\u200b", "invisible");
  }

  @Test
  void refusesANameOfZeroWidthJoinersOnly() {
    assertRefusedFor("\u200d", "at least one visible");
    assertRefusedFor("\u200d\u200c\ufe0f", "at least one visible");
  }

  @Test
  void refusesANameOfNoBreakSpacesOrOtherSpacesOnly() {
    assertRefusedFor("\u00a0\u00a0", "at least one visible");
    assertRefusedFor(" \u3000\u2003", "at least one visible");
  }

  @Test
  void refusesHangulFillersThatDisplayAsNothing() {
    assertRefusedFor("\u3164", "invisible");
    assertRefusedFor("\u115f\u1160", "invisible");
    assertRefusedFor("\uffa0", "invisible");
  }

  @Test
  void refusesABrailleBlankOnlyName() {
    assertRefusedFor("\u2800\u2800", "at least one visible");
  }

  @Test
  void refusesCombiningMarksWithoutABase() {
    assertRefusedFor("\u0301\u0302", "at least one visible");
  }

  @Test
  void refusesAnInvisibleCharacterHiddenInAVisibleName() {
    assertRefusedFor("ad\u200bmin", "invisible");
    assertRefusedFor("admin\u2060", "invisible");
    assertRefusedFor("\ufeffadmin", "invisible");
    assertRefusedFor("ad\u00admin", "invisible"); // soft hyphen
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\u202egnp.exe", // right-to-left override
        "a\u202db", // left-to-right override
        "a\u202ab", // left-to-right embedding
        "a\u2066b\u2069", // isolates
        "a\u200fb", // right-to-left mark
        "a\u061cb" // Arabic letter mark
      })
  void refusesBidirectionalControls(String name) {
    assertRefusedFor(name, "bidirectional");
  }

  @Test
  void refusesControlCharacters() {
    assertRefusedFor("a\u0007b", "control");
    assertRefusedFor("a\nb", "control");
    assertRefusedFor("a\u0085b", "control");
  }

  private static String escape(String s) {
    StringBuilder out = new StringBuilder();
    s.chars()
        .forEach(
            c ->
                out.append(
                    c < 0x80 && c >= 0x20
                        ? String.valueOf((char) c)
                        : String.format("\\u%04x", c)));
    return out.toString();
  }
}
