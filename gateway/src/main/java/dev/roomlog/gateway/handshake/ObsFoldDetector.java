package dev.roomlog.gateway.handshake;

/**
 * Spots obsolete line folding (a header line that starts with a space or tab, continuing the one
 * before; RFC 9112, 5.2) in the raw bytes of a request head. Netty's decoder silently joins such
 * lines into one value, so after decoding it cannot be seen; a proxy in front may have split the
 * same bytes differently, which is how header smuggling works. Plain Java: fed byte by byte, stops
 * at the blank line that ends the head.
 *
 * <p>Leading empty lines before the request line are skipped, as the decoder does. Not thread-safe:
 * one per connection, fed from its event loop.
 */
final class ObsFoldDetector {
  private enum State {
    BEFORE_REQUEST_LINE,
    IN_LINE,
    LINE_START,
    LINE_START_AFTER_CR,
    DONE
  }

  private State state = State.BEFORE_REQUEST_LINE;
  private boolean foldSeen;

  /**
   * Takes the next byte of the request.
   *
   * @return true while more bytes are wanted; false once the head has ended or a fold was seen
   */
  boolean feed(byte b) {
    switch (state) {
      case BEFORE_REQUEST_LINE -> {
        if (b != '\r' && b != '\n') {
          state = State.IN_LINE;
        }
      }
      case IN_LINE -> {
        if (b == '\n') {
          state = State.LINE_START;
        }
      }
      case LINE_START -> {
        if (b == '\r') {
          state = State.LINE_START_AFTER_CR;
        } else if (b == '\n') {
          state = State.DONE;
        } else if (b == ' ' || b == '\t') {
          foldSeen = true;
          state = State.DONE;
        } else {
          state = State.IN_LINE;
        }
      }
      case LINE_START_AFTER_CR -> state = b == '\n' ? State.DONE : State.IN_LINE;
      case DONE -> {}
    }
    return state != State.DONE;
  }

  boolean done() {
    return state == State.DONE;
  }

  boolean foldSeen() {
    return foldSeen;
  }
}
