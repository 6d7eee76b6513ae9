package dev.roomlog.loadtest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Roomlog's wire protocol (docs/PROTOCOL.md) as the generator needs it; the bare Netty baseline
 * speaks it too. Frames are read with Jackson's streaming parser, not a tree: at fan-out rates the
 * generator parses a hundred thousand frames a second on the same cores as the server, and it only
 * needs five fields of each.
 */
final class RoomlogProtocol implements ChatProtocol {
  static final String NAME = "roomlog";
  static final String API_KEY_HEADER = "x-api-key";

  private static final JsonFactory JSON = new JsonFactory();

  private final Map<String, String> headers;

  /**
   * @param apiKey sent as {@code x-api-key} on every upgrade; null sends none
   */
  RoomlogProtocol(String apiKey) {
    this.headers = apiKey == null ? Map.of() : Map.of(API_KEY_HEADER, apiKey);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public URI uri(String host, int port) {
    String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    return URI.create("ws://" + h + ":" + port + "/");
  }

  @Override
  public Map<String, String> handshakeHeaders() {
    return headers;
  }

  @Override
  public String createRoom(String roomId, String username, String requestId) {
    return action("createRoom", "roomId", roomId, "username", username, "requestId", requestId);
  }

  @Override
  public String joinRoom(String roomId, String username, String requestId) {
    return action("joinRoom", "roomId", roomId, "username", username, "requestId", requestId);
  }

  @Override
  public String sendMessage(String roomId, String text, String requestId) {
    return action("sendMessage", "roomId", roomId, "text", text, "requestId", requestId);
  }

  /** {"action":name, field:value...}; a null value leaves its field out. */
  private static String action(String name, String... fieldsAndValues) {
    StringWriter out = new StringWriter(64);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("action", name);
      for (int i = 0; i < fieldsAndValues.length; i += 2) {
        if (fieldsAndValues[i + 1] != null) {
          g.writeStringField(fieldsAndValues[i], fieldsAndValues[i + 1]);
        }
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write JSON to a string", e);
    }
    return out.toString();
  }

  @Override
  public Incoming parse(String frame) {
    Fields f = new Fields();
    try (JsonParser p = JSON.createParser(frame)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return new Incoming.Other("notAnObject");
      }
      readObject(p, f);
    } catch (IOException e) {
      return new Incoming.Other("unreadable");
    }
    if (f.type == null) {
      return new Incoming.Other("untyped");
    }
    switch (f.type) {
      case "connected":
        return new Incoming.Ready(f.connectionId);
      case "memberLeft":
        return new Incoming.Left(f.roomId, f.connectionId, f.reason);
      case "roomCreated":
      case "joined":
        return new Incoming.RoomJoined(f.roomId, f.requestId, f.history);
      case "message":
        return new Incoming.Message(f.roomId, f.text, f.requestId);
      case "error":
        return new Incoming.Error(f.status, f.code, f.requestId, f.retryAfterMs);
      default:
        return new Incoming.Other(f.type);
    }
  }

  /** The few fields the generator reads; the rest of a frame is skipped unread. */
  private static final class Fields {
    String type;
    String roomId;
    String requestId;
    String text;
    String code;
    String connectionId;
    String reason;
    int status;
    long retryAfterMs = -1;
    List<String> history;
  }

  private static void readObject(JsonParser p, Fields f) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      switch (name) {
        case "type":
          f.type = stringOrNull(p, value);
          break;
        case "roomId":
          f.roomId = stringOrNull(p, value);
          break;
        case "requestId":
          f.requestId = stringOrNull(p, value);
          break;
        case "text":
          f.text = stringOrNull(p, value);
          break;
        case "code":
          f.code = stringOrNull(p, value);
          break;
        case "connectionId":
          f.connectionId = stringOrNull(p, value);
          break;
        case "reason":
          f.reason = stringOrNull(p, value);
          break;
        case "status":
          if (value == JsonToken.VALUE_NUMBER_INT) {
            f.status = p.getIntValue();
          } else {
            p.skipChildren();
          }
          break;
        case "retryAfterMs":
          if (value == JsonToken.VALUE_NUMBER_INT) {
            f.retryAfterMs = p.getLongValue();
          } else {
            p.skipChildren();
          }
          break;
        case "history":
          f.history = value == JsonToken.START_ARRAY ? historyTexts(p) : skip(p);
          break;
        default:
          p.skipChildren();
      }
    }
  }

  /** The texts of the message frames in a history array, in order. */
  private static List<String> historyTexts(JsonParser p) throws IOException {
    List<String> texts = new ArrayList<>();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t == JsonToken.START_OBJECT) {
        Fields message = new Fields();
        readObject(p, message);
        if (message.text != null) {
          texts.add(message.text);
        }
      } else {
        p.skipChildren();
      }
    }
    return texts;
  }

  private static List<String> skip(JsonParser p) throws IOException {
    p.skipChildren();
    return null;
  }

  private static String stringOrNull(JsonParser p, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    p.skipChildren();
    return null;
  }
}
