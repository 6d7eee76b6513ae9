package dev.roomlog.loadtest;

/**
 * A run that could not go on (connections refused, rooms not set up): the message says what
 * happened and, where it knows, which server limit to raise. The command prints it and exits 1.
 */
final class RunFailed extends RuntimeException {
  RunFailed(String message) {
    super(message, null, false, false);
  }
}
