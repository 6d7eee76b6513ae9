package dev.roomlog.processor;

import dev.roomlog.protocol.Delivery;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.action.RoomIds;
import dev.roomlog.protocol.frame.ErrorCode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The Kafka edge of the room processor: one task per partition of the write-ahead log, which
 * is keyed by room, so a room's actions arrive in the log's order. For each record it loads
 * what it needs from the task's stores, runs the pure logic ({@link RoomLogic}, {@link
 * Idempotency}, {@link GatewayLiveness}), stores the outcome and forwards the room events (key
 * roomId) and deliveries (key gatewayId). Under exactly-once all of it commits in one
 * transaction with the input offset, so a crash never leaves an event without its state change
 * or the reverse. Runs on one stream thread.
 *
 * <p>Stores (all of this task's partition):
 *
 * <ul>
 *   <li>{@code rooms}: roomId to {@link RoomState};
 *   <li>{@code memberships}: "gatewayId NUL connectionId NUL roomId" for every member, so that a
 *       {@code $disconnect} or a lost gateway finds its rooms by a prefix scan;
 *   <li>{@code gateways}: gatewayId to {@link GatewayLiveness.Status};
 *   <li>{@code answers}: the answers to actions with a clientMsgId, for the dedup window.
 * </ul>
 */
final class RoomStage implements Processor<String, WalRecord, String, RoomStage.Output> {

  /** What the stage emits; the topology splits it into the two output topics. */
  sealed interface Output {}

  record EventOut(RoomEvent event) implements Output {}

  record DeliveryOut(Delivery delivery) implements Output {}

  private static final char SEPARATOR = '\u0000';
  private static final StringSerializer PREFIX_SERIALIZER = new StringSerializer();

  private final RoomLogic logic;
  private final GatewayLiveness liveness;
  private final long dedupWindowMs;
  private final ProcessorMetrics metrics;
  private ProcessorContext<String, Output> context;
  private KeyValueStore<String, RoomState> rooms;
  private KeyValueStore<String, String> memberships;
  private KeyValueStore<String, GatewayLiveness.Status> gateways;
  private WindowStore<String, Idempotency.Remembered> answers;

  RoomStage(
      RoomLogic logic, GatewayLiveness liveness, long dedupWindowMs, ProcessorMetrics metrics) {
    this.logic = logic;
    this.liveness = liveness;
    this.dedupWindowMs = dedupWindowMs;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, Output> context) {
    this.context = context;
    this.rooms = context.getStateStore(RoomTopology.ROOMS_STORE);
    this.memberships = context.getStateStore(RoomTopology.MEMBERSHIPS_STORE);
    this.gateways = context.getStateStore(RoomTopology.GATEWAYS_STORE);
    this.answers = context.getStateStore(RoomTopology.ANSWERS_STORE);
  }

  @Override
  public void process(Record<String, WalRecord> record) {
    WalRecord wal = record.value();
    if (wal == null) {
      return; // a tombstone says nothing
    }
    RequestContext ctx = wal.requestContext();
    Action action = wal.action();
    if (action instanceof Action.Heartbeat) {
      heartbeat(record, ctx);
    } else if (action instanceof Action.Disconnect) {
      removeConnection(record, ctx.gatewayId(), ctx.connectionId(), ctx.requestTimeEpoch());
    } else if (action instanceof Action.RoomAction roomAction) {
      roomAction(record, roomAction, ctx);
    }
    // $connect changes no room.
  }

  private void roomAction(Record<String, WalRecord> record, Action.RoomAction action, RequestContext ctx) {
    if (action instanceof Action.CreateRoom create && create.roomId() == null) {
      // Only a log written before gateways named every room has these.
      action = create.withRoomId(RoomIds.forCreate(create, ctx.requestId()));
    }
    GatewayLiveness.ActionVerdict verdict =
        liveness.onAction(gateways.get(ctx.gatewayId()), ctx.gatewayInstance(), ctx.requestTimeEpoch());
    verdict.changed().ifPresent(status -> gateways.put(ctx.gatewayId(), status));
    if (verdict.newerRun()) {
      sweep(record, new GatewayLiveness.Sweep(ctx.gatewayId(), ctx.gatewayInstance()), ctx.requestTimeEpoch());
    }
    if (verdict.stale()) {
      Decision stale =
          RoomLogic.error(
              ctx,
              action,
              ErrorCode.STALE_GATEWAY,
              "gateway '"
                  + ctx.gatewayId()
                  + "' has restarted since this action was sent; reconnect and retry with the"
                  + " same clientMsgId");
      emit(record, null, stale);
      metrics.action(action, stale, false);
      return;
    }
    RoomState before = rooms.get(action.roomId());
    Optional<String> dedupKey = Idempotency.key(before, action, ctx);
    long at = ctx.requestTimeEpoch();
    if (dedupKey.isPresent()) {
      Optional<Idempotency.Remembered> earlier = remembered(dedupKey.get(), at);
      if (earlier.isPresent()) {
        Decision retry = Idempotency.answerRetry(earlier.get(), before, action, ctx, logic);
        emit(record, before, retry);
        metrics.action(action, retry, true);
        return;
      }
    }
    Decision decision = logic.decide(before, action, ctx);
    emit(record, before, decision);
    metrics.action(action, decision, false);
    if (dedupKey.isPresent()) {
      Idempotency.toRemember(decision, action, ctx)
          .ifPresent(answer -> answers.put(dedupKey.get(), answer, at));
    }
  }

  /** The latest answer remembered under {@code key} within the dedup window before {@code at}. */
  private Optional<Idempotency.Remembered> remembered(String key, long at) {
    Idempotency.Remembered latest = null;
    // No upper bound: an answer stamped later than this retry (another gateway's clock ahead)
    // is still the same action's answer.
    Instant from = Instant.ofEpochMilli(Math.max(0, at - dedupWindowMs));
    Instant to = Instant.ofEpochMilli(Long.MAX_VALUE);
    try (WindowStoreIterator<Idempotency.Remembered> found = answers.fetch(key, from, to)) {
      while (found.hasNext()) {
        latest = found.next().value;
      }
    }
    return Optional.ofNullable(latest);
  }

  private void heartbeat(Record<String, WalRecord> record, RequestContext ctx) {
    Map<String, GatewayLiveness.Status> known = new HashMap<>();
    try (KeyValueIterator<String, GatewayLiveness.Status> all = gateways.all()) {
      all.forEachRemaining(kv -> known.put(kv.key, kv.value));
    }
    GatewayLiveness.Outcome outcome =
        liveness.onHeartbeat(known, ctx.gatewayId(), ctx.gatewayInstance(), ctx.requestTimeEpoch());
    outcome.changed().forEach(gateways::put);
    for (GatewayLiveness.Sweep sweep : outcome.sweeps()) {
      sweep(record, sweep, ctx.requestTimeEpoch());
    }
  }

  /** Removes the members the sweep names from every room of this partition, telling each room. */
  private void sweep(Record<String, WalRecord> record, GatewayLiveness.Sweep sweep, long at) {
    for (String[] member : members(sweep.gatewayId() + SEPARATOR)) {
      String connectionId = member[1];
      RoomState state = rooms.get(member[2]);
      boolean remove =
          state != null && state.member(connectionId).map(sweep::removes).orElse(false);
      if (remove) {
        Decision removed =
            logic.remove(state, connectionId, RoomEvent.MemberLeft.GATEWAY_LOST, at);
        emit(record, state, removed);
        metrics.membersRemoved(removed);
      }
    }
  }

  /** A closed connection leaves every room of this partition it is in. */
  private void removeConnection(
      Record<String, WalRecord> record, String gatewayId, String connectionId, long at) {
    for (String[] member : members(gatewayId + SEPARATOR + connectionId + SEPARATOR)) {
      RoomState state = rooms.get(member[2]);
      Decision removed = logic.remove(state, connectionId, RoomEvent.MemberLeft.DISCONNECTED, at);
      emit(record, state, removed);
      metrics.membersRemoved(removed);
    }
  }

  /** Membership keys under {@code prefix}, split into {gatewayId, connectionId, roomId}. */
  private List<String[]> members(String prefix) {
    List<String[]> found = new ArrayList<>();
    try (KeyValueIterator<String, String> it = memberships.prefixScan(prefix, PREFIX_SERIALIZER)) {
      it.forEachRemaining(kv -> found.add(kv.key.split(String.valueOf(SEPARATOR), 3)));
    }
    return found;
  }

  /**
   * Applies the decision's events to the room, stores the room and its memberships, and
   * forwards the events and deliveries.
   */
  private void emit(Record<String, WalRecord> record, RoomState before, Decision decision) {
    RoomState after = before;
    for (RoomEvent event : decision.events()) {
      if (event instanceof RoomEvent.MemberLeft left && after != null) {
        after.member(left.connectionId())
            .ifPresent(m -> memberships.delete(membershipKey(m.gatewayId(), m.connectionId(), left.roomId())));
      }
      after = logic.apply(after, event);
      if (event instanceof RoomEvent.MemberJoined joined) {
        memberships.put(membershipKey(joined.gatewayId(), joined.connectionId(), joined.roomId()), "");
      }
    }
    if (after != before) {
      rooms.put(after.roomId(), after);
    }
    for (RoomEvent event : decision.events()) {
      context.forward(record.withKey(event.roomId()).<Output>withValue(new EventOut(event)));
    }
    for (KeyValue<String, Delivery> d : DeliveryRouting.route(decision.replies())) {
      context.forward(record.withKey(d.key).<Output>withValue(new DeliveryOut(d.value)));
    }
  }

  private static String membershipKey(String gatewayId, String connectionId, String roomId) {
    return gatewayId + SEPARATOR + connectionId + SEPARATOR + roomId;
  }
}
