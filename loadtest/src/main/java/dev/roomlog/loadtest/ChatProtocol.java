package dev.roomlog.loadtest;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * How the load generator speaks to one kind of chat server. The generator's scenarios only ever
 * create rooms, join them and send messages; each server under test (Roomlog, the bare Netty
 * baseline, the Socket.IO peer) turns those into its own text frames and turns its frames back into
 * {@link Incoming} events. Implementations are stateless and thread-safe; they do no I/O.
 */
public interface ChatProtocol {

  /** A short name for reports: {@code roomlog}, {@code bare-netty}, {@code socketio}. */
  String name();

  /** The WebSocket URI to connect to on {@code host:port}. */
  URI uri(String host, int port);

  /** Headers for the WebSocket upgrade (e.g. Roomlog's {@code x-api-key}). */
  Map<String, String> handshakeHeaders();

  /** The frame that makes a room (the sender joins it as {@code username}). */
  String createRoom(String roomId, String username, String requestId);

  String joinRoom(String roomId, String username, String requestId);

  /** A chat message; {@code text} carries the generator's own id and send time. */
  String sendMessage(String roomId, String text, String requestId);

  /**
   * What one received text frame means. A frame the generator must answer (e.g. Engine.IO's ping)
   * comes back as {@link Incoming.Reply}.
   */
  Incoming parse(String frame);

  /** A received frame, as the generator sees it. */
  sealed interface Incoming {
    /** The server is ready for actions on this connection (Roomlog: {@code connected}). */
    record Ready(String connectionId) implements Incoming {
      /** A server that does not name the connection. */
      Ready() {
        this(null);
      }
    }

    /**
     * Someone left a room, and why (Roomlog: {@code memberLeft}, reason {@code left}, {@code
     * disconnected}, {@code gatewayLost}, {@code kicked}). When it names this connection, the
     * server removed it from the room: no message of the room reaches it any more.
     */
    record Left(String roomId, String connectionId, String reason) implements Incoming {}

    /**
     * The answer to createRoom or joinRoom, with the texts of the room's recent messages that the
     * answer carries, oldest first (Roomlog's {@code joined.history}; empty when the server sends
     * none). The reconnect scenario checks them for messages lost across a drop.
     */
    record RoomJoined(String roomId, String requestId, List<String> history) implements Incoming {
      public RoomJoined {
        history = history == null ? List.of() : List.copyOf(history);
      }

      /** An answer without history (a createRoom, or a server that sends none). */
      public RoomJoined(String roomId, String requestId) {
        this(roomId, requestId, List.of());
      }
    }

    /** A chat message in a room, with the text as sent (and the sender's requestId, if echoed). */
    record Message(String roomId, String text, String requestId) implements Incoming {}

    /**
     * An error answer: HTTP-like status and code (e.g. 429 rateLimited, 503 overloaded), and how
     * long the server asks the client to wait before it tries again ({@code retryAfterMs}), -1 when
     * it does not say.
     */
    record Error(int status, String code, String requestId, long retryAfterMs) implements Incoming {
      Error(int status, String code, String requestId) {
        this(status, code, requestId, -1);
      }
    }

    /** A frame the generator must send back at once (e.g. Engine.IO pong "3"). */
    record Reply(String frame) implements Incoming {}

    /** Anything else (member joined/left, ...): counted, otherwise ignored. */
    record Other(String type) implements Incoming {}
  }
}
