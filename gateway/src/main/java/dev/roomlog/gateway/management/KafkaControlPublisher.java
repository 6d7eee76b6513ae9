package dev.roomlog.gateway.management;

import dev.roomlog.protocol.Delivery;
import dev.roomlog.protocol.Topic;
import dev.roomlog.protocol.control.GatewayControl;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes control messages to the deliveries topic, keyed by the gateway they are for, with the
 * {@link GatewayControl#KIND_HEADER} header. Keys are serialized as the processor serializes a
 * delivery's key (UTF-8), so a message lands on the partition its gateway reads.
 *
 * <p>They are requests with a deadline, not history: one write, acks from the leader, no retry past
 * {@link #DELIVERY_TIMEOUT}, which is shorter than the asker's wait.
 *
 * <p>{@code send} can block (for the topic's metadata, or a full buffer): it runs on a thread of
 * its own, never on the caller's, which is a Netty event loop or the delivery consumer's thread.
 * The topic's metadata is fetched once at start.
 */
public final class KafkaControlPublisher implements ControlPublisher, AutoCloseable {
  static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(4);

  private final String topic;
  private static final Logger log = LoggerFactory.getLogger(KafkaControlPublisher.class);

  private final Producer<String, byte[]> producer;
  private final ExecutorService sender;

  public KafkaControlPublisher(
      String bootstrapServers, Topic<String, Delivery> deliveries, String gatewayId) {
    this.topic = deliveries.name();
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "roomlog-control-" + gatewayId);
    config.put(ProducerConfig.ACKS_CONFIG, "1");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) DELIVERY_TIMEOUT.toMillis());
    // send() may wait this long for the topic's metadata: it runs on an event loop or the
    // delivery thread, so it must not wait long.
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000);
    this.producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    this.sender =
        Executors.newSingleThreadExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "roomlog-control-send-" + gatewayId);
              thread.setDaemon(true);
              return thread;
            });
    try {
      producer.partitionsFor(topic);
    } catch (RuntimeException e) {
      log.warn(
          "no metadata for {} yet ({}): the first management request will fetch it",
          topic,
          e.toString());
    }
  }

  @Override
  public void publish(String gatewayId, GatewayControl message, Consumer<Exception> onFailure) {
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(topic, gatewayId, message.toBytes());
    record
        .headers()
        .add(GatewayControl.KIND_HEADER, message.kind().getBytes(StandardCharsets.UTF_8));
    try {
      sender.execute(
          () -> {
            try {
              producer.send(
                  record,
                  (metadata, failure) -> {
                    if (failure != null) {
                      onFailure.accept(failure);
                    }
                  });
            } catch (RuntimeException e) {
              onFailure.accept(e);
            }
          });
    } catch (RejectedExecutionException e) {
      onFailure.accept(e); // closing
    }
  }

  @Override
  public void close() {
    sender.shutdown();
    try {
      sender.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(5));
  }
}
