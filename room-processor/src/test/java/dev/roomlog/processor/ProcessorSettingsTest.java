package dev.roomlog.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.protocol.TopicSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;
import org.apache.kafka.streams.errors.LogAndFailExceptionHandler;
import org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessorSettingsTest {
  @TempDir Path stateDir;

  @Test
  void defaultsAreTheDocumentedOnes() {
    ProcessorSettings s = ProcessorSettings.defaults("broker:9092", stateDir);
    assertEquals("roomlog-processor", s.applicationId());
    assertEquals(100, s.historySize());
    assertEquals(Duration.ofHours(1), s.dedupWindow());
    assertEquals(Duration.ofSeconds(15), s.gatewayTimeout());
    assertEquals(10, s.commitIntervalMs());
    assertEquals(100, s.commitIntervalUnderLoadMs());
    assertEquals(-1, s.replicationFactor());
    assertEquals(TopicSet.DEFAULT, s.topics());
  }

  @Test
  void theCommitIntervalUnderLoadIsAtLeastTheShortOne() {
    ProcessorSettings s =
        ProcessorSettings.defaults("broker:9092", stateDir).withCommitIntervalMs(250);
    assertEquals(250, s.commitIntervalUnderLoadMs());
    assertEquals(
        40,
        s.withCommitIntervalMs(20)
            .with(ProcessorSettings.COMMIT_INTERVAL_UNDER_LOAD_MS, 40L)
            .commitIntervalUnderLoadMs());
    assertThrows(
        IllegalArgumentException.class,
        () -> s.with(ProcessorSettings.COMMIT_INTERVAL_UNDER_LOAD_MS, 0L));
  }

  @Test
  void badValueFailsWithTheNameOfTheSetting() {
    ProcessorSettings s = ProcessorSettings.defaults("broker:9092", stateDir);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> s.withHistorySize(-1));
    assertTrue(e.getMessage().contains("historySize=-1"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> s.withReplicationFactor(0));
    assertThrows(IllegalArgumentException.class, () -> s.withCommitIntervalMs(0));
    assertThrows(IllegalArgumentException.class, () -> s.withApplicationId("has space"));
    assertThrows(IllegalArgumentException.class, () -> ProcessorSettings.defaults(" ", stateDir));
    assertThrows(
        IllegalArgumentException.class,
        () -> s.withHistorySize(ProcessorSettings.MAX_HISTORY_SIZE + 1));
  }

  @Test
  void dedupWindowAndGatewayTimeoutMustBeAtLeastOneMillisecond() {
    ProcessorSettings s = ProcessorSettings.defaults("broker:9092", stateDir);
    IllegalArgumentException dedup =
        assertThrows(IllegalArgumentException.class, () -> s.withDedupWindow(Duration.ZERO));
    assertTrue(dedup.getMessage().contains("dedupWindow=PT0S"), dedup.getMessage());
    IllegalArgumentException timeout =
        assertThrows(IllegalArgumentException.class, () -> s.withGatewayTimeout(null));
    assertTrue(timeout.getMessage().contains("gatewayTimeout=null"), timeout.getMessage());
    assertEquals(1, s.withDedupWindow(Duration.ofMillis(1)).dedupWindow().toMillis());
    assertEquals(1, s.withGatewayTimeout(Duration.ofMillis(1)).gatewayTimeout().toMillis());
  }

  @Test
  void streamsConfigIsExactlyOnceAndLeavesOnlyFailuresThatAreNotOneRecordsToTheHandlers() {
    ProcessorSettings s =
        ProcessorSettings.defaults("broker:9092", stateDir)
            .withApplicationId("app-1")
            .withCommitIntervalMs(10)
            .withReplicationFactor(3);
    Properties p = RoomTopology.streamsConfig(s);
    assertEquals("exactly_once_v2", p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
    assertEquals("app-1", p.get(StreamsConfig.APPLICATION_ID_CONFIG));
    assertEquals("broker:9092", p.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
    // Kafka Streams runs at the long interval; CommitPacing asks sooner while actions are fresh,
    // and an idle poll returns within the short one so that its timer can fire.
    assertEquals(100L, p.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
    assertEquals(10L, p.get(StreamsConfig.POLL_MS_CONFIG));
    assertEquals(3, p.get(StreamsConfig.REPLICATION_FACTOR_CONFIG));
    // Not Kafka's 100 ms: a transaction begun while the last one's markers are being written is
    // retried after this, and the stream thread waits in the commit meanwhile.
    assertEquals(10, p.get(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG)));
    // One record's failures are set aside by RoomStage; what reaches a handler stops the thread.
    assertEquals(
        LogAndFailExceptionHandler.class.getName(),
        p.get(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG));
    assertEquals(
        LogAndFailProcessingExceptionHandler.class.getName(),
        p.get(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG));
    assertEquals(
        DefaultProductionExceptionHandler.class.getName(),
        p.get(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG));
    // Kafka Streams itself must accept the whole configuration.
    new StreamsConfig(p);
  }

  @Test
  void streamThreadsAreOnePerCoreButNoMoreThanTheLogsPartitions() {
    assertEquals(8, ProcessorSettings.defaultStreamThreads(8, 16));
    assertEquals(6, ProcessorSettings.defaultStreamThreads(16, 6), "idle past the partitions");
    assertEquals(4, ProcessorSettings.defaultStreamThreads(4, 0), "partitions unknown");
    assertEquals(1, ProcessorSettings.defaultStreamThreads(1, 1));

    ProcessorSettings s = ProcessorSettings.defaults("broker:9092", stateDir);
    int cores = Runtime.getRuntime().availableProcessors();
    assertEquals(cores, s.streamThreads());
    assertEquals(1, s.withLogPartitions(1).streamThreads());
    assertEquals(3, s.withLogPartitions(1).withStreamThreads(3).streamThreads(), "as set");
    assertEquals(3, RoomTopology.streamsConfig(s.withStreamThreads(3)).get("num.stream.threads"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> s.withStreamThreads(0));
    assertTrue(e.getMessage().contains("streamThreads=0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> s.withLogPartitions(-1));
  }

  @Test
  void aProcessorWithMoreThreadsMayReplaceMoreOfThemWhenOneKafkaFailureKillsThemAll() {
    assertEquals(RoomProcessor.MAX_THREAD_REPLACEMENTS, RoomProcessor.replacementBudget(1));
    assertEquals(4 * RoomProcessor.MAX_THREAD_REPLACEMENTS, RoomProcessor.replacementBudget(4));
  }

  @Test
  void processorIsNotRunningBeforeStartAndClosesWithinItsTimeout() {
    RoomProcessor processor =
        new RoomProcessor(ProcessorSettings.defaults("localhost:1", stateDir));
    assertFalse(processor.isRunning());
    assertEquals(KafkaStreams.State.CREATED, processor.state());
    assertTrue(processor.close(Duration.ofSeconds(10)));
    assertFalse(processor.isRunning());
  }
}
