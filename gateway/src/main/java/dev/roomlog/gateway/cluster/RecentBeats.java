package dev.roomlog.gateway.cluster;

/**
 * What {@link GatewayIdCheck} decides from the heartbeats of one gateway id it reads on partition
 * 0, kept apart from the reading (Kafka) so the decision is tested on its own. Judged by log
 * offsets, not clocks.
 *
 * <p>The check reads from a little before "now" up to the end offset it saw at start ({@code
 * endAtStart}). A beat before that end means a run of this id beat lately: it may have just crashed
 * or may still be running, so the check watches on. A beat at or past that end was written while
 * the check ran: another run of this id is alive. Not thread-safe; one check owns it.
 */
final class RecentBeats {
  /** What the check does next. */
  enum Verdict {
    /** No run of this id beat lately: the id is free. */
    FREE,
    /** A run beat lately and none since: watch two more intervals for a new beat. */
    WATCH,
    /** A run beat while the check was reading: the id is taken. */
    TAKEN
  }

  private final long endAtStart;
  private boolean beatLately;
  private String aliveRun;

  RecentBeats(long endAtStart) {
    this.endAtStart = endAtStart;
  }

  /** A heartbeat under the checked id, at {@code offset}, from run {@code instance}. */
  void heartbeat(long offset, String instance) {
    if (offset < endAtStart) {
      beatLately = true;
    } else {
      aliveRun = instance;
    }
  }

  /** Whether the reading has reached the end offset seen at start. */
  boolean caughtUp(long position) {
    return position >= endAtStart;
  }

  /** The verdict once caught up; during the watch, {@link Verdict#TAKEN} or still WATCH. */
  Verdict verdict() {
    if (aliveRun != null) {
      return Verdict.TAKEN;
    }
    return beatLately ? Verdict.WATCH : Verdict.FREE;
  }

  /** The run that beat while the check was reading; null unless {@link Verdict#TAKEN}. */
  String aliveRun() {
    return aliveRun;
  }
}
