package dev.roomlog.gateway;

import dev.roomlog.protocol.WalRecord;
import java.util.ArrayList;
import java.util.List;

/** An in-memory WAL for handler tests: records what was accepted, or refuses when "full". */
final class RecordingWalAppender implements WalAppender {
  record Appended(WalRecord record, FailureCallback onFailure) {}

  private final List<Appended> appended = new ArrayList<>();
  private volatile boolean full;

  @Override
  public synchronized boolean append(WalRecord record, FailureCallback onFailure) {
    if (full) {
      return false;
    }
    appended.add(new Appended(record, onFailure));
    return true;
  }

  void setFull(boolean full) {
    this.full = full;
  }

  synchronized List<WalRecord> records() {
    return appended.stream().map(Appended::record).toList();
  }

  synchronized Appended last() {
    return appended.get(appended.size() - 1);
  }
}
