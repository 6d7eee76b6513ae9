package dev.roomlog.loadtest;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The protocols {@code --protocol} can name. Each entry makes a {@link ChatProtocol} from the run's
 * API key (null when none was given). A new server under test adds one line here.
 */
final class ProtocolRegistry {
  private static final Map<String, Function<String, ChatProtocol>> BY_NAME = byName();

  private ProtocolRegistry() {}

  private static Map<String, Function<String, ChatProtocol>> byName() {
    Map<String, Function<String, ChatProtocol>> m = new LinkedHashMap<>();
    // Roomlog itself, and the bare Netty broadcast baseline, which speaks the same frames.
    m.put(RoomlogProtocol.NAME, RoomlogProtocol::new);
    // The Socket.IO peer (bench/socketio/server.js), over Engine.IO v4; it takes no API key.
    m.put("socketio", apiKey -> new SocketIoProtocol());
    return Collections.unmodifiableMap(m);
  }

  static Set<String> names() {
    return BY_NAME.keySet();
  }

  /** The protocol of this name, or an error that lists the known names. */
  static ChatProtocol create(String name, String apiKey) {
    Function<String, ChatProtocol> factory = BY_NAME.get(name.toLowerCase(Locale.ROOT));
    if (factory == null) {
      throw new IllegalArgumentException(
          "--protocol: unknown protocol '" + name + "'; known: " + String.join(", ", names()));
    }
    return factory.apply(apiKey);
  }
}
