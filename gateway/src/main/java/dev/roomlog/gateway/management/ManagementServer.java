package dev.roomlog.gateway.management;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.net.InetSocketAddress;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's management API on a port of its own ({@code roomlog.gateway.adminPort}), kept
 * apart from the WebSocket port so that it can listen on an internal address only, and so its
 * bodies (up to 128 KiB) never meet the handshake's limits.
 *
 * <p>Pipeline: HTTP codec, a 60 s read timeout for idle keep-alive sockets, an aggregator that
 * refuses bodies past {@link #MAX_AGGREGATED_BYTES} with Netty's own 413 (the API's exact limits,
 * with JSON errors, are below that), and {@link ManagementHandler}.
 */
public final class ManagementServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ManagementServer.class);

  static final int MAX_AGGREGATED_BYTES = 1024 * 1024;

  private final String bindHost;
  private final int port;
  private final ManagementApi api;
  private EventLoopGroup group;
  private Channel serverChannel;

  public ManagementServer(String bindHost, int port, ManagementApi api) {
    this.bindHost = Objects.requireNonNull(bindHost, "bindHost");
    this.port = port;
    this.api = Objects.requireNonNull(api, "api");
  }

  public synchronized void start() {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast("http", new HttpServerCodec())
                        .addLast("idle", new ReadTimeoutHandler(60))
                        .addLast("aggregator", new HttpObjectAggregator(MAX_AGGREGATED_BYTES))
                        .addLast("api", new ManagementHandler(api));
                  }
                });
    try {
      serverChannel = bootstrap.bind(bindHost, port).syncUninterruptibly().channel();
    } catch (RuntimeException e) {
      group.shutdownGracefully();
      throw new IllegalStateException(
          "cannot listen on " + bindHost + ":" + port + " for the management API (roomlog.gateway.adminPort): " + e.getMessage(), e);
    }
    log.info("management API listening on {}:{}", bindHost, port());
  }

  /** The port it listens on (the real one when configured with 0). */
  public synchronized int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  @Override
  public synchronized void close() {
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
      serverChannel = null;
    }
    if (group != null) {
      group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
      group = null;
    }
  }
}
