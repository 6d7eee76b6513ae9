package dev.roomlog.processor;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processor's policy for a WAL record it cannot read: log where it is (topic, partition,
 * offset, connection) and why, then skip it. One malformed record must not stop every room,
 * and under exactly-once a failing record would otherwise be re-read forever (a crash loop).
 * The record stays in the log at the logged offset for whoever investigates.
 *
 * <p>Public only because Kafka Streams instantiates it by class name; not for direct use.
 */
public final class SkipUnreadableRecordHandler implements DeserializationExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(SkipUnreadableRecordHandler.class);

  public SkipUnreadableRecordHandler() {}

  @Override
  public DeserializationHandlerResponse handle(
      ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    log.warn(
        "skipping unreadable record {}-{}@{} (key {}, {} bytes): {}",
        context.topic(),
        context.partition(),
        context.offset(),
        key,
        record.value() == null ? 0 : record.value().length,
        exception.toString());
    return DeserializationHandlerResponse.CONTINUE;
  }

  @Override
  public void configure(Map<String, ?> configs) {}
}
