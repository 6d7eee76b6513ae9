package dev.roomlog.gateway.connection;

import dev.roomlog.gateway.handshake.HandshakeAttributes;
import dev.roomlog.gateway.limits.AnswerBudget;
import dev.roomlog.gateway.metrics.GatewayMetrics;
import dev.roomlog.gateway.settings.ApiKey;
import dev.roomlog.protocol.control.ConnectionInfo;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.AttributeKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open WebSocket connections of this gateway node, by connectionId, and the way frames from the
 * delivery consumer reach them.
 *
 * <p>Threading: every method may be called from any thread. Channels are registered by their event
 * loop after the handshake and unregistered when they close; {@link #deliver} runs on the delivery
 * consumer's thread and relies on {@code writeAndFlush} being thread-safe.
 *
 * <p>Each frame that answers a recipient's own request ({@link FrameAnswers}) ends one of that
 * connection's unanswered actions ({@code UnansweredActions}) as it is handed over, and the larger
 * ones are charged to its answers' budget ({@link AnswerBudget}), so that what a client makes the
 * server send, and what it has the processor do, count in its limits, not only what it sends.
 *
 * <p>Policy: a frame for a connectionId that is not (or no longer) here is skipped and counted: the
 * socket is gone and the client will resume by seq. A client that lets more than the channel's
 * write-buffer high-water mark pile up is cut off with close 1013 (try again later), so one slow
 * reader cannot grow the gateway's memory without bound.
 */
public final class ConnectionRegistry implements GatewayMetrics.ConnectionCounts {
  private static final Logger log = LoggerFactory.getLogger(ConnectionRegistry.class);
  public static final String SLOW_CLIENT_REASON =
      "too slow: reconnect and resume from your last seq";
  static final String SHUTDOWN_REASON = "gateway shutting down";
  private static final AttributeKey<Boolean> CUT_OFF = AttributeKey.valueOf("roomlog.cutOff");

  static final String DELETED_REASON = "closed by the server";

  private final Map<String, Channel> channels = new ConcurrentHashMap<>();

  /** Management requests waiting for the processor's answer, by the id they gave the log. */
  private final Map<String, Consumer<String>> listeners = new ConcurrentHashMap<>();

  private final ByteBufAllocator allocator;
  private final LongAdder framesWritten = new LongAdder();
  private final LongAdder unknownRecipients = new LongAdder();
  private final LongAdder slowClientsCut = new LongAdder();

  public ConnectionRegistry() {
    this(ByteBufAllocator.DEFAULT);
  }

  ConnectionRegistry(ByteBufAllocator allocator) {
    this.allocator = Objects.requireNonNull(allocator, "allocator");
  }

  void register(String connectionId, Channel channel) {
    Channel previous = channels.putIfAbsent(connectionId, channel);
    if (previous != null) {
      throw new IllegalStateException("connectionId " + connectionId + " is already registered");
    }
  }

  void unregister(String connectionId) {
    channels.remove(connectionId);
  }

  /**
   * Writes one frame to every listed connection that is open here. The JSON is encoded once; each
   * recipient gets a retained duplicate of the same bytes. Matches delivery's {@code
   * ConnectionSink}, so the server can pass {@code registry::deliver}.
   */
  public void deliver(List<String> connectionIds, String frameJson) {
    deliver(connectionIds, frameJson, FrameAnswers.of(frameJson));
  }

  /** As {@link #deliver(List, String)}; {@code answers}: whose actions it answers. */
  private void deliver(List<String> connectionIds, String frameJson, FrameAnswers answers) {
    ByteBuf encoded = ByteBufUtil.writeUtf8(allocator, frameJson);
    try {
      // One task per event loop, not one per recipient: a frame for a room of 1000 would
      // otherwise cost 1000 cross-thread handoffs and 1000 separate flushes.
      Map<EventLoop, List<Recipient>> byLoop = new HashMap<>();
      for (String connectionId : connectionIds) {
        Channel channel = channels.get(connectionId);
        if (channel == null) {
          Consumer<String> listener = listeners.get(connectionId);
          if (listener != null) {
            listener.accept(frameJson);
          } else {
            unknownRecipients.increment();
          }
          continue;
        }
        if (answers.answers(connectionId)) {
          Connection connection = channel.attr(ConnectionAttributes.CONNECTION).get();
          if (connection != null) {
            connection.answered(answers.charged() ? encoded.readableBytes() : 0);
          }
        }
        byLoop
            .computeIfAbsent(channel.eventLoop(), loop -> new ArrayList<>())
            .add(new Recipient(connectionId, channel));
      }
      for (Map.Entry<EventLoop, List<Recipient>> entry : byLoop.entrySet()) {
        writeOnLoop(entry.getKey(), entry.getValue(), encoded.retainedDuplicate());
      }
    } finally {
      encoded.release();
    }
  }

  private record Recipient(String connectionId, Channel channel) {}

  /**
   * Whether a frame from the processor counts in its recipients' answers' budget: see {@link
   * FrameAnswers#charged}.
   */
  static boolean isAnswer(String frameJson) {
    return FrameAnswers.of(frameJson).charged();
  }

  /**
   * Writes one frame to each recipient and then flushes them, on their event loop; owns {@code
   * frame}.
   */
  private void writeOnLoop(EventLoop loop, List<Recipient> recipients, ByteBuf frame) {
    Runnable write =
        () -> {
          try {
            for (Recipient r : recipients) {
              if (!r.channel().isWritable()) {
                if (r.channel().isActive()) {
                  cutOffSlowClient(r.connectionId(), r.channel());
                }
                continue;
              }
              r.channel()
                  .write(
                      new TextWebSocketFrame(frame.retainedDuplicate()), r.channel().voidPromise());
              framesWritten.increment();
            }
            for (Recipient r : recipients) {
              r.channel().flush();
            }
          } finally {
            frame.release();
          }
        };
    if (loop.inEventLoop()) {
      write.run();
      return;
    }
    try {
      loop.execute(write);
    } catch (RejectedExecutionException e) {
      // The loop is shutting down with its channels: nobody is left to read the frame.
      frame.release();
    }
  }

  /**
   * Hands every frame addressed to {@code requestId} to {@code frames} (on the delivery thread)
   * until {@link #stopListening}: how a management request that went through the log, such as a
   * server post, gets the processor's answer. {@code requestId} must be a connection id of this
   * gateway that no socket has.
   */
  public void listen(String requestId, Consumer<String> frames) {
    if (channels.containsKey(requestId) || listeners.putIfAbsent(requestId, frames) != null) {
      throw new IllegalStateException(requestId + " is already in use");
    }
  }

  public void stopListening(String requestId) {
    listeners.remove(requestId);
  }

  /** The open connection {@code connectionId} of this node, described; empty if it is not open. */
  public Optional<ConnectionInfo> info(String connectionId) {
    Channel channel = channels.get(connectionId);
    if (channel == null || !channel.isActive()) {
      return Optional.empty();
    }
    Connection connection = channel.attr(ConnectionAttributes.CONNECTION).get();
    if (connection == null) {
      return Optional.empty();
    }
    ApiKey key = channel.attr(HandshakeAttributes.API_KEY).get();
    return Optional.of(
        connection.info(
            channel.attr(HandshakeAttributes.USER_AGENT).get(), key == null ? null : key.name()));
  }

  /**
   * Sends {@code text} to the connection as one text frame, as a delivery is sent (a client that
   * does not read is cut off with 1013 instead).
   *
   * @return false if the connection is not open here (the frame went nowhere)
   */
  public boolean send(String connectionId, String text) {
    Channel channel = channels.get(connectionId);
    if (channel == null || !channel.isActive()) {
      return false;
    }
    if (!channel.isWritable() || channel.attr(CUT_OFF).get() != null) {
      // It is (being) cut off for not reading: the frame would be dropped, so it is gone.
      cutOffSlowClient(connectionId, channel);
      return false;
    }
    // A backend's frame: not the client's doing, so not charged to it.
    deliver(List.of(connectionId), text, FrameAnswers.NONE);
    return true;
  }

  /**
   * Closes the connection with 1000 and {@link #DELETED_REASON}; its {@code $disconnect} follows as
   * for any close.
   *
   * @return false if the connection is not open here
   */
  public boolean disconnect(String connectionId) {
    Channel channel = channels.get(connectionId);
    if (channel == null || !channel.isActive()) {
      return false;
    }
    log.info("connection {} closed through the management API", connectionId);
    // LingeringCloseHandler keeps the socket until the client answers, or closeTimeout.
    channel.writeAndFlush(
        new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE, DELETED_REASON));
    channel.close();
    return true;
  }

  /** How many connections are open on this node. */
  public int size() {
    return channels.size();
  }

  /** Frames handed to sockets by {@link #deliver}. */
  public long framesWritten() {
    return framesWritten.sum();
  }

  /** Recipients skipped by {@link #deliver} because their socket was gone. */
  public long unknownRecipients() {
    return unknownRecipients.sum();
  }

  /** Connections closed with 1013 because they did not read fast enough. */
  public long slowClientsCut() {
    return slowClientsCut.sum();
  }

  /**
   * Sends close 1001 to every open connection, closes it, and waits (at most {@code timeout}) until
   * all are closed, so that their {@code $disconnect} records have been handed to the WAL appender
   * when this returns. Each socket closes when its client answers the close frame, or at the
   * gateway's {@code closeTimeout}.
   *
   * @return true if every connection closed in time
   */
  public boolean closeAll(Duration timeout) {
    List<ChannelFuture> closing = new ArrayList<>();
    for (Channel channel : channels.values()) {
      channel.writeAndFlush(
          new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE, SHUTDOWN_REASON));
      closing.add(channel.close());
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean allClosed = true;
    for (ChannelFuture future : closing) {
      long left = Math.max(0, deadline - System.nanoTime());
      allClosed &= future.awaitUninterruptibly(left, TimeUnit.NANOSECONDS);
    }
    return allClosed;
  }

  /**
   * Sends {@code status} with {@code reason} to every open connection {@code which} picks, and
   * closes it (each one's {@code $disconnect} follows as usual). Used when the IP rules change
   * under live connections. May be called from any thread; {@code which} runs on the caller's.
   *
   * @return how many connections were closed
   */
  public int closeMatching(Predicate<Channel> which, WebSocketCloseStatus status, String reason) {
    int closed = 0;
    for (Channel channel : channels.values()) {
      if (which.test(channel)) {
        channel.writeAndFlush(new CloseWebSocketFrame(status, reason));
        channel.close();
        closed++;
      }
    }
    return closed;
  }

  /**
   * Closes a client that lets its frames pile up with 1013, and counts it. Once per channel:
   * deliveries (on the delivery thread), {@link SlowReaderHandler} and {@link PingRateHandler} (on
   * the event loop) may all find the same client stuck.
   */
  void cutOffSlowClient(String who, Channel channel) {
    if (channel.attr(ConnectionAttributes.CLOSING).get() != null) {
      return; // its close frame is out: it only looks unwritable (output shut down), and is closing
    }
    if (channel.attr(CUT_OFF).setIfAbsent(Boolean.TRUE) != null) {
      return;
    }
    slowClientsCut.increment();
    log.info("connection {} does not read its frames: closing it with 1013", who);
    // The close frame is queued behind what the client has not read yet: a slow client gets it,
    // and one that reads nothing at all never will, so LingeringCloseHandler closes the socket
    // at closeTimeout either way. Meanwhile nothing more is written to it (CUT_OFF), so its
    // memory stays at the cap.
    channel.writeAndFlush(
        new CloseWebSocketFrame(WebSocketCloseStatus.TRY_AGAIN_LATER, SLOW_CLIENT_REASON));
    channel.close();
  }
}
