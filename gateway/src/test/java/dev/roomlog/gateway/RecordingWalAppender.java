package dev.roomlog.gateway;

import dev.roomlog.gateway.wal.WalAppender;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import java.util.ArrayList;
import java.util.List;

/**
 * An in-memory WAL for handler tests: records what was accepted and keeps each callback, so a test
 * can play Kafka (acknowledge or fail a record); refuses everything once "closed".
 */
public final class RecordingWalAppender implements WalAppender {
  public record Appended(WalRecord record, Callback callback) {}

  private final List<Appended> appended = new ArrayList<>();
  private volatile boolean closed;
  private volatile boolean acceptingConnections = true;
  private volatile boolean acceptingActions = true;

  @Override
  public synchronized boolean append(WalRecord record, Callback callback) {
    if (closed) {
      return false;
    }
    appended.add(new Appended(record, callback));
    return true;
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  public void setClosed(boolean closed) {
    this.closed = closed;
  }

  @Override
  public boolean acceptingConnections() {
    return acceptingConnections;
  }

  /** Plays a log that is (or is no longer) behind on its lifecycle records. */
  public void setAcceptingConnections(boolean accepting) {
    this.acceptingConnections = accepting;
  }

  @Override
  public boolean acceptingActions() {
    return acceptingActions;
  }

  /** Plays a log whose writer is (or is no longer) too far behind to take an action in time. */
  public void setAcceptingActions(boolean accepting) {
    this.acceptingActions = accepting;
  }

  public synchronized List<WalRecord> records() {
    return appended.stream().map(Appended::record).toList();
  }

  public synchronized Appended last() {
    return appended.get(appended.size() - 1);
  }

  /** The appended client action whose requestId is this. */
  synchronized Appended action(String requestId) {
    return appended.stream()
        .filter(a -> requestId.equals(a.record().action().requestId()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no action with requestId " + requestId));
  }

  public synchronized long count(Class<? extends Action> type) {
    return appended.stream().filter(a -> type.isInstance(a.record().action())).count();
  }
}
