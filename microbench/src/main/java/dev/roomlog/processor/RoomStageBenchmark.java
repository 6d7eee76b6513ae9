package dev.roomlog.processor;

import dev.roomlog.microbench.Samples;
import dev.roomlog.protocol.Delivery;
import dev.roomlog.protocol.JsonSerde;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.event.RoomEvent;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Deserializer;
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
 * The room processor's logic for one sendMessage, in a room of {@link #members} members (10, 1000
 * and 10,000: a chat, a big room, a hot one) whose history window (the default 100 events) is full:
 * {@link RoomLogic#decide}, {@link RoomLogic#apply} (which copies the state: the room's lists are
 * immutable), the routing of the replies into delivery records, and the JSON serde of the room's
 * state, which the "rooms" store (no cache) runs on every get and put. {@link #processSendMessage}
 * is the whole of {@code RoomStage.process} short of Kafka and RocksDB. The room's state record
 * holds every member and is read and written whole on every message, so its cost grows with the
 * room; so do the recipient lists of the delivery records.
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

  private final String storeTopic = "rooms-changelog";
  private RoomLogic logic;
  private RoomState room;
  private Action.SendMessage send;
  private RequestContext sendContext;
  private RoomEvent.MessagePosted posted;
  private Decision decision;
  private Serializer<RoomState> stateSerializer;
  private Deserializer<RoomState> stateDeserializer;
  private byte[] roomBytes;

  @Setup
  public void buildRoom() {
    logic = new RoomLogic(HISTORY);
    // Built the way the processor builds it: decide each command and apply its events; the
    // joins as a replay of the room's events would apply them, since deciding 10,000 joins one
    // by one (each answered with the whole member list) would take seconds of set-up.
    long at = Samples.AT - 1_000_000;
    room = run(null, new Action.CreateRoom("c", "user-0", Samples.ROOM_ID, null), 0, at++);
    for (int m = 1; m < members; m++) {
      RequestContext joiner = context(m, at++);
      room =
          logic.apply(
              room,
              new RoomEvent.MemberJoined(
                  Samples.ROOM_ID,
                  room.lastSeq() + 1,
                  joiner.requestTimeEpoch(),
                  joiner.connectionId(),
                  "user-" + m,
                  joiner.gatewayId(),
                  joiner.gatewayInstance()));
    }
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
    JsonSerde<RoomState> serde = JsonSerde.of(RoomState.class);
    stateSerializer = serde.serializer();
    stateDeserializer = serde.deserializer();
    roomBytes = stateSerializer.serialize(storeTopic, room);
    if (!room.equals(stateDeserializer.deserialize(storeTopic, roomBytes))) {
      throw new IllegalStateException("the room state does not survive its serde");
    }
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

  /** rooms.get(): the state (its members, 100 messages) from the store's JSON bytes. */
  @Benchmark
  public RoomState roomStateFromBytes() {
    return stateDeserializer.deserialize(storeTopic, roomBytes);
  }

  /** rooms.put(): the state to JSON bytes for RocksDB and its changelog. */
  @Benchmark
  public byte[] roomStateToBytes() {
    return stateSerializer.serialize(storeTopic, room);
  }

  /**
   * All of the room stage for one sendMessage but the I/O: read the state, decide, apply, write the
   * state, route the replies. It compiles later than the parts (more code to profile and inline),
   * hence the longer warm-up.
   */
  @Benchmark
  @Warmup(iterations = 6, time = 1)
  public List<KeyValue<String, Delivery>> processSendMessage(Blackhole bh) {
    RoomState before = stateDeserializer.deserialize(storeTopic, roomBytes);
    Decision d = logic.decide(before, send, sendContext);
    RoomState after = before;
    for (RoomEvent event : d.events()) {
      after = logic.apply(after, event);
    }
    bh.consume(stateSerializer.serialize(storeTopic, after));
    return DeliveryRouting.route(d.replies());
  }
}
