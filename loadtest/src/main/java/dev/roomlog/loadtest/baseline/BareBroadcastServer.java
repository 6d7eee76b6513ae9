package dev.roomlog.loadtest.baseline;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A BASELINE, not Roomlog: a bare Netty WebSocket broadcast server with no Kafka, the ceiling for
 * fan-out. It speaks the part of Roomlog's protocol the load generator uses (createRoom, joinRoom,
 * sendMessage; the {@code connected}, {@code roomCreated}, {@code joined}, {@code memberJoined},
 * {@code message} and {@code error} frames) with rooms in memory, and writes each message the way
 * Roomlog's gateway does: encoded once, a retained duplicate per member, a slow reader cut off with
 * 1013. What it leaves out is the log, so the gap between it and Roomlog is the price of
 * durability. It keeps nothing: no history, no resume, rooms gone when it stops.
 *
 * <p>Run it as {@code BareBroadcastServer --port 8091 --bind 127.0.0.1}; it prints {@code
 * bare-netty baseline listening on ws://HOST:PORT/} when it accepts connections, and stops on
 * SIGTERM / Ctrl-C. Or start it in-process with {@link #start(String, int)} and {@link #close()}.
 *
 * <p>Same transport settings as the gateway: NIO event loops (one acceptor, Netty's default number
 * of workers), TCP_NODELAY, and a 1 MiB write-buffer high-water mark per connection.
 */
@Command(
    name = "bare-broadcast-server",
    mixinStandardHelpOptions = true,
    version = "roomlog bare-netty baseline 0.1.0",
    description =
        "Baseline for Roomlog's benchmarks: a bare Netty WebSocket broadcast server with no Kafka"
            + " (rooms in memory), speaking the subset of Roomlog's protocol the load generator"
            + " uses.")
public final class BareBroadcastServer implements Callable<Integer>, AutoCloseable {
  /** The per-connection outbound limit, as the gateway's default maxOutboundBytesPerConnection. */
  static final int MAX_OUTBOUND_BYTES = 1024 * 1024;

  static final String READY = "bare-netty baseline listening on ";

  @Option(
      names = "--port",
      defaultValue = "8091",
      description = "Port to listen on; 0 picks a free one (default ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--bind",
      defaultValue = "127.0.0.1",
      description = "Address to listen on (default ${DEFAULT-VALUE}, loopback only).")
  String bind;

  private final BareRooms rooms = new BareRooms(Clock.systemUTC());
  private final CountDownLatch stopped = new CountDownLatch(1);
  private EventLoopGroup bossGroup;
  private EventLoopGroup workerGroup;
  private Channel serverChannel;

  private BareBroadcastServer() {}

  public static void main(String[] args) {
    CommandLine commandLine = new CommandLine(new BareBroadcastServer());
    // A bad flag or a port in use: say so in one line, no stack trace.
    commandLine.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
            cmd.getErr().println("bare-broadcast-server: " + e.getMessage());
            return 2;
          }
          throw e;
        });
    int exit = commandLine.execute(args);
    if (exit != 0) {
      System.exit(exit);
    }
  }

  /**
   * Starts a server listening on {@code bind:port} (port 0: a free one) and returns once it accepts
   * connections.
   *
   * @throws IllegalStateException if the address cannot be bound
   */
  public static BareBroadcastServer start(String bind, int port) {
    BareBroadcastServer server = new BareBroadcastServer();
    server.bind = bind;
    server.port = port;
    server.listen();
    return server;
  }

  /** Runs until SIGTERM / Ctrl-C. */
  @Override
  public Integer call() throws InterruptedException {
    listen();
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, "bare-broadcast-stop"));
    System.out.println(READY + "ws://" + bind + ":" + port() + "/");
    System.out.flush();
    stopped.await();
    return 0;
  }

  private synchronized void listen() {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be 0..65535, got " + port);
    }
    bossGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    workerGroup = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(bossGroup, workerGroup)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(MAX_OUTBOUND_BYTES / 2, MAX_OUTBOUND_BYTES))
            .childHandler(new BareBroadcastInitializer(rooms));
    try {
      serverChannel = bootstrap.bind(bind, port).syncUninterruptibly().channel();
    } catch (RuntimeException e) {
      shutdownGroups();
      throw new IllegalStateException(
          "cannot listen on " + bind + ":" + port + " (--bind, --port): " + e.getMessage(), e);
    }
  }

  /** The port it listens on (the real one when started with port 0). */
  public synchronized int port() {
    if (serverChannel == null) {
      throw new IllegalStateException("the baseline server is not started");
    }
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /** Frames written to sockets so far (replies and deliveries). */
  public long framesWritten() {
    return rooms.framesWritten();
  }

  /** Connections closed with 1013 because they did not read fast enough. */
  public long slowClientsCut() {
    return rooms.slowClientsCut();
  }

  BareRooms rooms() {
    return rooms;
  }

  /** Stops accepting, drops every connection, and stops the event loops. Idempotent. */
  @Override
  public synchronized void close() {
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
      serverChannel = null;
    }
    shutdownGroups();
    stopped.countDown();
  }

  private void shutdownGroups() {
    if (bossGroup != null) {
      bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      bossGroup = null;
    }
    if (workerGroup != null) {
      workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      workerGroup = null;
    }
  }
}
