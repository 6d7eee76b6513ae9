package dev.roomlog.integrations;

/**
 * A partition the worker reads: of room-events or of the retry topic. Plain, so logic can key by
 * it.
 */
record Source(String topic, int partition) {
  @Override
  public String toString() {
    return topic + "-" + partition;
  }
}
