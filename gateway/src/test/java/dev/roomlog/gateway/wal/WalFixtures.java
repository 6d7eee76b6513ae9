package dev.roomlog.gateway.wal;

import dev.roomlog.gateway.metrics.GatewayMetrics;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.protocol.TopicSet;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.action.RequestContext.EventType;
import dev.roomlog.protocol.action.RequestContext.Identity;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;

/** Records, producers and the test factory of the WAL package's tests. */
final class WalFixtures {
  static final TopicSet TOPICS = TopicSet.prefixed("wal-test");
  static final String TOPIC = TOPICS.actions().name();
  static final Duration LOG_WRITE_TIMEOUT = Duration.ofSeconds(4);

  /** The lifecycle bound of a gateway with the default maxConnections. */
  static final int DEFAULT_LIFECYCLE_BOUND =
      Settlements.lifecycleBound(GatewaySettings.DEFAULT_MAX_CONNECTIONS);

  private WalFixtures() {}

  /** How one record ended, counted so that a second settlement would show. */
  static class Outcome implements WalAppender.Callback {
    final AtomicInteger acknowledged = new AtomicInteger();
    final List<Exception> failures = new CopyOnWriteArrayList<>();

    @Override
    public void onAcknowledged() {
      acknowledged.incrementAndGet();
    }

    @Override
    public void onFailure(Exception cause) {
      failures.add(cause);
    }

    int settlements() {
      return acknowledged.get() + failures.size();
    }
  }

  /**
   * The test factory: an appender on {@code producer} with a {@link #LOG_WRITE_TIMEOUT} budget, the
   * given lifecycle bound, time from {@code nanoTime} (moved by hand), timed on {@code metrics}.
   * Not started.
   */
  static KafkaWalAppender appender(
      MockProducer<String, WalRecord> producer,
      LongSupplier nanoTime,
      int maxPendingLifecycleRecords,
      GatewayMetrics metrics) {
    WriteBudget budget = WriteBudget.of(LOG_WRITE_TIMEOUT);
    return new KafkaWalAppender(
        producer,
        TOPIC,
        budget,
        new Settlements(maxPendingLifecycleRecords, nanoTime, metrics::walSettled),
        new WriterPace(budget.queue(), nanoTime),
        () -> {});
  }

  /** As {@link #appender(MockProducer, LongSupplier, int, GatewayMetrics)}, default bound. */
  static KafkaWalAppender appender(
      MockProducer<String, WalRecord> producer, LongSupplier nanoTime) {
    return appender(
        producer, nanoTime, DEFAULT_LIFECYCLE_BOUND, new GatewayMetrics(new SimpleMeterRegistry()));
  }

  static MockProducer<String, WalRecord> mockProducer(boolean autoComplete) {
    return mockProducer(autoComplete, 1);
  }

  /** A producer whose cluster has the WAL topic with {@code partitions} partitions. */
  static MockProducer<String, WalRecord> mockProducer(boolean autoComplete, int partitions) {
    return new MockProducer<>(
        cluster(partitions),
        autoComplete,
        null,
        TOPICS.actions().keySerde().serializer(),
        TOPICS.actions().valueSerde().serializer());
  }

  /**
   * A producer whose send of a lifecycle record blocks until {@code unblock} opens, as a send does
   * for max.block.ms when the producer's buffer is full.
   */
  static MockProducer<String, WalRecord> blockingOnLifecycle(CountDownLatch unblock) {
    return onLifecycleSend(
        () -> {
          try {
            unblock.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
  }

  /**
   * A producer whose every send of a lifecycle record releases one {@code entered} permit and then
   * takes one {@code gate} permit, so that a test holds the writer in a send and lets it go one
   * send at a time.
   */
  static MockProducer<String, WalRecord> gatedOnLifecycle(Semaphore gate, Semaphore entered) {
    return onLifecycleSend(
        () -> {
          entered.release();
          gate.acquireUninterruptibly();
        });
  }

  /** A producer that runs {@code beforeSend} in each send of a lifecycle record, then sends it. */
  private static MockProducer<String, WalRecord> onLifecycleSend(Runnable beforeSend) {
    return new MockProducer<>(
        cluster(1),
        true,
        null,
        TOPICS.actions().keySerde().serializer(),
        TOPICS.actions().valueSerde().serializer()) {
      @Override
      public Future<RecordMetadata> send(ProducerRecord<String, WalRecord> record, Callback cb) {
        if (record.value().requestContext().eventType() != EventType.MESSAGE) {
          beforeSend.run();
        }
        return super.send(record, cb);
      }
    };
  }

  /** A cluster with the WAL topic in {@code partitions} partitions, for partitionsFor. */
  private static Cluster cluster(int partitions) {
    Node node = new Node(0, "localhost", 9092);
    List<PartitionInfo> infos = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      infos.add(new PartitionInfo(TOPIC, p, node, new Node[] {node}, new Node[] {node}));
    }
    return new Cluster("test", List.of(node), infos, Set.of(), Set.of());
  }

  static WalRecord action(String connectionId, String roomId) {
    return new WalRecord(
        new Action.LeaveRoom(null, roomId, null),
        context("leaveRoom", EventType.MESSAGE, connectionId, roomId));
  }

  static WalRecord disconnect(String connectionId) {
    return new WalRecord(
        new Action.Disconnect(), context("$disconnect", EventType.DISCONNECT, connectionId, "d"));
  }

  private static RequestContext context(
      String routeKey, EventType type, String connectionId, String suffix) {
    return new RequestContext(
        routeKey,
        type,
        connectionId,
        1L,
        2L,
        "req-" + suffix,
        new Identity("198.51.100.1"),
        "gw-1",
        "run-1",
        null);
  }

  static String roomOf(ProducerRecord<String, WalRecord> r) {
    return r.value().action() instanceof Action.LeaveRoom leave ? leave.roomId() : null;
  }
}
