package dev.roomlog.gateway;

import dev.roomlog.protocol.WalRecord;

/**
 * Appends records to the write-ahead log ({@code roomlog.actions}, key = the record's
 * connectionId).
 *
 * <p>Contract: {@link #append} never blocks the caller (it is called on Netty event loops). It
 * either accepts the record for writing and returns true, or refuses it at once and returns
 * false (the pending queue is full, or the appender is closed); a refused record is not written.
 * Accepted records of one connection are written in the order they were accepted. If writing an
 * accepted record fails later, {@code onFailure} is called once, on a thread of the appender.
 */
public interface WalAppender {

  boolean append(WalRecord record, FailureCallback onFailure);

  /** Told that an accepted record could not be written; must be quick and must not block. */
  @FunctionalInterface
  interface FailureCallback {
    void onFailure(Exception cause);
  }
}
