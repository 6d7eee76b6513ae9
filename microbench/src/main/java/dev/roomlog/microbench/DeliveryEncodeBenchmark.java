package dev.roomlog.microbench;

import dev.roomlog.protocol.Delivery;
import dev.roomlog.protocol.Topics;
import dev.roomlog.protocol.frame.ServerFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The way a chat message becomes bytes for its recipients: the processor encodes the frame to JSON
 * once and puts it in a {@code roomlog.deliveries} record; the gateway reads the record, copies the
 * JSON into one buffer, and hands every recipient a retained duplicate of it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DeliveryEncodeBenchmark {
  static final int FAN_OUT = 1000;

  /** A room of 10 over two gateways: each delivery record names 5 connections. */
  static final int CONNECTIONS_PER_DELIVERY = 5;

  private final String topic = Topics.DELIVERIES_NAME;
  private final ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;
  private ServerFrame.Message frame;
  private String frameJson;
  private Serializer<Delivery> serializer;
  private Deserializer<Delivery> deserializer;
  private Delivery delivery;
  private byte[] deliveryBytes;

  @Setup
  public void prepare() {
    frame = Samples.messageFrame();
    frameJson = frame.toJson();
    serializer = Topics.DELIVERIES.valueSerde().serializer();
    deserializer = Topics.DELIVERIES.valueSerde().deserializer();
    List<String> ids =
        IntStream.range(0, CONNECTIONS_PER_DELIVERY).mapToObj(i -> "conn-" + i).toList();
    delivery = new Delivery(ids, frameJson);
    deliveryBytes = serializer.serialize(topic, delivery);
    if (!delivery.equals(deserializer.deserialize(topic, deliveryBytes))) {
      throw new IllegalStateException("the delivery does not survive its serde");
    }
  }

  /** The processor: one message frame (100-character text) to its JSON text. */
  @Benchmark
  public String messageFrameToJson() {
    return frame.toJson();
  }

  /** The processor: a delivery record (5 connection ids and the frame) to bytes for Kafka. */
  @Benchmark
  public byte[] deliveryRecordToBytes() {
    return serializer.serialize(topic, delivery);
  }

  /** The gateway: a delivery record from Kafka's bytes, as its delivery consumer reads it. */
  @Benchmark
  public Delivery deliveryRecordFromBytes() {
    return deserializer.deserialize(topic, deliveryBytes);
  }

  /** The gateway: the frame's JSON into one pooled buffer, once per delivery. */
  @Benchmark
  public int frameJsonToByteBuf() {
    ByteBuf encoded = ByteBufUtil.writeUtf8(allocator, frameJson);
    int length = encoded.readableBytes();
    encoded.release();
    return length;
  }

  /**
   * The gateway's fan-out without sockets, reported per recipient: the buffer encoded once, then
   * for each of 1000 recipients a retained duplicate wrapped in a text frame, released again as a
   * completed write would release it.
   */
  @Benchmark
  @OperationsPerInvocation(FAN_OUT)
  public void fanOutPerRecipient(Blackhole bh) {
    ByteBuf encoded = ByteBufUtil.writeUtf8(allocator, frameJson);
    try {
      for (int i = 0; i < FAN_OUT; i++) {
        TextWebSocketFrame perRecipient = new TextWebSocketFrame(encoded.retainedDuplicate());
        bh.consume(perRecipient);
        perRecipient.release();
      }
    } finally {
      encoded.release();
    }
  }
}
