package dev.roomlog.protocol.action;

/** Invariant checks shared by the compact constructors of the protocol records. */
public final class Fields {
  private Fields() {}

  public static void require(String name, String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(name + " is required and must be a non-empty string");
    }
  }

  public static void requireNotNegative(String name, Long value) {
    if (value != null && value < 0) {
      throw new IllegalArgumentException(name + " must be 0 or more, got " + value);
    }
  }
}
