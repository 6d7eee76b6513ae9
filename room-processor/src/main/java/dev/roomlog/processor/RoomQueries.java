package dev.roomlog.processor;

import dev.roomlog.processor.query.RoomPage;
import dev.roomlog.processor.query.RoomSummary;
import dev.roomlog.processor.query.RoomView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Where a room's state lives among the processor instances, and its state when it lives here: Kafka
 * Streams' interactive queries over the room stores ({@link RoomStores}: heads, members, recent
 * events; and the previous layout's {@value RoomTopology#ROOMS_STORE} for rooms not moved yet). The
 * transport between instances is the caller's ({@code query.QueryServer}).
 */
public final class RoomQueries {
  private final KafkaStreams streams;
  private final String topic;
  private final HostInfo self;

  RoomQueries(KafkaStreams streams, String sourceTopic, String applicationServer) {
    this.streams = streams;
    this.topic = sourceTopic;
    this.self = applicationServer == null ? null : HostInfo.buildFromEndpoint(applicationServer);
  }

  /** Where a room is. */
  public sealed interface Location permits Here, There, Unknown {}

  /** In this instance's store, in partition {@code partition}. */
  public record Here(int partition) implements Location {}

  /** Held by the instance reachable at {@code host:port}. */
  public record There(String host, int port) implements Location {}

  /** Not known now: the group is rebalancing, or this instance is not running. */
  public record Unknown(String why) implements Location {}

  /** The state store cannot be read now (a rebalance moved it, or it is restoring). */
  public static final class NotQueryable extends RuntimeException {
    NotQueryable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  public Location locate(String roomId) {
    if (!streams.state().isRunningOrRebalancing()) {
      return new Unknown("the processor is " + streams.state());
    }
    KeyQueryMetadata metadata =
        streams.queryMetadataForKey(
            RoomTopology.ROOM_HEADS_STORE, roomId, Serdes.String().serializer());
    if (metadata == null || metadata.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
      return new Unknown("the processors are rebalancing");
    }
    HostInfo active = metadata.activeHost();
    if (self == null || self.equals(active)) {
      return new Here(metadata.partition());
    }
    return new There(active.host(), active.port());
  }

  /**
   * The room from this instance's store, with up to {@code membersLimit} members after the join seq
   * {@code membersAfter} (null: from the first); empty if the partition holds no such room. It
   * reads the room whole from the stores (the member records are keyed by connection, not by join
   * order), so its cost grows with the room's members, not with the page.
   */
  public Optional<RoomView> local(
      String roomId, int partition, Long membersAfter, int membersLimit) {
    RoomState state =
        read(
            partition,
            () ->
                RoomStores.load(
                    partitionStore(RoomTopology.ROOM_HEADS_STORE, partition),
                    partitionStore(RoomTopology.ROOM_MEMBERS_STORE, partition),
                    partitionStore(RoomTopology.ROOM_RECENT_STORE, partition),
                    roomId));
    if (state == null) {
      state =
          read(
              partition,
              () ->
                  this.<RoomState>partitionStore(RoomTopology.ROOMS_STORE, partition).get(roomId));
    }
    return Optional.ofNullable(state).map(s -> view(s, membersAfter, membersLimit));
  }

  /**
   * A page of this instance's rooms, and the partitions it covers: a caller merging the pages of
   * every instance can tell whether a partition was in none (moving in a rebalance).
   */
  public record LocalPage(RoomPage page, List<Integer> partitions) {}

  /**
   * Up to {@code limit} rooms with ids after {@code after} (null: from the first), from every
   * partition this instance is the active owner of, in id order.
   */
  public LocalPage localPage(String after, int limit) {
    List<RoomPage> pages = new ArrayList<>();
    List<Integer> partitions = activePartitions();
    for (int partition : partitions) {
      // The rooms of both layouts (a room is in one of them), merged in id order.
      TreeMap<String, RoomSummary> rooms = new TreeMap<>();
      read(
          partition,
          () -> {
            firstAfter(
                this.<RoomStores.Head>partitionStore(RoomTopology.ROOM_HEADS_STORE, partition),
                after,
                limit + 1,
                head ->
                    new RoomSummary(
                        head.roomId(),
                        head.lastSeq(),
                        head.memberCount(),
                        head.access().privateRoom() ? Boolean.TRUE : null),
                rooms);
            firstAfter(
                this.<RoomState>partitionStore(RoomTopology.ROOMS_STORE, partition),
                after,
                limit + 1,
                state ->
                    new RoomSummary(
                        state.roomId(),
                        state.lastSeq(),
                        state.members().size(),
                        state.access().privateRoom() ? Boolean.TRUE : null),
                rooms);
            return rooms;
          });
      boolean more = rooms.size() > limit;
      pages.add(
          RoomPage.of(
              new ArrayList<>(rooms.values()).subList(0, Math.min(limit, rooms.size())),
              limit,
              more));
    }
    return new LocalPage(RoomPage.merge(pages, limit), partitions);
  }

  /** Adds the first {@code count} values with keys after {@code after} (null: from the first). */
  private static <V> void firstAfter(
      ReadOnlyKeyValueStore<String, V> store,
      String after,
      int count,
      Function<V, RoomSummary> summary,
      Map<String, RoomSummary> into) {
    int taken = 0;
    try (KeyValueIterator<String, V> range = store.range(after, null)) {
      while (taken < count && range.hasNext()) {
        KeyValue<String, V> next = range.next();
        if (after != null && next.key.equals(after)) {
          continue;
        }
        into.put(next.key, summary.apply(next.value));
        taken++;
      }
    }
  }

  /** {@code host:port} of every instance that holds rooms, this one included. */
  public List<String> instances() {
    TreeSet<String> all = new TreeSet<>();
    for (StreamsMetadata m : streams.streamsMetadataForStore(RoomTopology.ROOM_HEADS_STORE)) {
      all.add(m.hostInfo().host() + ":" + m.hostInfo().port());
    }
    return List.copyOf(all);
  }

  /** {@code host:port} of this instance, or null if it has no query endpoint. */
  public String self() {
    return self == null ? null : self.host() + ":" + self.port();
  }

  private List<Integer> activePartitions() {
    List<Integer> partitions = new ArrayList<>();
    for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
      for (TaskMetadata task : thread.activeTasks()) {
        for (TopicPartition tp : task.topicPartitions()) {
          if (tp.topic().equals(topic)) {
            partitions.add(tp.partition());
          }
        }
      }
    }
    return partitions;
  }

  private <V> ReadOnlyKeyValueStore<String, V> partitionStore(String name, int partition) {
    return streams.store(
        StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore())
            .withPartition(partition));
  }

  /** A read of a partition's stores, which a rebalance or a restore can make unreadable. */
  private static <T> T read(int partition, Supplier<T> read) {
    try {
      return read.get();
    } catch (InvalidStateStoreException e) {
      throw new NotQueryable(
          "the rooms of partition " + partition + " cannot be read now: " + e.getMessage(), e);
    }
  }

  static RoomView view(RoomState state, Long membersAfter, int membersLimit) {
    MemberList.Page page = state.memberList().page(membersAfter, membersLimit);
    return new RoomView(
        state.roomId(),
        state.lastSeq(),
        state.members().size(),
        page.members().stream()
            .map(m -> new RoomView.Member(m.connectionId(), m.username(), m.gatewayId()))
            .toList(),
        page.next(),
        state.recent(),
        state.access().privateRoom() ? Boolean.TRUE : null);
  }
}
