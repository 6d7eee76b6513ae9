package dev.roomlog.gateway.management;

import dev.roomlog.gateway.tls.ServerTls;
import dev.roomlog.gateway.tls.TlsFailureHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's management API on a port of its own ({@code roomlog.gateway.adminPort}), kept apart
 * from the WebSocket port so that it can listen on an internal address only, and so its bodies (up
 * to 128 KiB) never meet the handshake's limits.
 *
 * <p>Pipeline: HTTP codec, a 60 s read timeout for idle keep-alive sockets, {@link
 * ManagementHeadHandler} (refuses from the head alone: path, key, declared length), an aggregator
 * that refuses a chunked body past {@link #MAX_AGGREGATED_BYTES} with Netty's own 413, and {@link
 * ManagementHandler}. At most {@link #MAX_CONNECTIONS} sockets at once. With TLS, an {@code
 * SslHandler} goes first (the WebSocket port's context, reloaded with it), bounded by its own
 * {@link #TLS_HANDSHAKE_TIMEOUT}, and a failed TLS handshake closes the socket quietly.
 */
public final class ManagementServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ManagementServer.class);

  /** The largest body read: the largest any route takes ({@link ManagementApi#MAX_SEND_BYTES}). */
  static final int MAX_AGGREGATED_BYTES = ManagementApi.MAX_SEND_BYTES;

  /** Sockets open at once, at most; one more is closed at once. */
  public static final int MAX_CONNECTIONS = 256;

  /** How long a socket may take to finish TLS; the read timeout only starts after it. */
  static final Duration TLS_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

  private final String bindHost;
  private final int port;
  private final ManagementApi api;
  private final Supplier<SslContext> tls;
  private EventLoopGroup group;
  private Channel serverChannel;
  private final AtomicInteger open = new AtomicInteger();
  private Supplier<ChannelHandler> pages;

  /**
   * @param tls the TLS context for a socket accepted now; null for plain HTTP
   */
  public ManagementServer(String bindHost, int port, ManagementApi api, Supplier<SslContext> tls) {
    this.bindHost = Objects.requireNonNull(bindHost, "bindHost");
    this.port = port;
    this.api = Objects.requireNonNull(api, "api");
    this.tls = tls;
  }

  /**
   * Serves a page site (the inspector) beside the API: {@code pages} makes a handler for each
   * socket, put before the API's key check (the pages hold no data; what they show, they fetch from
   * the API with the admin key).
   */
  public ManagementServer withPages(Supplier<ChannelHandler> pages) {
    this.pages = pages;
    return this;
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
                    if (open.incrementAndGet() > MAX_CONNECTIONS) {
                      open.decrementAndGet();
                      log.warn(
                          "management API: {} sockets open already, closing one from {}",
                          MAX_CONNECTIONS,
                          ch.remoteAddress());
                      ch.close();
                      return;
                    }
                    ch.closeFuture().addListener(closed -> open.decrementAndGet());
                    if (tls != null) {
                      ch.pipeline()
                          .addLast(
                              "tls",
                              ServerTls.newHandler(tls.get(), ch.alloc(), TLS_HANDSHAKE_TIMEOUT))
                          .addLast("tlsFailures", new TlsFailureHandler(() -> {}));
                    }
                    ch.pipeline().addLast("http", new HttpServerCodec());
                    if (pages != null) {
                      ch.pipeline().addLast("pages", pages.get());
                    }
                    ch.pipeline()
                        .addLast("idle", new ReadTimeoutHandler(60))
                        .addLast("headGuard", new ManagementHeadHandler(api))
                        .addLast("aggregator", new HttpObjectAggregator(MAX_AGGREGATED_BYTES))
                        .addLast("api", new ManagementHandler(api));
                  }
                });
    try {
      serverChannel = bootstrap.bind(bindHost, port).syncUninterruptibly().channel();
    } catch (RuntimeException e) {
      group.shutdownGracefully();
      throw new IllegalStateException(
          "cannot listen on "
              + bindHost
              + ":"
              + port
              + " for the management API (roomlog.gateway.adminPort): "
              + e.getMessage(),
          e);
    }
    log.info(
        "management API listening on {}:{}{}", bindHost, port(), tls != null ? " (https)" : "");
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
