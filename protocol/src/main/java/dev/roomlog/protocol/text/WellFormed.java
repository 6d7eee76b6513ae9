package dev.roomlog.protocol.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Whether text is well-formed Unicode: every surrogate code unit is half of a pair.
 *
 * <p>JSON lets a string carry a lone surrogate as an escape ({@code "\ud800"}), and Jackson decodes
 * it into a Java string without complaint, but such a string is not Unicode text: encoding it as
 * UTF-8 fails (Jackson's raw writer throws "Incomplete surrogate pair"), so a record carrying one
 * can be read but not answered. I-JSON (RFC 7493, section 2.1) forbids them for that reason.
 * Roomlog refuses them at the edge and checks for them again wherever a record is decoded. Pure.
 */
public final class WellFormed {
  private WellFormed() {}

  /** The index of the first unpaired surrogate in {@code text}, or -1 if there is none. */
  public static int unpairedSurrogateAt(CharSequence text) {
    int length = text.length();
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++; // a pair: one supplementary character
        } else {
          return i;
        }
      } else if (Character.isLowSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  public static boolean isWellFormed(CharSequence text) {
    return unpairedSurrogateAt(text) < 0;
  }

  /**
   * Where in a JSON document the first string or field name with an unpaired surrogate is, as a
   * JSON pointer ({@code /requestContext/connectionId}; a field name's own pointer for a bad name),
   * or empty when every string and name is well-formed.
   */
  public static Optional<String> firstIllFormed(JsonNode node) {
    // Every frame and record passes here: the pointer is built only for one that fails.
    return allWellFormed(node) ? Optional.empty() : firstIllFormed(node, "");
  }

  private static boolean allWellFormed(JsonNode node) {
    if (node.isTextual()) {
      return isWellFormed(node.textValue());
    }
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (!isWellFormed(field.getKey()) || !allWellFormed(field.getValue())) {
          return false;
        }
      }
    } else if (node.isArray()) {
      for (JsonNode element : node) {
        if (!allWellFormed(element)) {
          return false;
        }
      }
    }
    return true;
  }

  private static Optional<String> firstIllFormed(JsonNode node, String pointer) {
    if (node.isTextual()) {
      return isWellFormed(node.textValue())
          ? Optional.empty()
          : Optional.of(pointerOrRoot(pointer));
    }
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        // The name is quoted in the pointer only if it is printable; a bad name is named by
        // its position instead, so the pointer itself stays well-formed.
        if (!isWellFormed(field.getKey())) {
          return Optional.of(pointer + "/<field name>");
        }
        Optional<String> found = firstIllFormed(field.getValue(), pointer + "/" + field.getKey());
        if (found.isPresent()) {
          return found;
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        Optional<String> found = firstIllFormed(node.get(i), pointer + "/" + i);
        if (found.isPresent()) {
          return found;
        }
      }
    }
    return Optional.empty();
  }

  private static String pointerOrRoot(String pointer) {
    return pointer.isEmpty() ? "/" : pointer;
  }
}
