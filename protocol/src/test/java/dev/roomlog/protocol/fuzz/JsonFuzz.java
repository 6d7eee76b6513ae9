package dev.roomlog.protocol.fuzz;

import java.util.List;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;
import org.quicktheories.impl.Constraint;

/**
 * Generators of hostile JSON text for the fuzz suites: strings with every kind of escape (lone and
 * swapped surrogates, broken escapes), numbers far past a long, nesting past the parser's cap,
 * unknown and known fields, and data after the value. Built on QuickTheories' randomness source, so
 * a failure shrinks towards a small case and names its seed.
 */
public final class JsonFuzz {
  /** The fields clients send, so that generated frames often get past the first checks. */
  public static final List<String> FIELDS =
      List.of(
          "action", "roomId", "username", "text", "afterSeq", "requestId", "clientMsgId", "token");

  public static final List<String> ACTIONS =
      List.of(
          "createRoom",
          "joinRoom",
          "sendMessage",
          "leaveRoom",
          "resume",
          "refresh",
          "$connect",
          "$postMessage");

  private JsonFuzz() {}

  public static int between(RandomnessSource in, int lo, int hi) {
    return (int) in.next(Constraint.between(lo, hi));
  }

  /** Any UTF-16 text, lone surrogates and controls included, as Java (not JSON) text. */
  public static Gen<String> anyText(int maxLength) {
    return in -> {
      int length = between(in, 0, maxLength);
      StringBuilder s = new StringBuilder(length);
      for (int i = 0; i < length; i++) {
        s.append(anyChar(in));
      }
      return s.toString();
    };
  }

  private static char anyChar(RandomnessSource in) {
    return switch (between(in, 0, 5)) {
      case 0 -> (char) between(in, 0x20, 0x7e);
      case 1 -> (char) between(in, 0, 0x1f);
      case 2 -> (char) between(in, 0xd800, 0xdfff); // surrogates, paired only by chance
      case 3 -> "\u200b\u200d\u202e\u00a0\u3164\ufeff\u2800\u0301".charAt(between(in, 0, 7));
      default -> (char) between(in, 0x80, 0xffff);
    };
  }

  /** A JSON string literal, quotes included, mixing raw characters and escapes of every kind. */
  public static Gen<String> stringLiteral() {
    return in -> {
      StringBuilder s = new StringBuilder("\"");
      int parts = between(in, 0, 12);
      for (int i = 0; i < parts; i++) {
        switch (between(in, 0, 9)) {
          case 0 -> s.append("\\u").append(hex4(between(in, 0xd800, 0xdbff))); // high alone
          case 1 -> s.append("\\u").append(hex4(between(in, 0xdc00, 0xdfff))); // low alone
          case 2 -> s.append("\\ud83d\\ude00"); // a proper pair
          case 3 -> s.append("\\u").append(hex4(between(in, 0, 0xffff)));
          case 4 ->
              s.append(List.of("\\n", "\\\"", "\\\\", "\\/", "\\t", "\\b").get(between(in, 0, 5)));
          case 5 -> s.append(List.of("\\u12", "\\x41", "\\", "\\u{1F600}").get(between(in, 0, 3)));
          case 6 -> s.append("\ud83d\ude00"); // raw emoji
          case 7 -> s.append(anyChar(in)); // raw, possibly a lone surrogate or a control
          default -> s.append((char) between(in, 'a', 'z'));
        }
      }
      if (between(in, 0, 20) > 0) {
        s.append('"');
      }
      return s.toString();
    };
  }

  /** A JSON number, or something that looks like one. */
  public static Gen<String> numberLiteral() {
    return in ->
        switch (between(in, 0, 9)) {
          case 0 -> String.valueOf(between(in, -5, 100));
          case 1 -> String.valueOf(Long.MAX_VALUE);
          case 2 -> "9223372036854775808";
          case 3 -> "9".repeat(between(in, 19, 1200));
          case 4 -> "-" + "1".repeat(between(in, 1, 1100));
          case 5 -> List.of("1.5", "1e400", "-0", "1e-400", "0.0", "2E3").get(between(in, 0, 5));
          case 6 ->
              List.of("01", ".5", "1.", "+1", "NaN", "Infinity", "0x10").get(between(in, 0, 6));
          case 7 -> "1" + "0".repeat(between(in, 0, 30)) + ".0";
          default -> String.valueOf(between(in, 0, Integer.MAX_VALUE));
        };
  }

  /** Any JSON value (often a broken one), up to {@code depth} levels of nesting. */
  public static Gen<String> value(int depth) {
    return in -> value(in, depth);
  }

  private static String value(RandomnessSource in, int depth) {
    int kind = between(in, 0, depth > 0 ? 6 : 3);
    return switch (kind) {
      case 0 -> stringLiteral().generate(in);
      case 1 -> numberLiteral().generate(in);
      case 2 -> List.of("true", "false", "null", "nul", "tru").get(between(in, 0, 4));
      case 3 -> stringLiteral().generate(in);
      case 4, 5 -> object(in, depth - 1, false);
      default -> array(in, depth - 1);
    };
  }

  private static String array(RandomnessSource in, int depth) {
    StringBuilder s = new StringBuilder("[");
    int n = between(in, 0, 4);
    for (int i = 0; i < n; i++) {
      s.append(i == 0 ? "" : ",").append(value(in, depth));
    }
    return s.append(between(in, 0, 30) > 0 ? "]" : "").toString();
  }

  private static String object(RandomnessSource in, int depth, boolean frame) {
    StringBuilder s = new StringBuilder("{");
    int n = between(in, 0, frame ? 7 : 3);
    boolean first = true;
    if (frame && between(in, 0, 5) > 0) {
      s.append("\"action\":");
      s.append(
          between(in, 0, 4) > 0
              ? "\"" + ACTIONS.get(between(in, 0, ACTIONS.size() - 1)) + "\""
              : value(in, depth));
      first = false;
    }
    for (int i = 0; i < n; i++) {
      String key =
          between(in, 0, 3) > 0
              ? "\"" + FIELDS.get(between(in, 0, FIELDS.size() - 1)) + "\""
              : stringLiteral().generate(in);
      String v = between(in, 0, 2) > 0 ? plausible(in, key) : value(in, depth);
      s.append(first ? "" : ",").append(key).append(':').append(v);
      first = false;
    }
    return s.append(between(in, 0, 30) > 0 ? "}" : "").toString();
  }

  /** A value of the right JSON type for a known field, with hostile content. */
  private static String plausible(RandomnessSource in, String key) {
    if (key.equals("\"afterSeq\"")) {
      return numberLiteral().generate(in);
    }
    if (key.equals("\"roomId\"") && between(in, 0, 1) == 0) {
      return "\"lobby\"";
    }
    return stringLiteral().generate(in);
  }

  /**
   * A client frame: usually an object with an action and known fields, sometimes with data after
   * it, sometimes nested past the parser's cap, sometimes not JSON at all.
   */
  public static Gen<String> frame() {
    return in -> {
      String body =
          switch (between(in, 0, 9)) {
            case 0 -> value(in, 3);
            case 1 ->
                "{\"x\":" + "[".repeat(between(in, 10, 40)) + "]".repeat(between(in, 0, 40)) + "}";
            default -> object(in, 3, true);
          };
      return switch (between(in, 0, 9)) {
        case 0 -> body + " " + value(in, 1);
        case 1 -> body + body;
        case 2 -> " \n" + body + "\t ";
        default -> body;
      };
    };
  }

  private static String hex4(int c) {
    return String.format("%04x", c);
  }
}
