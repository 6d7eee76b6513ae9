package dev.roomlog.processor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Decides when a gateway's members must go, from the records of one partition only, so that a
 * replay decides the same (no wall clock: the times are those the gateways stamped).
 *
 * <p>Every gateway writes a heartbeat to every partition at a fixed interval, and a new
 * instance (a restart) writes one before it accepts its first connection. On a partition:
 *
 * <ul>
 *   <li>a heartbeat from a gateway with a new instance means the earlier instance is gone: its
 *       members are swept;
 *   <li>at each heartbeat, any other gateway whose last record is older than the timeout (by
 *       the heartbeat's time) is lost: its members are swept, once;
 *   <li>a record from a lost instance revives it (it was paused, not dead); if it is dead after
 *       all, the next heartbeat of another gateway sweeps again what it added;
 *   <li>a room action from an instance older than the one the partition knows is stale (its
 *       gateway was restarted under the same id since) and is refused.
 * </ul>
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
    if (previous != null && !Objects.equals(previous.instance(), instance)) {
      sweeps.add(new Sweep(gatewayId, instance));
    }
    long lastSeen = previous == null ? at : Math.max(previous.lastSeenAt(), at);
    if (!lastSeen(previous, instance, lastSeen, false)) {
      changed.put(gatewayId, new Status(instance, lastSeen, false));
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

  private static boolean lastSeen(Status previous, String instance, long lastSeen, boolean lost) {
    return previous != null
        && Objects.equals(previous.instance(), instance)
        && previous.lastSeenAt() == lastSeen
        && previous.lost() == lost;
  }

  /** A room action's verdict: refused as stale, and the status to store if it changed. */
  record ActionVerdict(boolean stale, Optional<Status> changed) {}

  ActionVerdict onAction(Status known, String instance, long at) {
    if (known == null) {
      return new ActionVerdict(false, Optional.of(new Status(instance, at, false)));
    }
    if (known.instance() != null && instance != null && !known.instance().equals(instance)) {
      return new ActionVerdict(true, Optional.empty());
    }
    if (known.lost()) {
      return new ActionVerdict(
          false, Optional.of(new Status(known.instance(), Math.max(known.lastSeenAt(), at), false)));
    }
    return new ActionVerdict(false, Optional.empty());
  }
}
