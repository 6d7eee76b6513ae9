package dev.roomlog.processor;

import dev.roomlog.processor.query.RoomPage;
import dev.roomlog.processor.query.RoomSummary;
import dev.roomlog.processor.query.RoomView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
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
 * Streams' interactive queries over the {@value RoomTopology#ROOMS_STORE} store. The transport
 * between instances is the caller's ({@code query.QueryServer}).
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
        streams.queryMetadataForKey(RoomTopology.ROOMS_STORE, roomId, Serdes.String().serializer());
    if (metadata == null || metadata.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
      return new Unknown("the processors are rebalancing");
    }
    HostInfo active = metadata.activeHost();
    if (self == null || self.equals(active)) {
      return new Here(metadata.partition());
    }
    return new There(active.host(), active.port());
  }

  /** The room from this instance's store; empty if the partition holds no such room. */
  public Optional<RoomView> local(String roomId, int partition) {
    Object state = partitionStore(partition).get(roomId);
    return Optional.ofNullable(state).map(s -> view((RoomState) s));
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
      List<RoomSummary> rooms = new ArrayList<>();
      boolean more = false;
      try (KeyValueIterator<String, Object> range = partitionStore(partition).range(after, null)) {
        while (range.hasNext()) {
          KeyValue<String, Object> next = range.next();
          if (after != null && next.key.equals(after)) {
            continue;
          }
          if (rooms.size() == limit) {
            more = true;
            break;
          }
          rooms.add(view((RoomState) next.value).summary());
        }
      }
      pages.add(RoomPage.of(rooms, limit, more));
    }
    return new LocalPage(RoomPage.merge(pages, limit), partitions);
  }

  /** {@code host:port} of every instance that holds rooms, this one included. */
  public List<String> instances() {
    TreeSet<String> all = new TreeSet<>();
    for (StreamsMetadata m : streams.streamsMetadataForStore(RoomTopology.ROOMS_STORE)) {
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

  private ReadOnlyKeyValueStore<String, Object> partitionStore(int partition) {
    try {
      return streams.store(
          StoreQueryParameters.fromNameAndType(
                  RoomTopology.ROOMS_STORE, QueryableStoreTypes.<String, Object>keyValueStore())
              .withPartition(partition));
    } catch (InvalidStateStoreException e) {
      throw new NotQueryable(
          "the rooms of partition " + partition + " cannot be read now: " + e.getMessage(), e);
    }
  }

  static RoomView view(RoomState state) {
    return new RoomView(
        state.roomId(),
        state.lastSeq(),
        state.members().stream()
            .map(m -> new RoomView.Member(m.connectionId(), m.username(), m.gatewayId()))
            .toList(),
        state.recent(),
        state.access().privateRoom() ? Boolean.TRUE : null);
  }
}
