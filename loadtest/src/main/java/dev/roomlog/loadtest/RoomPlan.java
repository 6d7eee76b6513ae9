package dev.roomlog.loadtest;

/**
 * Which connection is in which room, and who sends the k-th message. Connection {@code c} is member
 * {@code c % roomSize} ("slot") of room {@code c / roomSize}; slot 0 creates the room. Senders take
 * turns: the k-th message goes to room {@code k % rooms}, from each member of it in turn, so every
 * room gets the same rate and every member sends; with a single publisher, slot 0 of each room
 * sends them all.
 *
 * @param connections a multiple of {@code roomSize}
 * @param singlePublisher only slot 0 sends (the fanout scenario)
 */
record RoomPlan(int connections, int roomSize, boolean singlePublisher) {
  RoomPlan {
    if (roomSize < 1 || connections < 1) {
      throw new IllegalArgumentException(
          "connections and room size must be at least 1, got " + connections + " and " + roomSize);
    }
    if (connections % roomSize != 0) {
      throw new IllegalArgumentException(
          "--connections ("
              + connections
              + ") must be a multiple of --room-size ("
              + roomSize
              + ")");
    }
  }

  int rooms() {
    return connections / roomSize;
  }

  int roomOf(int connection) {
    return connection / roomSize;
  }

  int slotOf(int connection) {
    return connection % roomSize;
  }

  int connection(int room, int slot) {
    return room * roomSize + slot;
  }

  /** The connection that sends message {@code k}. */
  int senderOf(long k) {
    int room = (int) (k % rooms());
    int slot = singlePublisher ? 0 : (int) ((k / rooms()) % roomSize);
    return connection(room, slot);
  }

  /** The room's id in this run: unique per run, so that runs on one server never meet. */
  static String roomId(String runId, int room) {
    return runId + "-r" + room;
  }

  static String username(int connection) {
    return "u" + connection;
  }

  /** The username of a connection of shard {@code shard} of a sharded room (shard 0: as above). */
  static String username(int shard, int connection) {
    return shard == 0 ? username(connection) : "s" + shard + "u" + connection;
  }
}
