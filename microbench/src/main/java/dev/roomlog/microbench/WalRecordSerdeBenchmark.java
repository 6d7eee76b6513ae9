package dev.roomlog.microbench;

import dev.roomlog.protocol.Topics;
import dev.roomlog.protocol.WalRecord;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One record of the write-ahead log ({@code roomlog.actions}) through the topic's own serde: the
 * gateway's one log-writer thread serializes every accepted action (inside {@code
 * KafkaProducer.send}), and the room processor's stage 1 deserializes each one.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class WalRecordSerdeBenchmark {
  private final String topic = Topics.ACTIONS_NAME;
  private Serializer<WalRecord> serializer;
  private Deserializer<WalRecord> deserializer;
  private WalRecord record;
  private byte[] bytes;

  @Setup
  public void prepare() {
    serializer = Topics.ACTIONS.valueSerde().serializer();
    deserializer = Topics.ACTIONS.valueSerde().deserializer();
    record = Samples.walRecord();
    bytes = serializer.serialize(topic, record);
    WalRecord back = deserializer.deserialize(topic, bytes);
    if (!record.equals(back)) {
      throw new IllegalStateException(
          "the WAL record does not survive its serde: "
              + new String(bytes, StandardCharsets.UTF_8));
    }
  }

  /** A sendMessage record to the JSON bytes the producer sends (462 bytes). */
  @Benchmark
  public byte[] serializeSendMessage() {
    return serializer.serialize(topic, record);
  }

  /** Those bytes back to a {@link WalRecord}, as the processor reads them. */
  @Benchmark
  public WalRecord deserializeSendMessage() {
    return deserializer.deserialize(topic, bytes);
  }
}
