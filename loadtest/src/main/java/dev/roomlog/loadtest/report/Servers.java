package dev.roomlog.loadtest.report;

/** The servers under test, by the first part of a run's label in bench/results. */
final class Servers {
  static final String ROOMLOG = "roomlog";
  static final String BARE = "bare";
  static final String SOCKETIO = "socketio";

  private Servers() {}

  static String name(String prefix) {
    return switch (prefix) {
      case ROOMLOG -> "Roomlog";
      case BARE -> "bare Netty";
      case SOCKETIO -> "Socket.IO";
      default -> prefix;
    };
  }
}
