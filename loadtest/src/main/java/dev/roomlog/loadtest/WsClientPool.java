package dev.roomlog.loadtest;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Many client WebSockets from one process: one event-loop group (NIO, a thread per core) serves
 * them all, no thread per connection. Connections are opened on an open loop at a bounded rate,
 * each from the next of the {@link SourceAddresses}.
 *
 * <p>{@link #open} is called by one thread at a time; {@link #close} closes every connection the
 * pool ever opened and stops the event loops.
 */
final class WsClientPool implements AutoCloseable {
  /** Large enough for a join answer that lists a thousand members and fifty messages. */
  static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

  /**
   * @param connectRate new connections per second
   * @param connectTimeout how long after the last connection was due the pool waits for all to be
   *     ready
   */
  /**
   * @param targets the server's gateways: connection {@code i} goes to {@code targets[i % size]}
   */
  record Settings(
      List<Target> targets,
      ChatProtocol protocol,
      int sourceAddresses,
      double connectRate,
      Duration connectTimeout,
      int ioThreads) {}

  private final Settings settings;
  private final ErrorCounts errors;
  private final EventLoopGroup group;
  private final Bootstrap bootstrap;
  private final List<InetSocketAddress> remotes = new ArrayList<>();
  private final SourceAddresses sources;
  private final List<URI> uris = new ArrayList<>();
  private final HttpHeaders headers = new DefaultHttpHeaders();
  private final ConcurrentLinkedQueue<WsConnection> opened = new ConcurrentLinkedQueue<>();

  WsClientPool(Settings settings, ErrorCounts errors) throws UnknownHostException {
    this.settings = settings;
    this.errors = errors;
    for (Target t : settings.targets()) {
      remotes.add(new InetSocketAddress(resolve(t.host()), t.port()));
      uris.add(settings.protocol().uri(t.host(), t.port()));
    }
    // Each source address has its own ephemeral ports towards each target: the first target's
    // kind (loopback or not) decides for all, as a benchmark's gateways run side by side.
    this.sources =
        SourceAddresses.forTarget(remotes.get(0).getAddress(), settings.sourceAddresses());
    settings.protocol().handshakeHeaders().forEach(headers::add);
    this.group = new MultiThreadIoEventLoopGroup(settings.ioThreads(), NioIoHandler.newFactory());
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            // Sockets we closed wait in TIME_WAIT; without this, a reconnect wave could find
            // their ports still taken.
            .option(ChannelOption.SO_REUSEADDR, true)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()));
  }

  /** IPv4 first: "localhost" must mean 127.0.0.1 for the source addresses to apply. */
  private static InetAddress resolve(String host) throws UnknownHostException {
    InetAddress[] all = InetAddress.getAllByName(host);
    for (InetAddress a : all) {
      if (a instanceof Inet4Address) {
        return a;
      }
    }
    return all[0];
  }

  boolean targetIsLoopback() {
    return remotes.get(0).getAddress().isLoopbackAddress();
  }

  int sourceAddressCount() {
    return sources.size();
  }

  /**
   * Opens {@code count} connections, one every {@code 1/connectRate} seconds whatever the earlier
   * ones are doing, and returns them in order once each is ready or has failed (failures are
   * counted by kind), waiting at most the connect timeout past the last one's due time.
   *
   * @param attempted called with each connection as its connect starts (before it is ready)
   */
  List<WsConnection> open(int count, ConnectionListener listener, Consumer<WsConnection> attempted)
      throws InterruptedException {
    List<WsConnection> connections = new ArrayList<>(count);
    OpenLoopSchedule schedule =
        new OpenLoopSchedule(System.nanoTime(), settings.connectRate(), count);
    OpenLoopSender.realTime()
        .run(
            schedule,
            (k, due) -> {
              WsConnection c = connect((int) k, due, listener);
              connections.add(c);
              attempted.accept(c);
            },
            () -> Thread.currentThread().isInterrupted());
    long deadline = System.nanoTime() + settings.connectTimeout().toNanos();
    for (WsConnection c : connections) {
      try {
        c.ready().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        c.failed("connect timeout", null);
        c.close();
      } catch (ExecutionException e) {
        // Counted by the connection when it failed.
      }
    }
    return connections;
  }

  private WsConnection connect(int index, long dueNanos, ConnectionListener listener) {
    WsConnection c = new WsConnection(index, dueNanos, settings.protocol(), listener, errors);
    opened.add(c);
    int target = Math.floorMod(index, remotes.size());
    InetSocketAddress remote = remotes.get(target);
    WebSocketClientHandshaker handshaker =
        WebSocketClientHandshakerFactory.newHandshaker(
            uris.get(target), WebSocketVersion.V13, null, false, headers, MAX_MESSAGE_BYTES);
    Bootstrap b =
        bootstrap.clone().handler(new WsClientInitializer(handshaker, c, MAX_MESSAGE_BYTES));
    InetAddress local = sources.forConnection(index);
    ChannelFuture f =
        local == null ? b.connect(remote) : b.connect(remote, new InetSocketAddress(local, 0));
    f.addListener(
        done -> {
          if (!done.isSuccess()) {
            c.connectFailed(done.cause());
          }
        });
    return c;
  }

  /** Closes every connection this pool opened, and waits (bounded) until they are closed. */
  void closeAll(Duration atMost) throws InterruptedException {
    long deadline = System.nanoTime() + atMost.toNanos();
    for (WsConnection c : opened) {
      c.close();
    }
    for (WsConnection c : opened) {
      if (c.ready().isCompletedExceptionally()) {
        continue;
      }
      try {
        c.closed().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (ExecutionException | TimeoutException e) {
        return;
      }
    }
  }

  /** Closes every connection and stops the event loops; an interrupt cuts the waits short. */
  @Override
  public void close() {
    try {
      closeAll(Duration.ofSeconds(5));
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      Thread.currentThread().interrupt();
    }
  }
}
