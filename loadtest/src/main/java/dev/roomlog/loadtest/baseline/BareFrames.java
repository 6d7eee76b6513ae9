package dev.roomlog.loadtest.baseline;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Collection;

/**
 * The server frames of Roomlog's protocol (docs/PROTOCOL.md) that the baseline sends, with the same
 * field names, written as UTF-8 JSON straight into a buffer from {@code alloc}. The caller owns the
 * buffer. Stateless and thread-safe.
 */
final class BareFrames {
  private static final JsonFactory JSON = new JsonFactory();

  private BareFrames() {}

  /** Writes one JSON object's fields; the braces are written around it. */
  @FunctionalInterface
  private interface Fields {
    void write(JsonGenerator json) throws IOException;
  }

  static ByteBuf connected(ByteBufAllocator alloc, String connectionId) {
    return object(
        alloc,
        json -> {
          json.writeStringField("type", "connected");
          json.writeStringField("connectionId", connectionId);
        });
  }

  static ByteBuf roomCreated(
      ByteBufAllocator alloc,
      String roomId,
      long seq,
      Collection<BareRooms.Member> members,
      String requestId) {
    return object(
        alloc,
        json -> {
          room(json, "roomCreated", roomId, seq);
          members(json, members);
          optional(json, "requestId", requestId);
        });
  }

  static ByteBuf joined(
      ByteBufAllocator alloc,
      String roomId,
      long seq,
      Collection<BareRooms.Member> members,
      String requestId) {
    return object(
        alloc,
        json -> {
          room(json, "joined", roomId, seq);
          members(json, members);
          // The baseline keeps no history: there is no log to read it from.
          json.writeArrayFieldStart("history");
          json.writeEndArray();
          optional(json, "requestId", requestId);
        });
  }

  static ByteBuf memberJoined(
      ByteBufAllocator alloc, String roomId, long seq, BareRooms.Member joiner, long at) {
    return object(
        alloc,
        json -> {
          room(json, "memberJoined", roomId, seq);
          json.writeStringField("connectionId", joiner.connectionId());
          json.writeStringField("username", joiner.username());
          json.writeNumberField("at", at);
        });
  }

  static ByteBuf message(
      ByteBufAllocator alloc,
      String roomId,
      long seq,
      BareRooms.Member sender,
      String text,
      long sentAt,
      String requestId) {
    return object(
        alloc,
        json -> {
          room(json, "message", roomId, seq);
          json.writeStringField("from", sender.username());
          json.writeStringField("connectionId", sender.connectionId());
          json.writeStringField("text", text);
          json.writeNumberField("sentAt", sentAt);
          optional(json, "requestId", requestId);
        });
  }

  static ByteBuf error(
      ByteBufAllocator alloc, int status, String code, String message, String requestId) {
    return object(
        alloc,
        json -> {
          json.writeStringField("type", "error");
          json.writeNumberField("status", status);
          json.writeStringField("code", code);
          json.writeStringField("message", message);
          optional(json, "requestId", requestId);
        });
  }

  private static void room(JsonGenerator json, String type, String roomId, long seq)
      throws IOException {
    json.writeStringField("type", type);
    json.writeStringField("roomId", roomId);
    json.writeNumberField("seq", seq);
  }

  private static void members(JsonGenerator json, Collection<BareRooms.Member> members)
      throws IOException {
    json.writeArrayFieldStart("members");
    for (BareRooms.Member member : members) {
      json.writeStartObject();
      json.writeStringField("connectionId", member.connectionId());
      json.writeStringField("username", member.username());
      json.writeEndObject();
    }
    json.writeEndArray();
  }

  private static void optional(JsonGenerator json, String name, String value) throws IOException {
    if (value != null) {
      json.writeStringField(name, value);
    }
  }

  private static ByteBuf object(ByteBufAllocator alloc, Fields fields) {
    ByteBuf buffer = alloc.buffer();
    try (JsonGenerator json =
        JSON.createGenerator((OutputStream) new ByteBufOutputStream(buffer))) {
      json.writeStartObject();
      fields.write(json);
      json.writeEndObject();
    } catch (IOException | RuntimeException e) {
      buffer.release();
      // Writing into memory does not fail: this would be a bug, not an I/O problem.
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
    return buffer;
  }
}
