package dev.roomlog.systemtest;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.LongSerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three-node cluster that fault tests use survives what a production cluster survives: the
 * leader of a partition crashing under acks=all writes loses no acknowledged record and duplicates
 * none; and a node frozen past its session leaves the ISR and rejoins it once thawed (Roomlog's
 * roles on it: the server's RoomlogProcessIT, which has the roomlog jar). One cluster for the
 * class; each test uses topics of its own and leaves every node running and in sync.
 */
class KafkaClusterProcessIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Duration PRODUCER_DELIVERY_TIMEOUT = Duration.ofSeconds(60);
  private static final int PARTITIONS = 3;

  @TempDir static Path dir;
  private static KafkaClusterProcess cluster;

  @BeforeAll
  static void startCluster() {
    cluster = KafkaClusterProcess.onFreePorts(dir.resolve("kafka"));
    cluster.start();
  }

  /** Whatever a test did (or failed to undo), the next one starts from a whole cluster. */
  @AfterEach
  void everyNodeRunningAndInSync() {
    cluster.start();
    cluster.awaitFullyReplicated();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void acknowledgedRecordsAreReadExactlyOnceAfterThePartitionLeaderIsKilledAndRestartedTwice()
      throws Exception {
    String topic = "leader-kill-" + SharedKafka.uniquePrefix();
    createTopic(topic);
    SteadyProducer producer = new SteadyProducer(topic);
    try (producer) {
      for (int round = 1; round <= 2; round++) {
        // Writes are flowing into partition 0 when its leader dies...
        producer.awaitAcknowledgedIn(0, producer.acknowledgedIn(0) + 50);
        int leader = cluster.leaderOf(topic, 0);
        cluster.kill(leader);
        // ...and go on once another replica leads it: at most WINDOW records were unanswered
        // at the kill, so 50 more need the new leader.
        producer.awaitAcknowledgedIn(0, producer.acknowledgedIn(0) + 50);
        assertNotEquals(leader, cluster.leaderOf(topic, 0));

        cluster.start(leader);
        cluster.awaitFullyReplicated(topic);
      }
      producer.awaitAcknowledgedIn(0, producer.acknowledgedIn(0) + 50);
    }

    assertEquals(List.of(), producer.failures(), "every send was acknowledged in the end");
    Map<Integer, List<Long>> read = new TreeMap<>();
    for (ConsumerRecord<String, Long> record : readAll(topic)) {
      read.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record.value());
    }
    Set<Long> seen = new HashSet<>();
    for (Map.Entry<Integer, List<Long>> partition : read.entrySet()) {
      List<Long> ids = partition.getValue();
      for (int i = 1; i < ids.size(); i++) {
        assertTrue(
            ids.get(i - 1) < ids.get(i),
            "partition "
                + partition.getKey()
                + " has "
                + ids.get(i - 1)
                + " then "
                + ids.get(i)
                + ": a record twice, or out of the order sent");
      }
      seen.addAll(ids);
    }
    Set<Long> lost = new TreeSet<>(producer.acknowledged());
    lost.removeAll(seen);
    assertEquals(Set.of(), lost, "acknowledged but not in the topic");
    assertEquals(
        producer.acknowledged().size(),
        seen.size(),
        "as many records in the topic as acknowledged");
  }

  @Test
  void aNodePausedPastItsSessionLeavesTheIsrAndRejoinsItOnceResumed() throws Exception {
    String topic = "pause-" + SharedKafka.uniquePrefix();
    createTopic(topic);
    int paused = cluster.leaderOf(topic, 0);
    cluster.pause(paused);
    try {
      // Past its session timeout the controller fences it: out of every ISR.
      await("node " + paused + " fenced out of the ISRs of " + topic)
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .until(() -> isrs(topic).stream().noneMatch(isr -> isr.contains(paused)));
      // The other two take acks=all writes without it (min.insync.replicas=2), which it misses.
      // Bounded by the producer's own delivery timeout: a new producer may first ask the frozen
      // node for metadata or a producer id and wait out a request timeout (5 s) more than once
      // (CI met 30 s of it once), before it turns to the others.
      try (KafkaProducer<String, Long> producer = producer()) {
        for (long i = 0; i < 30; i++) {
          producer
              .send(new ProducerRecord<>(topic, (int) (i % PARTITIONS), null, i))
              .get(PRODUCER_DELIVERY_TIMEOUT.toSeconds() + 10, SECONDS);
        }
      }
    } finally {
      cluster.resume(paused);
    }
    cluster.awaitFullyReplicated(topic);
    for (List<Integer> isr : isrs(topic)) {
      assertTrue(isr.contains(paused), "node " + paused + " back in the ISR: " + isrs(topic));
    }
    assertEquals(30, readAll(topic).size());
  }

  private static void createTopic(String topic) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
      admin
          .createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 3)))
          .all()
          .get(30, SECONDS);
    }
    cluster.awaitFullyReplicated(topic);
  }

  private static List<List<Integer>> isrs(String topic) {
    List<List<Integer>> isrs = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      isrs.add(cluster.inSyncReplicas(topic, p));
    }
    return isrs;
  }

  private static List<ConsumerRecord<String, Long>> readAll(String topic) {
    return SharedKafka.readAll(
        cluster.bootstrapServers(), topic, new StringDeserializer(), new LongDeserializer());
  }

  /**
   * Sends 0, 1, 2... to partition id % PARTITIONS from a thread of its own until closed, with at
   * most {@value #WINDOW} records unanswered at a time: it keeps pace with the cluster instead of
   * flooding two cores, and a stalled partition soon holds it up. Closing flushes: every record
   * sent is then acknowledged or failed.
   */
  private static final class SteadyProducer implements AutoCloseable {
    static final int WINDOW = 10;

    private final String topic;
    private final KafkaProducer<String, Long> producer = producer();
    private final Semaphore window = new Semaphore(WINDOW);
    private final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicLongArray acknowledgedPerPartition = new AtomicLongArray(PARTITIONS);
    private final List<Exception> failures = new CopyOnWriteArrayList<>();
    private final Thread sender;
    private volatile boolean sending = true;

    SteadyProducer(String topic) {
      this.topic = topic;
      this.sender = new Thread(this::sendUntilClosed, "steady-producer");
      sender.start();
    }

    long acknowledgedIn(int partition) {
      return acknowledgedPerPartition.get(partition);
    }

    void awaitAcknowledgedIn(int partition, long count) {
      await(count + " records acknowledged in partition " + partition)
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(50))
          .failFast("a send failed", () -> assertEquals(List.of(), failures))
          .until(() -> acknowledgedIn(partition) >= count);
    }

    Set<Long> acknowledged() {
      return Set.copyOf(acknowledged);
    }

    List<Exception> failures() {
      return List.copyOf(failures);
    }

    private void sendUntilClosed() {
      try {
        long next = 0;
        while (sending) {
          if (window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
            long id = next++;
            producer.send(
                new ProducerRecord<>(topic, (int) (id % PARTITIONS), null, id),
                (metadata, e) -> {
                  window.release();
                  if (e == null) {
                    acknowledged.add(id);
                    acknowledgedPerPartition.incrementAndGet(metadata.partition());
                  } else {
                    failures.add(e);
                  }
                });
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        failures.add(e);
      }
    }

    @Override
    public void close() {
      sending = false;
      try {
        sender.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      // Waits for every record sent to be answered, one way or the other.
      producer.close(WAIT);
    }
  }

  /**
   * acks=all and idempotent (the defaults, spelled out because they are the point), and quick to
   * give up on a request that a frozen node holds: it is retried at the new leader.
   */
  private static KafkaProducer<String, Long> producer() {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            cluster.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            true,
            ProducerConfig.LINGER_MS_CONFIG,
            5,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
            5_000,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
            (int) PRODUCER_DELIVERY_TIMEOUT.toMillis()),
        new StringSerializer(),
        new LongSerializer());
  }
}
