package dev.roomlog.processor;

import dev.roomlog.protocol.GatewayRuns;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Decides when a gateway's members must go, from the records of one partition only, so that a
 * replay decides the same (no wall clock: the times are those the gateways stamped).
 *
 * <p>Every gateway writes a heartbeat to every partition at a fixed interval, and a new instance (a
 * restart) writes one before it accepts its first connection. On a partition:
 *
 * <ul>
 *   <li>a heartbeat from a gateway with a new instance means the earlier instance is gone: its
 *       members are swept;
 *   <li>at each heartbeat, any other gateway whose last record is older than the timeout (by the
 *       heartbeat's time) is lost: its members are swept, once;
 *   <li>a record from a lost instance revives it (it was paused, not dead); if it is dead after
 *       all, the next heartbeat of another gateway sweeps again what it added;
 *   <li>a room action from an instance older than the one the partition knows is stale (its gateway
 *       was restarted under the same id since) and is refused.
 * </ul>
 *
 * <p>Runs are ordered by the start time a gateway puts at the front of its instance id ("&lt;epoch
 * millis&gt;-&lt;random&gt;"), so a late heartbeat from an old run (a paused process that wakes up
 * after its replacement started) is ignored instead of evicting the new run. Ids without that
 * prefix are unordered: any other run counts as the newer one.
 */
final class GatewayLiveness {
  private final long timeoutMs;

  GatewayLiveness(long timeoutMs) {
    if (timeoutMs < 1) {
      throw new IllegalArgumentException("timeoutMs must be >= 1, got " + timeoutMs);
    }
    this.timeoutMs = timeoutMs;
  }

  /** What a partition knows of one gateway. {@code instance} may be null (older records). */
  record Status(String instance, long lastSeenAt, boolean lost) {}

  /**
   * Members of {@code gatewayId} to remove: all of them, or (when {@code keepInstance} is set)
   * those of any other instance.
   */
  record Sweep(String gatewayId, String keepInstance) {
    Sweep {
      Objects.requireNonNull(gatewayId, "gatewayId");
    }

    boolean removes(RoomState.Member member) {
      return member.gatewayId().equals(gatewayId)
          && (keepInstance == null || !keepInstance.equals(member.gatewayInstance()));
    }
  }

  /** The statuses to store (changed ones only) and the sweeps to run, in gateway-id order. */
  record Outcome(Map<String, Status> changed, List<Sweep> sweeps) {
    Outcome {
      changed = Map.copyOf(changed);
      sweeps = List.copyOf(sweeps);
    }
  }

  Outcome onHeartbeat(Map<String, Status> known, String gatewayId, String instance, long at) {
    Map<String, Status> changed = new TreeMap<>();
    List<Sweep> sweeps = new ArrayList<>();
    Status previous = known.get(gatewayId);
    if (previous != null && startedBefore(instance, previous.instance())) {
      return new Outcome(changed, sweeps); // a run that has been replaced: it changes nothing
    }
    if (previous != null && !Objects.equals(previous.instance(), instance)) {
      sweeps.add(new Sweep(gatewayId, instance));
    }
    long lastSeen = previous == null ? at : Math.max(previous.lastSeenAt(), at);
    Status next = new Status(instance, lastSeen, false);
    if (!next.equals(previous)) {
      changed.put(gatewayId, next);
    }
    for (Map.Entry<String, Status> other : new TreeMap<>(known).entrySet()) {
      Status status = other.getValue();
      if (!other.getKey().equals(gatewayId)
          && !status.lost()
          && status.lastSeenAt() < at - timeoutMs) {
        changed.put(other.getKey(), new Status(status.instance(), status.lastSeenAt(), true));
        sweeps.add(new Sweep(other.getKey(), null));
      }
    }
    return new Outcome(changed, sweeps);
  }

  /**
   * Whether run {@code a} is known to have started before run {@code b}, by the start times their
   * ids begin with; false when either id has no start time or they started in the same millisecond.
   */
  static boolean startedBefore(String a, String b) {
    OptionalLong startA = GatewayRuns.startOf(a);
    OptionalLong startB = GatewayRuns.startOf(b);
    return startA.isPresent() && startB.isPresent() && startA.getAsLong() < startB.getAsLong();
  }

  /**
   * A room action's verdict: refused as stale, the status to store if it changed, and whether the
   * action comes from a newer run than the partition knew (whose members of other runs must then be
   * swept first, as its heartbeat would have).
   */
  record ActionVerdict(boolean stale, Optional<Status> changed, boolean newerRun) {
    ActionVerdict(boolean stale, Optional<Status> changed) {
      this(stale, changed, false);
    }
  }

  ActionVerdict onAction(Status known, String instance, long at) {
    if (known == null) {
      return new ActionVerdict(false, Optional.of(new Status(instance, at, false)));
    }
    if (known.instance() != null && instance != null && !known.instance().equals(instance)) {
      if (startedBefore(known.instance(), instance)) {
        // A newer run whose first heartbeat this partition has not seen (a gateway writes it
        // before its first connection, so only an out-of-order log gets here): it replaces the
        // old run as a heartbeat would.
        return new ActionVerdict(false, Optional.of(new Status(instance, at, false)), true);
      }
      return new ActionVerdict(true, Optional.empty());
    }
    if (known.lost()) {
      return new ActionVerdict(
          false,
          Optional.of(new Status(known.instance(), Math.max(known.lastSeenAt(), at), false)));
    }
    return new ActionVerdict(false, Optional.empty());
  }
}
