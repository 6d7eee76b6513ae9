package dev.roomlog.processor;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.frame.ServerFrame;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * Writes the frames the processor sends, each exactly as {@link Json#write} does (the same
 * characters), but a {@code joined} answer's history from the JSON its room keeps of each recent
 * message ({@link RecentEvents#historyJson}) instead of writing every message again. The rest of a
 * joined frame is written by hand, field by field, in the order and with the rules Jackson uses for
 * the record ({@code type} first, then the components in their order, null ones left out):
 * Jackson's reflection over 100 messages and 100 members was most of a join's cost (JMH: 35-70 µs a
 * join). {@code FrameJsonTest} compares the two over random rooms and texts, and checks that the
 * components written here are the records' own, so a field added to {@link ServerFrame.Joined} or
 * {@link ServerFrame.MemberView} fails the build until it is written here too.
 */
final class FrameJson {
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
    String[] history = new String[joined.history().size()];
    int size = 256 + 128 * joined.members().size();
    for (int i = 0; i < history.length; i++) {
      ServerFrame.Message message = joined.history().get(i);
      history[i] = window != null ? window.historyJson(message) : Json.write(message);
      size += history[i].length() + 1;
    }
    StringWriter out = new StringWriter(size);
    try (JsonGenerator g = Json.MAPPER.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("type", "joined");
      string(g, "roomId", joined.roomId());
      g.writeNumberField("seq", joined.seq());
      g.writeNumberField("memberCount", joined.memberCount());
      g.writeArrayFieldStart("members");
      for (ServerFrame.MemberView member : joined.members()) {
        g.writeStartObject();
        string(g, "connectionId", member.connectionId());
        string(g, "username", member.username());
        g.writeEndObject();
      }
      g.writeEndArray();
      if (joined.membersNext() != null) {
        g.writeNumberField("membersNext", joined.membersNext());
      }
      g.writeArrayFieldStart("history");
      for (String message : history) {
        g.writeRawValue(message);
      }
      g.writeEndArray();
      // events: null, as history is not (the record allows only one of the two)
      string(g, "requestId", joined.requestId());
      if (joined.presence() != null) {
        g.writeBooleanField("presence", joined.presence());
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a joined frame", e);
    }
    return out.toString();
  }

  /** A string field, left out when null (as {@link Json}'s inclusion rule does). */
  private static void string(JsonGenerator g, String name, String value) throws IOException {
    if (value != null) {
      g.writeStringField(name, value);
    }
  }
}
