package dev.roomlog.gateway.connection;

import dev.roomlog.microbench.Samples;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link ConnectionRegistry#deliver} of one message frame to a room of 1000 members on this
 * gateway, reported per recipient: the JSON copied into one buffer, then per recipient the channel
 * lookup, the writability check, a retained duplicate in a text frame, {@code writeAndFlush}
 * through the server's WebSocket frame encoder, and a socket that takes the bytes at once.
 *
 * <p>What it leaves out: the channels are {@link EmbeddedChannel}s, whose event loop is the
 * caller's thread, so each write runs inline. In the gateway the delivery thread is not the
 * channel's event loop, and every {@code writeAndFlush} becomes a task handed to that loop; the
 * loadtest's fanout scenario measures that part.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ConnectionRegistryBenchmark {
  static final int RECIPIENTS = 1000;

  private final DiscardingSocket socket = new DiscardingSocket();
  private final List<EmbeddedChannel> channels = new ArrayList<>();
  private ConnectionRegistry registry;
  private List<String> connectionIds;
  private String frameJson;

  @Setup
  public void openConnections() {
    registry = new ConnectionRegistry();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < RECIPIENTS; i++) {
      // Outbound handlers run from the last to the first: the encoder, then the "socket".
      EmbeddedChannel channel = new EmbeddedChannel(socket, new WebSocket13FrameEncoder(false));
      String id = "conn-" + i;
      registry.register(id, channel);
      channels.add(channel);
      ids.add(id);
    }
    connectionIds = List.copyOf(ids);
    frameJson = Samples.messageFrame().toJson();
    registry.deliver(connectionIds, frameJson);
    if (registry.framesWritten() != RECIPIENTS || socket.frames != RECIPIENTS) {
      throw new IllegalStateException(
          "one delivery should write "
              + RECIPIENTS
              + " frames, wrote "
              + registry.framesWritten()
              + " and the sockets saw "
              + socket.frames);
    }
  }

  @TearDown
  public void closeConnections() {
    for (EmbeddedChannel channel : channels) {
      channel.finishAndReleaseAll();
    }
    channels.clear();
  }

  @Benchmark
  @OperationsPerInvocation(RECIPIENTS)
  public void deliverPerRecipient() {
    registry.deliver(connectionIds, frameJson);
  }

  /** A socket that takes every write whole at once: counts it and frees its buffer. */
  @ChannelHandler.Sharable
  static final class DiscardingSocket extends ChannelOutboundHandlerAdapter {
    // Written by the benchmark thread only: the embedded channels run on the caller's thread.
    long frames;
    long bytes;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof ByteBuf buf) {
        bytes += buf.readableBytes();
      }
      frames++;
      ReferenceCountUtil.release(msg);
      promise.setSuccess();
    }
  }
}
