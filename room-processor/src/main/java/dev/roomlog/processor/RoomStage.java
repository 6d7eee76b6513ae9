package dev.roomlog.processor;

import dev.roomlog.protocol.Delivery;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.action.RoomIds;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.frame.ErrorCode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka edge of the room processor: one task per partition of the write-ahead log, which is
 * keyed by room, so a room's actions arrive in the log's order. For each record it decodes the
 * bytes, loads what it needs from the task's stores, runs the pure logic ({@link RoomLogic}, {@link
 * Idempotency}, {@link GatewayLiveness}), stores the outcome and forwards the room events (key
 * roomId) and deliveries (key gatewayId), already encoded. Under exactly-once all of it commits in
 * one transaction with the input offset, so a crash never leaves an event without its state change
 * or the reverse. Each task has its own instance (the topology's supplier makes one per task) and
 * runs on one stream thread at a time; what instances share ({@link RoomLogic}, {@link
 * GatewayLiveness}, {@link ProcessorMetrics}, the topic names) is immutable or thread-safe.
 *
 * <p>One record never stops the processor. Each record is handled in two steps:
 *
 * <ol>
 *   <li><b>Plan</b>: decode, decide, apply and encode every output, writing nothing: store changes
 *       are staged in a {@link Batch}, which later reads of the same record see. Any failure of the
 *       record here (it is not a WAL record, a string could not be written back, a bug in the
 *       logic) leaves the stores untouched: the record is set aside in the dead-letter topic
 *       ({@link DeadLetters}) with the reason, and its sender, when the record names one, is
 *       answered 500 {@code internalError}. The next record goes on. A store that fails to read is
 *       not the record's fault, and stops the thread as below.
 *   <li><b>Write</b>: the staged changes go to the stores and the outputs are forwarded. A failure
 *       here is the store's or Kafka's (I/O), not the record's: it stops the stream thread, whose
 *       transaction aborts, and {@link StreamThreadFailures} decides whether to replace it. The
 *       store values written here cannot fail to encode because of the record: every string in them
 *       came from a record whose strings decoding found well-formed.
 * </ol>
 *
 * <p>Stores (all of this task's partition):
 *
 * <ul>
 *   <li>{@code room-heads}, {@code room-members}, {@code room-recent}: each room's head, members
 *       and recent events ({@link RoomStores}), decoded into a {@link RoomState} only when the room
 *       is not in the task's {@link RoomStores.Cache}; {@code rooms}: the layout before, whose
 *       rooms move to these as they are touched and in the background ({@link #upgradeSome});
 *   <li>{@code memberships}: "gatewayId NUL connectionId NUL roomId" for every member, so that a
 *       {@code $disconnect} or a lost gateway finds its rooms by a prefix scan;
 *   <li>{@code gateways}: gatewayId to {@link GatewayLiveness.Status};
 *   <li>{@code answers}: the answers to actions with a clientMsgId, for the dedup window.
 * </ul>
 *
 * <p>Over 400 lines because plan and write are one record's transaction: every store read of the
 * plan goes through the staged {@link Batch}, and every write applies that batch, so the reads, the
 * staging and the writes of the stores must be read together to see that a record takes effect
 * whole or not at all. The room layout's own code (keys, loading a room, deriving its writes, the
 * cache) is in {@link RoomStores}.
 */
final class RoomStage implements Processor<String, byte[], String, RoomStage.Output> {
  private static final Logger log = LoggerFactory.getLogger(RoomStage.class);

  /** What the stage emits, encoded; the topology splits it into the output topics. */
  sealed interface Output {}

  /** A room event for {@code roomlog.room-events}. */
  record EventOut(byte[] event) implements Output {}

  /** A delivery for {@code roomlog.deliveries}. */
  record DeliveryOut(byte[] delivery) implements Output {}

  /** The original bytes of a record set aside, for the dead-letter topic. */
  record DeadLetterOut(byte[] record) implements Output {}

  static final String INTERNAL_ERROR_MESSAGE =
      "the processor could not handle this action: it was not applied, and was set aside for the"
          + " operators (dead-letter topic)";

  private static final String ROOMS = RoomStores.HEADS;
  private static final String MEMBERSHIPS = RoomTopology.MEMBERSHIPS_STORE;
  private static final String GATEWAYS = RoomTopology.GATEWAYS_STORE;
  private static final String ANSWERS = RoomTopology.ANSWERS_STORE;

  /** How often, and how many, rooms of the previous layout are moved to this one. */
  static final Duration UPGRADE_EVERY = Duration.ofSeconds(1);

  static final int UPGRADE_BATCH = 500;

  private static final char SEPARATOR = '\u0000';
  private static final StringSerializer PREFIX_SERIALIZER = new StringSerializer();

  private final RoomLogic logic;
  private final GatewayLiveness liveness;
  private final long dedupWindowMs;
  private final ProcessorMetrics metrics;
  private final String actionsTopic;
  private final String roomEventsTopic;
  private final String deliveriesTopic;
  private final Deserializer<WalRecord> walReader;
  private final Serializer<RoomEvent> eventWriter;
  private final Serializer<Delivery> deliveryWriter;
  private ProcessorContext<String, Output> context;
  private KeyValueStore<String, RoomStores.Head> heads;
  private KeyValueStore<String, RoomStores.StoredMember> roomMembers;
  private KeyValueStore<String, RoomEvent> recent;
  private KeyValueStore<String, RoomState> legacyRooms;
  private final RoomStores.Cache cache = new RoomStores.Cache(RoomStores.Cache.MAX_WEIGHT);
  private Cancellable upgrading;
  private KeyValueStore<String, String> memberships;
  private KeyValueStore<String, GatewayLiveness.Status> gateways;
  private WindowStore<String, Idempotency.Remembered> answers;

  /** This thread's commit pacer, and the early-commit timer this stage holds (null: none). */
  private final Supplier<CommitPacing> pacers;

  private CommitPacing timerPacer;
  private Cancellable commitTimer;

  /** The record being planned, and its staged writes; null between records. */
  private Batch batch;

  RoomStage(
      RoomLogic logic,
      GatewayLiveness liveness,
      long dedupWindowMs,
      ProcessorMetrics metrics,
      TopicSet topics,
      Supplier<CommitPacing> pacers) {
    this.logic = logic;
    this.pacers = pacers;
    this.liveness = liveness;
    this.dedupWindowMs = dedupWindowMs;
    this.metrics = metrics;
    this.actionsTopic = topics.actions().name();
    this.roomEventsTopic = topics.roomEvents().name();
    this.deliveriesTopic = topics.deliveries().name();
    this.walReader = topics.actions().valueSerde().deserializer();
    this.eventWriter = topics.roomEvents().valueSerde().serializer();
    this.deliveryWriter = topics.deliveries().valueSerde().serializer();
  }

  @Override
  public void init(ProcessorContext<String, Output> context) {
    this.context = context;
    this.heads = context.getStateStore(RoomStores.HEADS);
    this.roomMembers = context.getStateStore(RoomStores.MEMBERS);
    this.recent = context.getStateStore(RoomStores.RECENT);
    this.legacyRooms = context.getStateStore(RoomStores.LEGACY);
    this.memberships = context.getStateStore(RoomTopology.MEMBERSHIPS_STORE);
    this.gateways = context.getStateStore(RoomTopology.GATEWAYS_STORE);
    this.answers = context.getStateStore(RoomTopology.ANSWERS_STORE);
    // Nothing decoded survives a restore: after an abort or a move the stores are the truth.
    cache.clear();
    upgrading =
        context.schedule(UPGRADE_EVERY, PunctuationType.WALL_CLOCK_TIME, now -> upgradeSome());
  }

  @Override
  public void close() {
    cache.clear();
    if (commitTimer != null) {
      commitTimer.cancel();
      timerPacer.closed(this);
      commitTimer = null;
    }
    if (upgrading != null) {
      upgrading.cancel();
    }
  }

  /**
   * Moves up to {@link #UPGRADE_BATCH} rooms of the previous layout to this one; once none is left,
   * stops being called. A room an action touches first is moved by that action ({@link #room}).
   */
  private void upgradeSome() {
    List<String> ids = RoomStores.legacyRoomIds(legacyRooms, UPGRADE_BATCH);
    if (ids.isEmpty()) {
      upgrading.cancel();
      return;
    }
    RoomStores.Changes changes = new RoomStores.Changes();
    int moved = 0;
    for (String roomId : ids) {
      RoomState state = legacyRooms.get(roomId);
      if (heads.get(roomId) == null && state != null) {
        changes.upgrade(state);
        moved++;
      } else {
        changes.legacyDeletes.add(roomId);
      }
    }
    changes.writeTo(heads, roomMembers, recent, legacyRooms);
    log.info("moved {} rooms of the previous state layout to the new one", moved);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    if (record.value() == null) {
      return; // a tombstone says nothing
    }
    handle(record);
    pace(record);
  }

  /**
   * Asks for this thread's commit after a fresh action, at once or when one short interval is up
   * (see {@link CommitPacing}); Kafka Streams commits at the long interval by itself.
   */
  private void pace(Record<String, byte[]> record) {
    CommitPacing pacer = pacers.get();
    long ask = pacer.afterAction(this, record.timestamp(), context.currentSystemTimeMs());
    if (ask == CommitPacing.NO_COMMIT) {
      return;
    }
    if (commitTimer != null) {
      commitTimer.cancel(); // forgotten by the pacer: it did not fire in time
      commitTimer = null;
    }
    if (ask == CommitPacing.COMMIT_NOW) {
      context.commit(); // after the records in hand: Kafka Streams' current processing loop
      return;
    }
    timerPacer = pacer;
    commitTimer =
        context.schedule(Duration.ofMillis(ask), PunctuationType.WALL_CLOCK_TIME, this::commitSoon);
  }

  private void commitSoon(long now) {
    commitTimer.cancel();
    commitTimer = null;
    timerPacer.timerFired(this);
    context.commit();
  }

  private void handle(Record<String, byte[]> record) {
    // The wall clock, not context.currentSystemTimeMs(): that is read once per loop of the
    // stream thread, and the wait is what the action's answer pays.
    metrics.tookAction(record.timestamp(), System.currentTimeMillis());
    WalRecord wal;
    try {
      wal = walReader.deserialize(actionsTopic, record.value());
      if (wal == null) {
        throw new IllegalArgumentException("a WAL record must be a JSON object, not JSON null");
      }
    } catch (RuntimeException e) {
      setAside(record, DeadLetters.Stage.DECODE, e, DeadLetters.senderOf(record.value()));
      return;
    }
    batch = new Batch();
    try {
      plan(wal);
    } catch (StreamsException e) {
      // A store (or Kafka) failed, not the record: stop the thread; its transaction aborts.
      batch = null;
      throw e;
    } catch (RuntimeException e) {
      batch = null;
      setAside(record, DeadLetters.Stage.PROCESS, e, DeadLetters.senderOf(wal));
      return;
    }
    Batch planned = batch;
    batch = null;
    write(record, planned);
  }

  // ---- plan: reads the stores, writes only to the batch ----

  private void plan(WalRecord wal) {
    RequestContext ctx = wal.requestContext();
    Action action = wal.action();
    if (action instanceof Action.Heartbeat) {
      heartbeat(ctx);
    } else if (action instanceof Action.Disconnect) {
      removeConnection(ctx.gatewayId(), ctx.connectionId(), ctx.requestTimeEpoch());
    } else if (action instanceof Action.RoomAction roomAction) {
      roomAction(roomAction, ctx);
    }
    // $connect changes no room.
  }

  private void roomAction(Action.RoomAction action, RequestContext ctx) {
    if (action instanceof Action.CreateRoom create && create.roomId() == null) {
      // Only a log written before gateways named every room has these.
      action = create.withRoomId(RoomIds.forCreate(create, ctx.requestId()));
    }
    GatewayLiveness.ActionVerdict verdict =
        liveness.onAction(gateway(ctx.gatewayId()), ctx.gatewayInstance(), ctx.requestTimeEpoch());
    verdict.changed().ifPresent(status -> batch.gateways.put(ctx.gatewayId(), status));
    if (verdict.newerRun()) {
      sweep(
          new GatewayLiveness.Sweep(ctx.gatewayId(), ctx.gatewayInstance()),
          ctx.requestTimeEpoch());
    }
    Action.RoomAction decided = action;
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
      stage(null, stale);
      batch.counted.add(() -> metrics.action(decided, stale, false));
      return;
    }
    RoomState before = room(action.roomId());
    Optional<String> dedupKey = Idempotency.key(before, action, ctx);
    long at = ctx.requestTimeEpoch();
    if (dedupKey.isPresent()) {
      Optional<Idempotency.Remembered> earlier = remembered(dedupKey.get(), at);
      if (earlier.isPresent()) {
        Decision retry = Idempotency.answerRetry(earlier.get(), before, action, ctx, logic);
        stage(before, retry);
        batch.counted.add(() -> metrics.action(decided, retry, true));
        return;
      }
    }
    Decision decision = logic.decide(before, action, ctx);
    stage(before, decision);
    batch.counted.add(() -> metrics.action(decided, decision, false));
    if (dedupKey.isPresent()) {
      Idempotency.toRemember(decision, action, ctx)
          .ifPresent(answer -> batch.answers.add(new Batch.Answer(dedupKey.get(), answer, at)));
    }
  }

  /** The latest answer remembered under {@code key} within the dedup window before {@code at}. */
  private Optional<Idempotency.Remembered> remembered(String key, long at) {
    // No upper bound: an answer stamped later than this retry (another gateway's clock ahead)
    // is still the same action's answer.
    Instant from = Instant.ofEpochMilli(Math.max(0, at - dedupWindowMs));
    Instant to = Instant.ofEpochMilli(Long.MAX_VALUE);
    return fromStore(
        ANSWERS,
        () -> {
          Idempotency.Remembered last = null;
          try (WindowStoreIterator<Idempotency.Remembered> found = answers.fetch(key, from, to)) {
            while (found.hasNext()) {
              last = found.next().value;
            }
          }
          return Optional.ofNullable(last);
        });
  }

  private void heartbeat(RequestContext ctx) {
    Map<String, GatewayLiveness.Status> known = new HashMap<>();
    fromStore(
        GATEWAYS,
        () -> {
          try (KeyValueIterator<String, GatewayLiveness.Status> all = gateways.all()) {
            all.forEachRemaining(kv -> known.put(kv.key, kv.value));
          }
          return known;
        });
    known.putAll(batch.gateways);
    GatewayLiveness.Outcome outcome =
        liveness.onHeartbeat(known, ctx.gatewayId(), ctx.gatewayInstance(), ctx.requestTimeEpoch());
    batch.gateways.putAll(outcome.changed());
    for (GatewayLiveness.Sweep sweep : outcome.sweeps()) {
      sweep(sweep, ctx.requestTimeEpoch());
    }
  }

  /** Removes the members the sweep names from every room of this partition, telling each room. */
  private void sweep(GatewayLiveness.Sweep sweep, long at) {
    for (String[] member : members(sweep.gatewayId() + SEPARATOR)) {
      String connectionId = member[1];
      RoomState state = room(member[2]);
      boolean remove =
          state != null && state.member(connectionId).map(sweep::removes).orElse(false);
      if (remove) {
        Decision removed = logic.remove(state, connectionId, RoomEvent.MemberLeft.GATEWAY_LOST, at);
        stage(state, removed);
        batch.counted.add(() -> metrics.membersRemoved(removed));
      }
    }
  }

  /** A closed connection leaves every room of this partition it is in. */
  private void removeConnection(String gatewayId, String connectionId, long at) {
    for (String[] member : members(gatewayId + SEPARATOR + connectionId + SEPARATOR)) {
      RoomState state = room(member[2]);
      Decision removed = logic.remove(state, connectionId, RoomEvent.MemberLeft.DISCONNECTED, at);
      stage(state, removed);
      batch.counted.add(() -> metrics.membersRemoved(removed));
    }
  }

  /**
   * Membership keys under {@code prefix}, split into {gatewayId, connectionId, roomId}, as the
   * store and this record's staged changes have them.
   */
  private List<String[]> members(String prefix) {
    List<String[]> found = new ArrayList<>();
    fromStore(
        MEMBERSHIPS,
        () -> {
          try (KeyValueIterator<String, String> it =
              memberships.prefixScan(prefix, PREFIX_SERIALIZER)) {
            it.forEachRemaining(
                kv -> {
                  if (!batch.memberships.containsKey(kv.key)) {
                    found.add(split(kv.key));
                  }
                });
          }
          return found;
        });
    batch.memberships.forEach(
        (key, present) -> {
          if (present && key.startsWith(prefix)) {
            found.add(split(key));
          }
        });
    return found;
  }

  private static String[] split(String membershipKey) {
    return membershipKey.split(String.valueOf(SEPARATOR), 3);
  }

  /**
   * The room as this record's staged changes, the cache or the stores have it; a room only in the
   * previous layout is moved to this one as part of this record.
   */
  private RoomState room(String roomId) {
    RoomState staged = batch.rooms.get(roomId);
    if (staged != null) {
      return staged;
    }
    RoomState cached = cache.get(roomId);
    if (cached != null) {
      return cached;
    }
    RoomState loaded = fromStore(ROOMS, () -> RoomStores.load(heads, roomMembers, recent, roomId));
    if (loaded != null) {
      cache.put(loaded);
      return loaded;
    }
    RoomState old = fromStore(RoomStores.LEGACY, () -> legacyRooms.get(roomId));
    if (old != null) {
      batch.changes.upgrade(old);
      batch.rooms.put(roomId, old);
    }
    return old;
  }

  private GatewayLiveness.Status gateway(String gatewayId) {
    GatewayLiveness.Status staged = batch.gateways.get(gatewayId);
    return staged != null ? staged : fromStore(GATEWAYS, () -> gateways.get(gatewayId));
  }

  /**
   * A read of a state store. A store that fails (RocksDB, a value it cannot deserialize) is no
   * fault of the record being planned: its failure is marked so that {@link #process} lets it stop
   * the stream thread instead of setting the record aside.
   */
  private static <T> T fromStore(String store, Supplier<T> read) {
    try {
      return read.get();
    } catch (StreamsException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new StreamsException("state store '" + store + "' failed to read", e);
    }
  }

  /**
   * Applies the decision's events to the room and stages the room, its memberships, and the encoded
   * events and deliveries.
   */
  private void stage(RoomState before, Decision decision) {
    RoomState after = before;
    List<DeliveryRouting.MemberChange> changes = new ArrayList<>();
    for (RoomEvent event : decision.events()) {
      if (event instanceof RoomEvent.MemberLeft left && after != null) {
        after
            .member(left.connectionId())
            .ifPresent(
                m -> {
                  batch.memberships.put(
                      membershipKey(m.gatewayId(), m.connectionId(), left.roomId()), false);
                  changes.add(
                      new DeliveryRouting.MemberChange(
                          left.roomId(), m.connectionId(), m.gatewayId(), false));
                });
      }
      after = logic.apply(after, event);
      if (event instanceof RoomEvent.MemberJoined joined) {
        batch.memberships.put(
            membershipKey(joined.gatewayId(), joined.connectionId(), joined.roomId()), true);
        changes.add(
            new DeliveryRouting.MemberChange(
                joined.roomId(), joined.connectionId(), joined.gatewayId(), true));
      }
    }
    if (after != before) {
      batch.rooms.put(after.roomId(), after);
      batch.changes.room(before, after, decision.events());
    }
    for (RoomEvent event : decision.events()) {
      batch.outputs.add(
          KeyValue.pair(
              event.roomId(), new EventOut(eventWriter.serialize(roomEventsTopic, event))));
    }
    RecentEvents window = before == null ? null : before.recentEvents();
    for (KeyValue<String, Delivery> d :
        DeliveryRouting.route(changes, decision.replies(), window)) {
      batch.outputs.add(
          KeyValue.pair(
              d.key, new DeliveryOut(deliveryWriter.serialize(deliveriesTopic, d.value))));
    }
  }

  private static String membershipKey(String gatewayId, String connectionId, String roomId) {
    return gatewayId + SEPARATOR + connectionId + SEPARATOR + roomId;
  }

  // ---- write: the planned record's effects, in the stream task's transaction ----

  private void write(Record<String, byte[]> record, Batch planned) {
    planned.gateways.forEach(gateways::put);
    planned.memberships.forEach(
        // put(key, null) deletes without reading the old value back, as delete(key) would.
        (key, present) -> memberships.put(key, present ? "" : null));
    planned.changes.writeTo(heads, roomMembers, recent, legacyRooms);
    planned.rooms.values().forEach(cache::put);
    for (Batch.Answer answer : planned.answers) {
      answers.put(answer.key(), answer.remembered(), answer.at());
    }
    for (KeyValue<String, Output> out : planned.outputs) {
      context.forward(record.withKey(out.key).withValue(out.value));
    }
    planned.counted.forEach(Runnable::run);
  }

  /**
   * Sets the record aside: its original bytes to the dead-letter topic with the reason in its
   * headers, and a 500 to its sender when it names one. Nothing else of it takes effect.
   */
  private void setAside(
      Record<String, byte[]> record,
      DeadLetters.Stage stage,
      RuntimeException cause,
      Optional<DeadLetters.Sender> sender) {
    Optional<RecordMetadata> source = context.recordMetadata();
    String where =
        source
            .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
            .orElse("(unknown offset)");
    log.warn(
        "setting aside WAL record {} (key {}, {} bytes) at the {} step: {}",
        where,
        record.key(),
        record.value().length,
        stage.label(),
        cause.toString());
    Headers headers = DeadLetters.headers(record.headers(), source, stage, cause);
    context.forward(
        record.withValue((Output) new DeadLetterOut(record.value())).withHeaders(headers));
    metrics.setAside(stage.label());
    sender.ifPresent(to -> answerInternalError(record, to));
  }

  private void answerInternalError(Record<String, byte[]> record, DeadLetters.Sender sender) {
    Recipient to = sender.to();
    for (String requestId : DeadLetters.requestIdsToTry(sender)) {
      try {
        Delivery delivery =
            Delivery.of(
                List.of(to.connectionId()),
                ErrorCode.INTERNAL_ERROR.frame(INTERNAL_ERROR_MESSAGE, requestId));
        byte[] encoded = deliveryWriter.serialize(deliveriesTopic, delivery);
        context.forward(
            record
                .withKey(to.gatewayId())
                .withValue((Output) new DeliveryOut(encoded))
                .withHeaders(new RecordHeaders()));
        return;
      } catch (RuntimeException e) {
        // An answer that cannot be encoded (its requestId): try without it.
        log.debug(
            "cannot encode the internalError answer with requestId {}: {}",
            requestId,
            e.toString());
      }
    }
  }

  /**
   * The writes one record plans, staged until all of it has been decided and encoded. Reads during
   * the plan consult it first, so a record that touches a room twice (a sweep, then the action)
   * sees its own changes.
   */
  private static final class Batch {
    record Answer(String key, Idempotency.Remembered remembered, long at) {}

    final Map<String, RoomState> rooms = new HashMap<>();

    /** The rooms' store writes: heads, members, recent events. */
    final RoomStores.Changes changes = new RoomStores.Changes();

    /** Membership key to true (added) or false (removed); insertion order kept for the writes. */
    final Map<String, Boolean> memberships = new LinkedHashMap<>();

    final Map<String, GatewayLiveness.Status> gateways = new HashMap<>();
    final List<Answer> answers = new ArrayList<>();
    final List<KeyValue<String, Output>> outputs = new ArrayList<>();

    /** Metrics of what was decided, counted only once the record's effects are written. */
    final List<Runnable> counted = new ArrayList<>();
  }
}
