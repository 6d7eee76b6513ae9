package dev.roomlog.integrations;

/**
 * What became of one call: the HTTP status and its {@code Retry-After} header, or no answer at all
 * (status 0: timeout, refused connection, reset) with the error.
 *
 * @param status the HTTP status, 0 when there was no answer
 * @param retryAfter the {@code Retry-After} header as sent (seconds or an HTTP date), or null
 * @param error a short description for logs and dead letters
 */
record Answer(int status, String retryAfter, String error) {
  static Answer of(int status, String retryAfter) {
    return new Answer(status, retryAfter, "HTTP " + status);
  }

  static Answer none(String error) {
    return new Answer(0, null, error);
  }

  boolean succeeded() {
    return status >= 200 && status < 300;
  }
}
