package dev.roomlog.loadtest;

import java.util.Locale;

/**
 * The scenarios, with the defaults each uses for the flags not given. The defaults are meant to run
 * against a laptop's {@code roomlog dev} with raised limits (see the README); the benchmark sets
 * its own.
 */
enum Scenario {
  /** Many connections, each alone in its room, send; counts actions/s acknowledged. */
  INGEST(50, 1, 1000),
  /** Rooms of 10; end-to-end latency from the send to each member. */
  CHAT(100, 10, 200),
  /** One room of 1000 members and one publisher; deliveries/s and publish-to-last-member. */
  FANOUT(1000, 0, 100),
  /** Idle authenticated connections held open; memory per connection. */
  CONNECTIONS(1000, 1, 0),
  /** Clients in rooms drop at once, reconnect and rejoin; time until all are back. */
  RECONNECT(100, 10, 200);

  final int defaultConnections;

  /** 0: one room of all the connections. */
  final int defaultRoomSize;

  /** Messages per second (0: the scenario sends none). */
  final double defaultRate;

  Scenario(int defaultConnections, int defaultRoomSize, double defaultRate) {
    this.defaultConnections = defaultConnections;
    this.defaultRoomSize = defaultRoomSize;
    this.defaultRate = defaultRate;
  }

  /** The name on the command line and in results. */
  String flag() {
    return name().toLowerCase(Locale.ROOT);
  }

  static Scenario of(String name) {
    for (Scenario s : values()) {
      if (s.flag().equals(name.toLowerCase(Locale.ROOT))) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "--scenario: unknown scenario '"
            + name
            + "'; one of ingest, chat, fanout, connections, reconnect");
  }
}
