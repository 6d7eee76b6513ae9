package dev.roomlog.processor;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.frame.ServerFrame;
import java.util.StringJoiner;

/**
 * Writes the frames the processor sends, each exactly as {@link Json#write} does (the same
 * characters), but a {@code joined} answer's history from the JSON its room keeps of each recent
 * message ({@link RecentEvents#historyJson}) instead of writing every message again. The rest of a
 * joined frame is written by hand, field by field, in the order and with the rules Jackson uses for
 * the record ({@code type} first, then the components in their order, null ones left out, strings
 * quoted with Jackson's own escape table). Jackson's reflection and escaping over 100 messages and
 * 100 members was most of a join's cost (JMH: 35-70 µs a join); a generator writing into a {@code
 * Writer} would copy the spliced history twice more, char by char, where a {@link StringJoiner}
 * copies it once, into the answer. {@code FrameJsonTest} compares the two over random rooms and
 * texts, and checks that the components written here are the records' own, so a field added to
 * {@link ServerFrame.Joined} or {@link ServerFrame.MemberView} fails the build until it is written
 * here too.
 */
final class FrameJson {
  private static final JsonStringEncoder QUOTER = JsonStringEncoder.getInstance();

  /** Room for one member's entry, most of them shorter: the builder grows past it if need be. */
  private static final int MEMBER_CHARS = 64;

  private FrameJson() {}

  /**
   * The frame's JSON. {@code window} is the room's recent events the frame was made from (null when
   * there is no room): a joined frame's history messages that came from it are spliced in as it
   * keeps them.
   */
  static String write(ServerFrame frame, RecentEvents window) {
    if (frame instanceof ServerFrame.Joined joined && joined.history() != null) {
      return joined(joined, window);
    }
    return frame.toJson();
  }

  private static String joined(ServerFrame.Joined joined, RecentEvents window) {
    StringBuilder head = new StringBuilder(256 + MEMBER_CHARS * joined.members().size());
    head.append("{\"type\":\"joined\"");
    string(head, ",\"roomId\":", joined.roomId());
    head.append(",\"seq\":").append(joined.seq());
    head.append(",\"memberCount\":").append(joined.memberCount().intValue());
    head.append(",\"members\":[");
    boolean first = true;
    for (ServerFrame.MemberView member : joined.members()) {
      head.append(first ? "{" : ",{");
      first = false;
      string(head, "\"connectionId\":", member.connectionId());
      string(head, ",\"username\":", member.username());
      head.append('}');
    }
    head.append(']');
    if (joined.membersNext() != null) {
      head.append(",\"membersNext\":").append(joined.membersNext().longValue());
    }
    head.append(",\"history\":[");
    StringBuilder tail = new StringBuilder(64).append(']');
    // events: null, as history is not (the record allows only one of the two)
    string(tail, ",\"requestId\":", joined.requestId());
    if (joined.presence() != null) {
      tail.append(",\"presence\":").append(joined.presence().booleanValue());
    }
    tail.append('}');
    // A joiner makes the whole text at its exact length in one allocation, with no copy after.
    StringJoiner out = new StringJoiner(",", head, tail);
    for (ServerFrame.Message message : joined.history()) {
      out.add(window != null ? window.historyJson(message) : Json.write(message));
    }
    return out.toString();
  }

  /**
   * {@code prefix} (the comma and the field's name) and the string, quoted as Jackson's generator
   * quotes it (the same escape table: {@code JsonStringEncoder}); nothing when null, as {@link
   * Json}'s inclusion rule leaves null fields out.
   */
  private static void string(StringBuilder out, String prefix, String value) {
    if (value != null) {
      out.append(prefix).append('"');
      QUOTER.quoteAsString(value, out);
      out.append('"');
    }
  }
}
