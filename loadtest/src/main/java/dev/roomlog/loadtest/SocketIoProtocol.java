package dev.roomlog.loadtest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;

/**
 * The Socket.IO peer's protocol (bench/socketio/server.js): Socket.IO v5 packets in Engine.IO v4
 * packets, straight over a WebSocket ({@code transport=websocket}, no HTTP long-polling first), on
 * the main namespace {@code /}.
 *
 * <p>The conversation: the server opens with Engine.IO's open packet {@code 0{"sid":...}}, which
 * the client answers with {@code 40} (Socket.IO connect to {@code /}); the server's {@code
 * 40{"sid":...}} means ready. The server pings ({@code 2}) and the client must pong ({@code 3})
 * within its pingTimeout. Requests and answers are events, {@code 42["name",{...}]}; answers are
 * events too, not acks, so that a client matches them by requestId and needs no per-connection
 * state.
 *
 * <table>
 *   <caption>Frames and what they mean</caption>
 *   <tr><th>frame</th><th>{@link ChatProtocol.Incoming}</th></tr>
 *   <tr><td>{@code 0{...}} (open)</td><td>{@code Reply("40")}</td></tr>
 *   <tr><td>{@code 2} (ping)</td><td>{@code Reply("3")}</td></tr>
 *   <tr><td>{@code 40{...}} (connected)</td><td>{@code Ready}</td></tr>
 *   <tr><td>{@code 42["roomCreated"|"joined",{roomId,requestId}]}</td><td>{@code RoomJoined}</td></tr>
 *   <tr><td>{@code 42["message",{roomId,text,from,requestId?}]}</td><td>{@code Message}</td></tr>
 *   <tr><td>{@code 42["chatError",{status,code,requestId}]}</td><td>{@code Error}</td></tr>
 *   <tr><td>{@code 44{"message":...}} (connect refused)</td><td>{@code Error(403, "connectError")}</td></tr>
 *   <tr><td>anything else (close, noop, disconnect, acks, other events, unreadable)</td>
 *       <td>{@code Other}</td></tr>
 * </table>
 *
 * <p>Stateless and thread-safe; does no I/O.
 */
public final class SocketIoProtocol implements ChatProtocol {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Engine.IO v4 packet types (the first character of a frame). */
  private static final char EIO_OPEN = '0';

  private static final char EIO_CLOSE = '1';
  private static final char EIO_PING = '2';
  private static final char EIO_PONG = '3';
  private static final char EIO_MESSAGE = '4';
  private static final char EIO_NOOP = '6';

  /** Socket.IO v5 packet types (the first character of an Engine.IO message). */
  private static final char SIO_CONNECT = '0';

  private static final char SIO_DISCONNECT = '1';
  private static final char SIO_EVENT = '2';
  private static final char SIO_ACK = '3';
  private static final char SIO_CONNECT_ERROR = '4';

  /** What the client sends to join the main namespace once the Engine.IO session is open. */
  static final String CONNECT = "" + EIO_MESSAGE + SIO_CONNECT;

  @Override
  public String name() {
    return "socketio";
  }

  @Override
  public URI uri(String host, int port) {
    try {
      return new URI("ws", null, host, port, "/socket.io/", "EIO=4&transport=websocket", null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a host name: " + host, e);
    }
  }

  @Override
  public Map<String, String> handshakeHeaders() {
    return Map.of();
  }

  /** {@code createRoom} with a {@code roomId} (null: the server picks one). */
  @Override
  public String createRoom(String roomId, String username, String requestId) {
    ObjectNode fields = JSON.createObjectNode();
    putIfPresent(fields, "roomId", roomId);
    fields.put("username", username);
    putIfPresent(fields, "requestId", requestId);
    return event("createRoom", fields);
  }

  @Override
  public String joinRoom(String roomId, String username, String requestId) {
    ObjectNode fields = JSON.createObjectNode().put("roomId", roomId).put("username", username);
    putIfPresent(fields, "requestId", requestId);
    return event("joinRoom", fields);
  }

  @Override
  public String sendMessage(String roomId, String text, String requestId) {
    ObjectNode fields = JSON.createObjectNode().put("roomId", roomId).put("text", text);
    putIfPresent(fields, "requestId", requestId);
    return event("sendMessage", fields);
  }

  @Override
  public Incoming parse(String frame) {
    if (frame.isEmpty()) {
      return new Incoming.Other("empty");
    }
    switch (frame.charAt(0)) {
      case EIO_OPEN:
        return new Incoming.Reply(CONNECT);
      case EIO_PING:
        // A ping may carry data ("2probe" while upgrading); the pong echoes it.
        return new Incoming.Reply(EIO_PONG + frame.substring(1));
      case EIO_MESSAGE:
        return parseSocketIo(frame.substring(1));
      case EIO_CLOSE:
        return new Incoming.Other("close");
      case EIO_PONG:
        return new Incoming.Other("pong");
      case EIO_NOOP:
        return new Incoming.Other("noop");
      default:
        return new Incoming.Other("unknown");
    }
  }

  private static Incoming parseSocketIo(String packet) {
    if (packet.isEmpty()) {
      return new Incoming.Other("empty");
    }
    int at = 1;
    if (at < packet.length() && packet.charAt(at) == '/') {
      // A namespace other than "/": not one this client joined.
      return new Incoming.Other("namespace");
    }
    switch (packet.charAt(0)) {
      case SIO_CONNECT:
        return new Incoming.Ready();
      case SIO_DISCONNECT:
        return new Incoming.Other("disconnect");
      case SIO_ACK:
        return new Incoming.Other("ack");
      case SIO_CONNECT_ERROR:
        return new Incoming.Error(403, "connectError", null);
      case SIO_EVENT:
        while (at < packet.length() && Character.isDigit(packet.charAt(at))) {
          at++; // an ack id: the server wants an ack, which this client never asks for
        }
        return parseEvent(packet.substring(at));
      default:
        return new Incoming.Other("socketio-" + packet.charAt(0));
    }
  }

  private static Incoming parseEvent(String json) {
    JsonNode event;
    try {
      event = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      return new Incoming.Other("unreadable");
    }
    if (event == null || !event.isArray() || !event.path(0).isTextual()) {
      return new Incoming.Other("unreadable");
    }
    String name = event.get(0).asText();
    JsonNode data = event.path(1);
    switch (name) {
      case "roomCreated":
      case "joined":
        return new Incoming.RoomJoined(text(data, "roomId"), text(data, "requestId"));
      case "message":
        return new Incoming.Message(
            text(data, "roomId"), text(data, "text"), text(data, "requestId"));
      case "chatError":
        return new Incoming.Error(
            data.path("status").asInt(0), text(data, "code"), text(data, "requestId"));
      default:
        return new Incoming.Other(name);
    }
  }

  /** {@code 42["name",{fields}]}: an event on the main namespace, no ack asked for. */
  private static String event(String name, ObjectNode fields) {
    ArrayNode event = JSON.createArrayNode().add(name).add(fields);
    return "" + EIO_MESSAGE + SIO_EVENT + event;
  }

  private static void putIfPresent(ObjectNode fields, String name, String value) {
    if (value != null) {
      fields.put(name, value);
    }
  }

  private static String text(JsonNode data, String field) {
    JsonNode value = data.get(field);
    return value != null && value.isTextual() ? value.asText() : null;
  }
}
