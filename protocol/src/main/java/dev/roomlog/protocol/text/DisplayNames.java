package dev.roomlog.protocol.text;

import java.util.Optional;

/**
 * What a name shown to other people may look like (a username): something a reader can see and that
 * displays as what it is. Follows the Unicode security recommendations (UTS #39, section 3.1, and
 * UTS #55 on bidirectional source text) as far as they apply to display names, which unlike
 * identifiers may hold any script, spaces, emoji and punctuation:
 *
 * <ul>
 *   <li>no control characters (Cc);
 *   <li>no bidirectional formatting controls (the Bidi_Control property: U+061C, U+200E, U+200F,
 *       U+202A..U+202E, U+2066..U+2069): they reorder how the name, and the text around it, is
 *       displayed ("Trojan Source");
 *   <li>no invisible characters (Default_Ignorable_Code_Point), except those that join visible ones
 *       and that emoji and several scripts need: ZWJ, ZWNJ, variation selectors, emoji tag
 *       characters and the Mongolian free variation selectors. So "a\u200Bb" cannot pass for "ab",
 *       and a name of Hangul fillers (U+3164) cannot pass for no name;
 *   <li>at least one visible character: a letter, digit, punctuation mark or symbol that is not
 *       invisible (or a code point this JDK does not know yet, most likely a newer emoji). Spaces
 *       (including U+00A0), combining marks and joiners alone are not a name. U+2800 (Braille
 *       blank) is a symbol that displays as nothing and counts as invisible too.
 * </ul>
 *
 * Pure; the messages name the rule, for the client's error frame.
 */
public final class DisplayNames {
  private DisplayNames() {}

  /** Why {@code name} (called {@code field} in the message) is refused, or empty if it is fine. */
  public static Optional<String> problem(String field, String name) {
    boolean visible = false;
    for (int i = 0; i < name.length(); ) {
      int c = name.codePointAt(i);
      i += Character.charCount(c);
      if (Character.getType(c) == Character.CONTROL) {
        return Optional.of(field + " must not contain control characters");
      }
      if (isBidiControl(c)) {
        return Optional.of(
            field
                + " must not contain bidirectional controls (such as U+202E): they change how"
                + " the name and the text around it are displayed");
      }
      if (isDefaultIgnorable(c) && !joinsVisibleCharacters(c)) {
        return Optional.of(
            field + " must not contain invisible characters (such as U+200B or U+3164)");
      }
      visible |= isVisible(c);
    }
    if (!visible) {
      return Optional.of(
          field + " must contain at least one visible letter, digit, punctuation mark or symbol");
    }
    return Optional.empty();
  }

  /** The Bidi_Control property (PropList.txt). */
  static boolean isBidiControl(int c) {
    return c == 0x061C
        || c == 0x200E
        || c == 0x200F
        || (c >= 0x202A && c <= 0x202E)
        || (c >= 0x2066 && c <= 0x2069);
  }

  /** The Default_Ignorable_Code_Point property (DerivedCoreProperties.txt, Unicode 15). */
  static boolean isDefaultIgnorable(int c) {
    return c == 0x00AD
        || c == 0x034F
        || c == 0x061C
        || c == 0x115F
        || c == 0x1160
        || c == 0x17B4
        || c == 0x17B5
        || (c >= 0x180B && c <= 0x180F)
        || (c >= 0x200B && c <= 0x200F)
        || (c >= 0x202A && c <= 0x202E)
        || (c >= 0x2060 && c <= 0x206F)
        || c == 0x3164
        || (c >= 0xFE00 && c <= 0xFE0F)
        || c == 0xFEFF
        || c == 0xFFA0
        || (c >= 0xFFF0 && c <= 0xFFF8)
        || (c >= 0x1BCA0 && c <= 0x1BCA3)
        || (c >= 0x1D173 && c <= 0x1D17A)
        || (c >= 0xE0000 && c <= 0xE0FFF);
  }

  /**
   * The invisible characters a name may still carry because they shape the visible ones next to
   * them: ZWNJ and ZWJ (Persian, Indic scripts, emoji sequences such as a family), variation
   * selectors (emoji vs text presentation, CJK variants), emoji tag characters (the flags of
   * Scotland and Wales) and the Mongolian free variation selectors.
   */
  private static boolean joinsVisibleCharacters(int c) {
    return c == 0x200C
        || c == 0x200D
        || (c >= 0xFE00 && c <= 0xFE0F)
        || (c >= 0xE0100 && c <= 0xE01EF)
        || (c >= 0xE0020 && c <= 0xE007F)
        || (c >= 0x180B && c <= 0x180D)
        || c == 0x180F;
  }

  private static boolean isVisible(int c) {
    if (isDefaultIgnorable(c) || c == 0x2800) {
      return false;
    }
    return switch (Character.getType(c)) {
      case Character.UPPERCASE_LETTER,
          Character.LOWERCASE_LETTER,
          Character.TITLECASE_LETTER,
          Character.MODIFIER_LETTER,
          Character.OTHER_LETTER,
          Character.DECIMAL_DIGIT_NUMBER,
          Character.LETTER_NUMBER,
          Character.OTHER_NUMBER,
          Character.CONNECTOR_PUNCTUATION,
          Character.DASH_PUNCTUATION,
          Character.START_PUNCTUATION,
          Character.END_PUNCTUATION,
          Character.INITIAL_QUOTE_PUNCTUATION,
          Character.FINAL_QUOTE_PUNCTUATION,
          Character.OTHER_PUNCTUATION,
          Character.MATH_SYMBOL,
          Character.CURRENCY_SYMBOL,
          Character.MODIFIER_SYMBOL,
          Character.OTHER_SYMBOL,
          // Assigned after this JDK's Unicode version (Java 17 knows Unicode 13): most likely a
          // newer emoji; refusing it would refuse names that a newer JDK accepts.
          Character.UNASSIGNED ->
          true;
      default -> false;
    };
  }
}
