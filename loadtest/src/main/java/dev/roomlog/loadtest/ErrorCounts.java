package dev.roomlog.loadtest;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Errors of a run by kind, e.g. {@code 429 rateLimited} (an error frame: status and code), {@code
 * http 503} (a refused upgrade), {@code close 1013} (the server closed a connection), {@code
 * connect ConnectException}. Thread-safe.
 */
final class ErrorCounts {
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  private final LongAdder total = new LongAdder();

  void add(String kind) {
    add(kind, 1);
  }

  void add(String kind, long n) {
    counts.computeIfAbsent(kind, k -> new LongAdder()).add(n);
    total.add(n);
  }

  /** An error frame's kind: its status and code. */
  static String frame(int status, String code) {
    return status + " " + (code == null ? "?" : code);
  }

  static String handshake(int httpStatus) {
    return "http " + httpStatus;
  }

  static String close(int closeCode) {
    return "close " + closeCode;
  }

  long total() {
    return total.sum();
  }

  /** The counts so far, sorted by kind. */
  Map<String, Long> snapshot() {
    Map<String, Long> copy = new TreeMap<>();
    counts.forEach((k, v) -> copy.put(k, v.sum()));
    return copy;
  }
}
