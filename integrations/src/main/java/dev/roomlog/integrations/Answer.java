package dev.roomlog.integrations;

/**
 * What became of one call: the HTTP status and its {@code Retry-After} header, or no answer at all
 * (status 0: timeout, refused connection, reset) with the error.
 *
 * @param status the HTTP status, 0 when there was no answer
 * @param retryAfter the {@code Retry-After} header as sent (seconds or an HTTP date), or null
 * @param error a short description for logs and dead letters
 * @param body the answer's body when the call asked for it ({@link Call#readsAnswer()}), else null
 */
record Answer(int status, String retryAfter, String error, byte[] body) {
  static Answer of(int status, String retryAfter) {
    return of(status, retryAfter, null);
  }

  static Answer of(int status, String retryAfter, byte[] body) {
    return new Answer(status, retryAfter, "HTTP " + status, body);
  }

  static Answer none(String error) {
    return new Answer(0, null, error, null);
  }

  boolean succeeded() {
    return status >= 200 && status < 300;
  }
}
