package dev.roomlog.integrations;

import dev.roomlog.protocol.integration.ParkedCall;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One of the worker's threads: reads its {@link Feed}'s topic (room-events for webhooks, the
 * actions for routes) and the retry topic as one consumer of its group, hands each record's calls
 * to the {@link Dispatcher}, writes parked calls, dead letters and two-way answers, and commits
 * each partition up to its first record not done ({@link Offsets}). Everything but the HTTP
 * client's and the producer's I/O runs here; their completions come back through {@link #inbox}.
 *
 * <p>A lane's parked calls are on the same partition number of the retry topic as its records are
 * in the feed's topic (same key, same partition count), and the range assignor gives a worker the
 * same numbers of both. On assignment, a feed partition stays paused until its retry partition has
 * been read to the end it had then: so the lanes that have calls parked are known before any newer
 * record of theirs is considered, after a restart as after a move. Webhooks and routes share the
 * retry topic; each loop skips the other's records ({@link Feed#owns}).
 */
final class IntegrationsLoop implements Runnable, ConsumerRebalanceListener, Dispatcher.Sink {
  private static final Logger LOG = LoggerFactory.getLogger(IntegrationsLoop.class);
  private static final Duration POLL = Duration.ofMillis(20);
  private static final Duration COMMIT_EVERY = Duration.ofSeconds(1);

  private final Consumer<byte[], byte[]> consumer;
  private final Producer<String, byte[]> producer;
  private final Feed feed;
  private final String eventsTopic;
  private final String retryTopic;
  private final String deadLetterTopic;
  private final boolean startAtEnd;
  private final Deserializer<ParkedCall> parked;
  private final Serializer<ParkedCall> parkedWriter;
  private final Clock clock;
  private final Offsets offsets = new Offsets();
  private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
  private final Map<Integer, Long> restoreEnd = new HashMap<>();
  private final Set<TopicPartition> restoring = new HashSet<>();
  private final AtomicReference<Throwable> fatal = new AtomicReference<>();
  private final Dispatcher dispatcher;
  private volatile boolean running = true;
  private boolean pausedForBuffer;
  private Instant lastCommit = Instant.MIN;

  IntegrationsLoop(
      IntegrationsSettings settings,
      Feed feed,
      Consumer<byte[], byte[]> consumer,
      Producer<String, byte[]> producer,
      HttpCaller caller,
      RetryDecider decider,
      Clock clock) {
    this.consumer = consumer;
    this.producer = producer;
    this.feed = feed;
    this.eventsTopic = feed.topic();
    this.retryTopic = settings.topics().webhookRetry().name();
    this.deadLetterTopic = settings.topics().webhookDeadLetter().name();
    this.startAtEnd = "latest".equals(settings.startFrom());
    this.parked = settings.topics().webhookRetry().valueSerde().deserializer();
    this.parkedWriter = settings.topics().webhookRetry().valueSerde().serializer();
    this.clock = clock;
    this.dispatcher =
        new Dispatcher(
            feed.targets(),
            decider,
            caller::call,
            inbox::add,
            this,
            clock,
            // A route's event is one action: API Gateway's event has one body.
            feed instanceof RouteFeed ? 1 : settings.maxBatchEvents(),
            settings.retryFor());
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(List.of(eventsTopic, retryTopic), this);
      boolean first = true;
      while (running) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
        if (first || !records.isEmpty()) {
          // After the poll and before its records: a subscription changed before these events
          // were written applies to them, even when the poll began before the change.
          feed.refresh();
          first = false;
        }
        for (ConsumerRecord<byte[], byte[]> record : records) {
          if (record.topic().equals(retryTopic)) {
            readParked(record);
          } else {
            readEvent(record);
          }
        }
        drainInbox();
        finishRestores();
        dispatcher.pump();
        boundBuffer();
        commitIfDue();
      }
    } catch (WakeupException e) {
      // close() woke the poll up
    } catch (RuntimeException e) {
      fatal.compareAndSet(null, e);
    } finally {
      try {
        producer.flush();
        drainInbox();
        commit(true);
      } catch (RuntimeException e) {
        LOG.warn("Could not commit the last offsets of the integrations worker: {}", e.toString());
      }
    }
  }

  /** Asks the loop to stop; the caller wakes the consumer up. */
  void stop() {
    running = false;
  }

  Throwable fatal() {
    return fatal.get();
  }

  private void readEvent(ConsumerRecord<byte[], byte[]> record) {
    Source source = new Source(record.topic(), record.partition());
    List<Item> items = feed.items(record.value(), record.partition(), source, record.offset());
    if (items == null) {
      LOG.warn("Skipping {}@{}: not readable", source, record.offset());
      offsets.read(source, record.offset(), 0);
      return;
    }
    offsets.read(source, record.offset(), items.size());
    items.forEach(dispatcher::offer);
  }

  private void readParked(ConsumerRecord<byte[], byte[]> record) {
    Source source = new Source(record.topic(), record.partition());
    ParkedCall call;
    try {
      call = parked.deserialize(record.topic(), record.value());
    } catch (RuntimeException e) {
      call = null;
    }
    if (call == null) {
      LOG.warn("Skipping {}@{}: not a parked call", source, record.offset());
      offsets.read(source, record.offset(), 0);
      return;
    }
    if (!feed.owns(call)) {
      offsets.read(source, record.offset(), 0); // the other loop's (webhooks or routes)
      return;
    }
    offsets.read(source, record.offset(), 1);
    // Records before the end seen at assignment were parked by an earlier owner: count them now.
    boolean counted = record.offset() >= restoreEnd.getOrDefault(record.partition(), 0L);
    dispatcher.offerParked(Item.parked(call, source, record.offset()), counted);
  }

  @Override
  public void done(Item item, Answer answer) {
    ProducerRecord<String, byte[]> after = feed.afterDelivery(item, answer);
    if (after == null) {
      offsets.release(item.source, item.offset);
    } else {
      send(after, item); // a two-way answer: done once Kafka has it
    }
  }

  @Override
  public void park(Item item, ParkedCall call) {
    send(retryTopic, item, call);
  }

  @Override
  public void deadLetter(Item item, ParkedCall call) {
    send(deadLetterTopic, item, call);
  }

  private void send(String topic, Item item, ParkedCall call) {
    send(new ProducerRecord<>(topic, item.laneKey(), parkedWriter.serialize(topic, call)), item);
  }

  private void send(ProducerRecord<String, byte[]> record, Item item) {
    String topic = record.topic();
    producer.send(
        record,
        (metadata, error) ->
            inbox.add(
                () -> {
                  if (error != null) {
                    // Kafka refused it past the producer's own retries: stop, unfinished, so the
                    // record is read again (its offset is not committed).
                    fatal.compareAndSet(
                        null, new IllegalStateException("cannot write to " + topic, error));
                    running = false;
                  } else {
                    offsets.release(item.source, item.offset);
                  }
                }));
  }

  private void drainInbox() {
    Runnable task;
    while ((task = inbox.poll()) != null) {
      task.run();
    }
  }

  private void finishRestores() {
    if (restoring.isEmpty()) {
      return;
    }
    Set<TopicPartition> assigned = consumer.assignment();
    List<TopicPartition> ready = new ArrayList<>();
    for (TopicPartition events : restoring) {
      TopicPartition retry = new TopicPartition(retryTopic, events.partition());
      if (!assigned.contains(retry)) {
        LOG.warn(
            "{} is assigned without {}: do the two topics have the same partitions?",
            events,
            retry);
        ready.add(events);
      } else if (consumer.position(retry) >= restoreEnd.getOrDefault(events.partition(), 0L)) {
        ready.add(events);
      }
    }
    ready.forEach(restoring::remove);
    if (!pausedForBuffer) {
      consumer.resume(ready);
    }
  }

  /** Stops reading room-events while too many events wait in memory; retry records still flow. */
  private void boundBuffer() {
    int buffered = dispatcher.buffered();
    if (!pausedForBuffer && buffered > IntegrationsSettings.MAX_BUFFERED_EVENTS) {
      pausedForBuffer = true;
      consumer.pause(eventPartitions());
    } else if (pausedForBuffer && buffered < IntegrationsSettings.MAX_BUFFERED_EVENTS / 2) {
      pausedForBuffer = false;
      List<TopicPartition> resume = new ArrayList<>(eventPartitions());
      resume.removeAll(restoring);
      consumer.resume(resume);
    }
  }

  private List<TopicPartition> eventPartitions() {
    return consumer.assignment().stream().filter(tp -> tp.topic().equals(eventsTopic)).toList();
  }

  private void commitIfDue() {
    Instant now = clock.instant();
    if (Duration.between(lastCommit, now).compareTo(COMMIT_EVERY) >= 0) {
      lastCommit = now;
      commit(false);
    }
  }

  private void commit(boolean sync) {
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    offsets
        .toCommit()
        .forEach(
            (source, offset) ->
                commit.put(
                    new TopicPartition(source.topic(), source.partition()),
                    new OffsetAndMetadata(offset)));
    if (commit.isEmpty()) {
      return;
    }
    if (sync) {
      consumer.commitSync(commit);
    } else {
      consumer.commitAsync(
          commit,
          (done, error) -> {
            if (error != null) {
              LOG.warn("Committing integrations offsets failed (retried): {}", error.toString());
            }
          });
    }
  }

  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    List<TopicPartition> retries =
        partitions.stream().filter(tp -> tp.topic().equals(retryTopic)).toList();
    List<TopicPartition> mains =
        partitions.stream().filter(tp -> tp.topic().equals(eventsTopic)).toList();
    Map<TopicPartition, OffsetAndMetadata> committed =
        consumer.committed(new HashSet<>(partitions));
    // Parked calls are never skipped: a retry partition without a commit is read from its start.
    List<TopicPartition> fromStart =
        retries.stream().filter(tp -> committed.get(tp) == null).toList();
    consumer.seekToBeginning(fromStart);
    List<TopicPartition> newMains = mains.stream().filter(tp -> committed.get(tp) == null).toList();
    if (!newMains.isEmpty()) {
      if (startAtEnd) {
        consumer.seekToEnd(newMains);
      } else {
        consumer.seekToBeginning(newMains);
      }
      // Fix the starting point at once: a restart before the first commit must not skip ahead.
      Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
      newMains.forEach(tp -> start.put(tp, new OffsetAndMetadata(consumer.position(tp))));
      consumer.commitSync(start);
    }
    consumer.endOffsets(retries).forEach((tp, end) -> restoreEnd.put(tp.partition(), end));
    consumer.pause(mains);
    restoring.addAll(mains);
    LOG.info("Integrations worker assigned {}", partitions);
  }

  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    // What was handed to Kafka is done: let its acknowledgements in and commit before letting go.
    producer.flush();
    drainInbox();
    try {
      commit(true);
    } catch (RuntimeException e) {
      LOG.warn("Could not commit before giving partitions up: {}", e.toString());
    }
    forget(partitions);
  }

  @Override
  public void onPartitionsLost(Collection<TopicPartition> partitions) {
    forget(partitions);
  }

  private void forget(Collection<TopicPartition> partitions) {
    for (TopicPartition tp : partitions) {
      offsets.forget(new Source(tp.topic(), tp.partition()));
      restoring.remove(tp);
      if (tp.topic().equals(eventsTopic)) {
        dispatcher.forget(tp.partition());
        feed.forget(tp.partition());
        restoreEnd.remove(tp.partition());
      }
    }
  }
}
