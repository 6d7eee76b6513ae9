package dev.roomlog.processor;

import dev.roomlog.microbench.Samples;
import dev.roomlog.protocol.Delivery;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.JsonSerde;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.frame.ServerFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The room processor's work for one sendMessage, in a room of {@link #members} members (10, 1000,
 * 10,000 and 100,000: a chat, a big room, a hot one, a broadcast) whose history window (the default
 * 100 events) is full: {@link RoomLogic#decide}, {@link RoomLogic#apply}, the store writes of the
 * layout of issue 18 ({@link RoomStores.Changes}: the room's head and the new event, encoded as the
 * stores encode them) and the routing of the replies into delivery records. The room is decoded in
 * the task's cache ({@link RoomStores.Cache}), as it is between actions. {@link
 * #processSendMessage} is the whole of {@code RoomStage.process} short of Kafka, RocksDB and the
 * encoding of the deliveries, which {@link #encodeDeliveries} measures apart (one per gateway that
 * holds members, whatever the room's size). {@link #processJoin} is the same for a joinRoom.
 *
 * <p>In package {@code dev.roomlog.processor} because the room's types are package-private.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RoomStageBenchmark {
  /** Members of the room, the sender among them, on two gateways. */
  @Param({"10", "1000", "10000", "100000"})
  public int members;

  static final int HISTORY = ProcessorSettings.DEFAULT_HISTORY_SIZE;

  private RoomLogic logic;
  private RoomState room;
  private Action.SendMessage send;
  private RequestContext sendContext;
  private RoomEvent.MessagePosted posted;
  private Decision decision;
  private Action.JoinRoom join;
  private RequestContext joinContext;
  private RoomStores.Cache cache;
  private Serializer<RoomStores.Head> headSerializer;
  private Serializer<RoomEvent> eventSerializer;
  private Serializer<Delivery> deliverySerializer;
  private Serializer<RoomStores.StoredMember> memberSerializer;

  @Setup
  public void buildRoom() {
    // No member cap in the way: the join into the largest room is measured, not refused.
    logic = new RoomLogic(HISTORY, 2 * members);
    long at = Samples.AT - 1_000_000;
    RoomState created =
        run(null, new Action.CreateRoom("c", "user-0", Samples.ROOM_ID, null), 0, at++);
    // The state the joins of members 1.. would fold to, built at once (as a room is loaded from
    // its stores), quicker than 100,000 joins. The history window is then filled by 100
    // messages, decided and applied as the processor does.
    List<RoomState.Member> all = new ArrayList<>(created.members());
    for (int m = 1; m < members; m++) {
      RequestContext joiner = context(m, at++);
      all.add(
          new RoomState.Member(
              joiner.connectionId(), "user-" + m, joiner.gatewayId(), joiner.gatewayInstance()));
    }
    room = new RoomState(Samples.ROOM_ID, created.lastSeq() + members - 1, all, List.of());
    for (int i = 0; i < HISTORY; i++) {
      Action.SendMessage earlier =
          new Action.SendMessage("r" + i, Samples.ROOM_ID, Samples.TEXT, "earlier-" + i);
      room = run(room, earlier, i % members, at++);
    }
    // A new message from member 3.
    send = Samples.sendMessage();
    sendContext = context(3, Samples.AT);
    decision = logic.decide(room, send, sendContext);
    if (decision.events().size() != 1
        || !(decision.events().get(0) instanceof RoomEvent.MessagePosted p)
        || decision.replies().size() != 2
        || decision.replies().get(1).recipients().size() != members - 1) {
      throw new IllegalStateException("the sample sendMessage was not posted: " + decision);
    }
    posted = p;
    // A join from a connection that is not a member yet.
    join = new Action.JoinRoom("j", Samples.ROOM_ID, "newcomer", null, null);
    joinContext = context(members, Samples.AT);
    if (room.members().size() != members || room.recent().size() != HISTORY) {
      throw new IllegalStateException(
          "the room is not "
              + members
              + " members with a full window: "
              + room.members().size()
              + " members, "
              + room.recent().size()
              + " events");
    }
    // The join answers with the whole window's messages, written with the JSON the window keeps.
    Decision joining = logic.decide(room, join, joinContext);
    if (!(joining.replies().get(0).frame() instanceof ServerFrame.Joined joined)
        || joined.history().size() != HISTORY
        || !FrameJson.write(joined, room.recentEvents()).equals(Json.write(joined))) {
      throw new IllegalStateException(
          "the sample join is not answered with the history: " + joining);
    }
    cache = new RoomStores.Cache(RoomStores.Cache.MAX_WEIGHT);
    cache.put(room);
    if (cache.get(Samples.ROOM_ID) != room) {
      throw new IllegalStateException("the room does not fit the cache");
    }
    headSerializer = JsonSerde.of(RoomStores.Head.class).serializer();
    eventSerializer = JsonSerde.of(RoomEvent.class).serializer();
    deliverySerializer = JsonSerde.of(Delivery.class).serializer();
    memberSerializer = JsonSerde.of(RoomStores.StoredMember.class).serializer();
  }

  private RoomState run(RoomState state, Action.RoomAction action, int member, long at) {
    RoomState after = state;
    for (RoomEvent event : logic.decide(state, action, context(member, at)).events()) {
      after = logic.apply(after, event);
    }
    return after;
  }

  /** Members alternate between two gateways, so a message fans out as two deliveries. */
  private static RequestContext context(int member, long at) {
    RequestContext sample = Samples.context("conn-" + member, "gw-" + (member % 2));
    return new RequestContext(
        sample.routeKey(),
        sample.eventType(),
        sample.connectionId(),
        sample.connectedAt(),
        at,
        sample.requestId(),
        sample.identity(),
        sample.gatewayId(),
        sample.gatewayInstance(),
        null);
  }

  /**
   * decide(): membership check, the replies (the clientMsgId lookup is a window-store read in
   * RoomStage, not measured here).
   */
  @Benchmark
  public Decision decideSendMessage() {
    return logic.decide(room, send, sendContext);
  }

  /** apply(): the next state, a copy of the history window with the new message at its end. */
  @Benchmark
  public RoomState applyMessagePosted() {
    return logic.apply(room, posted);
  }

  /** decide() then apply() of its event, as {@code RoomStage.process} runs them. */
  @Benchmark
  public RoomState decideAndApply() {
    RoomState after = room;
    for (RoomEvent event : logic.decide(room, send, sendContext).events()) {
      after = logic.apply(after, event);
    }
    return after;
  }

  /** The replies to delivery records: each distinct frame to JSON once, grouped by gateway. */
  @Benchmark
  public List<KeyValue<String, Delivery>> routeReplies() {
    return DeliveryRouting.route(decision.replies());
  }

  /**
   * The message's store writes: the room's head and the new event, encoded for RocksDB and their
   * changelogs (the event that leaves the window is a delete: no value).
   */
  @Benchmark
  public void storeWrites(Blackhole bh) {
    RoomState after = logic.apply(room, posted);
    RoomStores.Changes changes = new RoomStores.Changes();
    changes.room(room, after, List.of(posted));
    encode(changes, bh);
  }

  /** The message's deliveries to JSON: one per gateway, each listing its recipients. */
  @Benchmark
  public void encodeDeliveries(Blackhole bh) {
    for (KeyValue<String, Delivery> d : DeliveryRouting.route(decision.replies())) {
      bh.consume(deliverySerializer.serialize("deliveries", d.value));
    }
  }

  /**
   * All of the room stage for one sendMessage but the I/O and the deliveries' encoding: the room
   * from the cache, decide, apply, the store writes encoded, the room back in the cache, the
   * replies routed. It compiles later than the parts (more code to profile and inline), hence the
   * longer warm-up.
   */
  @Benchmark
  @Warmup(iterations = 6, time = 1)
  public List<KeyValue<String, Delivery>> processSendMessage(Blackhole bh) {
    RoomState before = cache.get(Samples.ROOM_ID);
    Decision d = logic.decide(before, send, sendContext);
    RoomState after = before;
    for (RoomEvent event : d.events()) {
      after = logic.apply(after, event);
    }
    RoomStores.Changes changes = new RoomStores.Changes();
    changes.room(before, after, d.events());
    encode(changes, bh);
    cache.put(after);
    return DeliveryRouting.route(d.replies());
  }

  /**
   * All of the room stage for one joinRoom into the room, as {@link #processSendMessage} for a
   * message: decide (the joined answer, the memberJoined to the others), apply (the new member
   * list), the store writes encoded (the head, the new member, the event) and the replies routed,
   * which encodes each frame once: the joined answer (the first page of members and the room's 100
   * recent messages, whose JSON the room's window keeps: {@link FrameJson}, as {@code RoomStage}
   * routes them) and the memberJoined. The room in the cache stays as it was, so every call joins
   * the same room.
   */
  @Benchmark
  @Warmup(iterations = 6, time = 1)
  public List<KeyValue<String, Delivery>> processJoin(Blackhole bh) {
    RoomState before = cache.get(Samples.ROOM_ID);
    Decision d = logic.decide(before, join, joinContext);
    RoomState after = before;
    for (RoomEvent event : d.events()) {
      after = logic.apply(after, event);
    }
    RoomStores.Changes changes = new RoomStores.Changes();
    changes.room(before, after, d.events());
    encode(changes, bh);
    changes.members.values().forEach(m -> bh.consume(memberSerializer.serialize("members", m)));
    bh.consume(after);
    return DeliveryRouting.route(List.of(), d.replies(), before.recentEvents());
  }

  private void encode(RoomStores.Changes changes, Blackhole bh) {
    changes.heads.values().forEach(h -> bh.consume(headSerializer.serialize("heads", h)));
    changes.recent.forEach(
        (key, event) -> {
          bh.consume(key);
          if (event != null) {
            bh.consume(eventSerializer.serialize("recent", event));
          }
        });
  }
}
