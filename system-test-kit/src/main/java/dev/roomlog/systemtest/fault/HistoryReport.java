package dev.roomlog.systemtest.fault;

import java.util.List;
import java.util.Map;

/**
 * The verdict of a {@link HistoryChecker}: every anomaly found, each in its own list, and what is
 * worth knowing besides (unacknowledged sends, acknowledged gaps). {@link #clean()} is what a fault
 * test asserts; {@link #toString()} is what it prints when that fails.
 *
 * @param sends distinct sends (by clientMsgId), however often each was retried
 * @param acknowledged sends that got their message frame back
 * @param lost acknowledged sends that the agreed history (or the log) does not hold as sent
 * @param duplicateEffects one (username, clientMsgId) at more than one seq of a room
 * @param duplicateDeliveries one seq delivered twice to one connection
 * @param gaps seqs a client never received while it was a member
 * @param acknowledgedGaps such seqs inside a range the client gave up after a 410
 * @param reorderings a seq delivered to a connection after a higher one
 * @param disagreements one (room, seq) seen with different content
 * @param logAnomalies seqs missing from, or repeated in, the room-events log
 * @param unacknowledged sends never acknowledged (not anomalies: they may or may not be applied)
 * @param unconfirmed acknowledged sends that no one else saw and no log was given to confirm
 * @param notes frames or requests the checker could not fully interpret
 */
public record HistoryReport(
    int sends,
    int acknowledged,
    List<Lost> lost,
    List<DuplicateEffect> duplicateEffects,
    List<DuplicateDelivery> duplicateDeliveries,
    List<Gap> gaps,
    List<Gap> acknowledgedGaps,
    List<Reordering> reorderings,
    List<Disagreement> disagreements,
    List<LogAnomaly> logAnomalies,
    List<Unacknowledged> unacknowledged,
    List<Unconfirmed> unconfirmed,
    List<String> notes) {

  private static final int SHOWN_PER_KIND = 20;

  public HistoryReport {
    lost = List.copyOf(lost);
    duplicateEffects = List.copyOf(duplicateEffects);
    duplicateDeliveries = List.copyOf(duplicateDeliveries);
    gaps = List.copyOf(gaps);
    acknowledgedGaps = List.copyOf(acknowledgedGaps);
    reorderings = List.copyOf(reorderings);
    disagreements = List.copyOf(disagreements);
    logAnomalies = List.copyOf(logAnomalies);
    unacknowledged = List.copyOf(unacknowledged);
    unconfirmed = List.copyOf(unconfirmed);
    notes = List.copyOf(notes);
  }

  /** An acknowledged send that is not in the history as it was sent, and why. */
  public record Lost(String client, String roomId, String clientMsgId, long ackSeq, String why) {
    @Override
    public String toString() {
      return client + " " + clientMsgId + " acknowledged at " + roomId + "#" + ackSeq + ": " + why;
    }
  }

  public record DuplicateEffect(
      String roomId, String username, String clientMsgId, List<Long> seqs) {
    @Override
    public String toString() {
      return username + " " + clientMsgId + " in " + roomId + " at seqs " + seqs;
    }
  }

  public record DuplicateDelivery(String client, int incarnation, String roomId, long seq) {
    @Override
    public String toString() {
      return roomId + "#" + seq + " twice to " + client + "#" + incarnation;
    }
  }

  /** Seqs {@code fromSeq..toSeq} (inclusive) of a room that the client never received. */
  public record Gap(String client, String roomId, long fromSeq, long toSeq) {
    public long size() {
      return toSeq - fromSeq + 1;
    }

    @Override
    public String toString() {
      String seqs = fromSeq == toSeq ? "#" + fromSeq : "#" + fromSeq + ".." + toSeq;
      return client + " missed " + roomId + seqs;
    }
  }

  /** {@code seq} came to the connection after {@code after}, a higher seq. */
  public record Reordering(String client, int incarnation, String roomId, long seq, long after) {
    @Override
    public String toString() {
      return roomId + "#" + seq + " after #" + after + " on " + client + "#" + incarnation;
    }
  }

  /** What each version of one event was, and who saw it ("client#incarnation" or "log"). */
  public record Disagreement(String roomId, long seq, Map<String, List<String>> versions) {
    public Disagreement {
      versions = Map.copyOf(versions);
    }

    @Override
    public String toString() {
      return roomId + "#" + seq + " seen as " + versions;
    }
  }

  public record LogAnomaly(String roomId, long fromSeq, long toSeq, String what) {
    @Override
    public String toString() {
      String seqs = fromSeq == toSeq ? "#" + fromSeq : "#" + fromSeq + ".." + toSeq;
      return roomId + seqs + " " + what;
    }
  }

  public record Unacknowledged(String client, String roomId, String clientMsgId, int attempts) {
    @Override
    public String toString() {
      return client + " " + clientMsgId + " in " + roomId + " after " + attempts + " attempt(s)";
    }
  }

  public record Unconfirmed(String client, String roomId, String clientMsgId, long ackSeq) {
    @Override
    public String toString() {
      return client + " " + clientMsgId + " at " + roomId + "#" + ackSeq;
    }
  }

  /** The number of anomalies; acknowledged gaps and unacknowledged sends are not among them. */
  public int anomalies() {
    return lost.size()
        + duplicateEffects.size()
        + duplicateDeliveries.size()
        + gaps.size()
        + reorderings.size()
        + disagreements.size()
        + logAnomalies.size();
  }

  /** No lost sends, no duplicates, no gaps, no reorderings, no disagreement, a sound log. */
  public boolean clean() {
    return anomalies() == 0;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    s.append(anomalies() == 0 ? "no anomalies" : anomalies() + " anomalies")
        .append(": lost ")
        .append(lost.size())
        .append(", duplicate effects ")
        .append(duplicateEffects.size())
        .append(", duplicate deliveries ")
        .append(duplicateDeliveries.size())
        .append(", gaps ")
        .append(gaps.size())
        .append(", reorderings ")
        .append(reorderings.size())
        .append(", disagreements ")
        .append(disagreements.size())
        .append(", log anomalies ")
        .append(logAnomalies.size())
        .append("; ")
        .append(acknowledged)
        .append(" of ")
        .append(sends)
        .append(" sends acknowledged, ")
        .append(acknowledgedGaps.size())
        .append(" acknowledged gaps, ")
        .append(unconfirmed.size())
        .append(" unconfirmed");
    list(s, "lost", lost);
    list(s, "duplicate effects", duplicateEffects);
    list(s, "duplicate deliveries", duplicateDeliveries);
    list(s, "gaps", gaps);
    list(s, "reorderings", reorderings);
    list(s, "disagreements", disagreements);
    list(s, "log anomalies", logAnomalies);
    list(s, "acknowledged gaps", acknowledgedGaps);
    list(s, "unacknowledged", unacknowledged);
    list(s, "notes", notes);
    return s.toString();
  }

  private static void list(StringBuilder s, String title, List<?> items) {
    if (items.isEmpty()) {
      return;
    }
    s.append('\n').append(title).append(':');
    items.stream().limit(SHOWN_PER_KIND).forEach(item -> s.append("\n  ").append(item));
    if (items.size() > SHOWN_PER_KIND) {
      s.append("\n  ... and ").append(items.size() - SHOWN_PER_KIND).append(" more");
    }
  }
}
