package dev.roomlog.loadtest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One run's settings, complete and checked: the constructor fails with the flag's name on a bad
 * value; the {@code ...OrDefault} helpers give the scenario's default for a flag not given.
 *
 * @param duration the measured window (connections: how long connections are held)
 * @param warmup sending before the measured window, not measured
 * @param rate messages per second, all senders together
 * @param messagesPerRoom reconnect: messages each room gets before the drop
 * @param serverPids the server JVMs whose heap is measured (connections; message scenarios: with
 *     every connection in its room), none for no measurement
 * @param alsoTargets more gateways of the same server: connection {@code i} goes to target {@code i
 *     % (1 + alsoTargets.size())}, the first being {@code host:port}
 * @param serverCounter a counter of the server's own, read at the measured window's start and end,
 *     or null
 * @param shard this process's part of a room played by several processes, {@code 0..shards-1}; 0
 *     creates the room and publishes ({@link RoomShards})
 * @param shards how many processes play the room; 1 for a room of this process alone
 * @param shardDir the directory the shards share, or null when {@code shards} is 1
 */
record LoadTestConfig(
    Scenario scenario,
    String host,
    int port,
    String protocol,
    String apiKey,
    Duration duration,
    Duration warmup,
    double rate,
    int connections,
    int roomSize,
    int sourceAddresses,
    double connectRate,
    double setupRate,
    Duration connectTimeout,
    Duration drainTimeout,
    int messageSize,
    int messagesPerRoom,
    List<Long> serverPids,
    int ioThreads,
    List<Target> alsoTargets,
    ServerCounter.Series serverCounter,
    int shard,
    int shards,
    Path shardDir) {

  /**
   * Messages per room a rejoin can be checked against: Roomlog keeps a room's last 100 events by
   * default (docs/PROTOCOL.md), and a plain rejoin's history is the messages among them; 50 leaves
   * room for the leaves and joins of a reconnecting room of up to 25 members.
   */
  static final int HISTORY_WINDOW = 50;

  LoadTestConfig {
    positive("--duration", duration);
    if (warmup.isNegative()) {
      throw new IllegalArgumentException(
          "--warmup must not be negative, got " + Durations.format(warmup));
    }
    if (scenario.defaultRate > 0 && !(rate > 0)) {
      throw new IllegalArgumentException(
          "--rate must be a positive number of messages per second, got " + rate);
    }
    if (connections < 1) {
      throw new IllegalArgumentException("--connections must be at least 1, got " + connections);
    }
    if (roomSize < 1 || roomSize > connections) {
      throw new IllegalArgumentException(
          "--room-size must be 1.." + connections + " (--connections), got " + roomSize);
    }
    if (scenario == Scenario.CHAT
        || scenario == Scenario.RECONNECT
        || scenario == Scenario.FANOUT) {
      // RoomPlan says the same; said here too so that the error comes before any connection.
      new RoomPlan(connections, roomSize, scenario == Scenario.FANOUT);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("--target: port must be 1..65535, got " + port);
    }
    if (!(connectRate > 0)) {
      throw new IllegalArgumentException("--connect-rate must be positive, got " + connectRate);
    }
    if (!(setupRate > 0)) {
      throw new IllegalArgumentException("--setup-rate must be positive, got " + setupRate);
    }
    positive("--connect-timeout", connectTimeout);
    positive("--drain-timeout", drainTimeout);
    if (messageSize < 1 || messageSize > MessageText.MAX_LENGTH) {
      throw new IllegalArgumentException(
          "--message-size must be 1.." + MessageText.MAX_LENGTH + ", got " + messageSize);
    }
    if (messagesPerRoom < 1 || messagesPerRoom > HISTORY_WINDOW) {
      throw new IllegalArgumentException(
          "--messages-per-room must be 1.."
              + HISTORY_WINDOW
              + " (a rejoin gets back at most the last "
              + HISTORY_WINDOW
              + "), got "
              + messagesPerRoom);
    }
    if (ioThreads < 1) {
      throw new IllegalArgumentException("--io-threads must be at least 1, got " + ioThreads);
    }
    if (shards < 1 || shard < 0 || shard >= shards) {
      throw new IllegalArgumentException(
          "--shard must be I/N with N at least 1 and I in 0..N-1, got " + shard + "/" + shards);
    }
    if (shards > 1) {
      if (scenario != Scenario.FANOUT || roomSize != connections) {
        throw new IllegalArgumentException(
            "--shard plays one room over several processes: only --scenario fanout with one room"
                + " (no --room-size)");
      }
      if (shardDir == null) {
        throw new IllegalArgumentException(
            "--shard "
                + shard
                + "/"
                + shards
                + " needs --shard-dir, the directory the shards share");
      }
    }
    ProtocolRegistry.create(protocol, apiKey);
    serverPids = List.copyOf(serverPids);
    alsoTargets = List.copyOf(alsoTargets);
  }

  private static void positive(String flag, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(flag + " must be more than 0, got " + Durations.format(d));
    }
  }

  /** {@code --rate} for the scenario, or its default. */
  static double rateOrDefault(Scenario s, Double rate) {
    return rate != null ? rate : s.defaultRate;
  }

  static int connectionsOrDefault(Scenario s, Integer connections) {
    return connections != null ? connections : s.defaultConnections;
  }

  /** 0 in the scenario's defaults means one room of every connection (fanout). */
  static int roomSizeOrDefault(Scenario s, Integer roomSize, int connections) {
    if (roomSize != null) {
      return roomSize;
    }
    return s.defaultRoomSize == 0 ? connections : Math.min(s.defaultRoomSize, connections);
  }

  ChatProtocol chatProtocol() {
    return ProtocolRegistry.create(protocol, apiKey);
  }

  /** Every gateway connections go to, the first ({@code --target}) first. */
  List<Target> targets() {
    List<Target> all = new ArrayList<>();
    all.add(new Target(host, port));
    all.addAll(alsoTargets);
    return all;
  }

  /** The targets as the result names them: {@code host:port}, comma-separated when several. */
  String target() {
    return String.join(",", targets().stream().map(Target::text).toList());
  }
}
