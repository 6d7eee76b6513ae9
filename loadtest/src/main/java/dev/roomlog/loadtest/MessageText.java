package dev.roomlog.loadtest;

/**
 * The text of a generated chat message: {@code lt:<id>:<sendNanos>:} padded with {@code x} to the
 * requested size. It carries the message id and its intended send time (System.nanoTime of this
 * process) so that any member that receives it can compute its latency without a lookup, and so
 * that the history a rejoining client gets back can be matched to what was sent.
 */
final class MessageText {
  static final String PREFIX = "lt:";

  /** Roomlog's limit on a message text (docs/PROTOCOL.md). */
  static final int MAX_LENGTH = 4096;

  /** What a generated text says. */
  record Stamp(long id, long sendNanos) {}

  private MessageText() {}

  /**
   * @param size the text's length; a size shorter than the stamp gives just the stamp
   */
  static String format(long id, long sendNanos, int size) {
    StringBuilder b = new StringBuilder(Math.max(size, 40));
    b.append(PREFIX).append(id).append(':').append(sendNanos).append(':');
    while (b.length() < size) {
      b.append('x');
    }
    return b.toString();
  }

  /** The stamp of a generated text, or null for any other text (not ours, or mangled). */
  static Stamp parse(String text) {
    if (text == null || !text.startsWith(PREFIX)) {
      return null;
    }
    int idEnd = text.indexOf(':', PREFIX.length());
    int nanosEnd = idEnd < 0 ? -1 : text.indexOf(':', idEnd + 1);
    if (nanosEnd < 0) {
      return null;
    }
    try {
      return new Stamp(
          Long.parseLong(text, PREFIX.length(), idEnd, 10),
          Long.parseLong(text, idEnd + 1, nanosEnd, 10));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
