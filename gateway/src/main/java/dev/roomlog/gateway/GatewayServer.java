package dev.roomlog.gateway;

import dev.roomlog.gateway.auth.TokenVerifier;
import dev.roomlog.gateway.cluster.GatewayHeartbeat;
import dev.roomlog.gateway.connection.ActionIntake;
import dev.roomlog.gateway.connection.Connection;
import dev.roomlog.gateway.connection.ConnectionRegistry;
import dev.roomlog.gateway.handshake.HandshakeAttributes;
import dev.roomlog.gateway.handshake.HandshakePolicy;
import dev.roomlog.gateway.ipfilter.IpRules;
import dev.roomlog.gateway.ipfilter.IpRulesWatcher;
import dev.roomlog.gateway.limits.ConnectionLimiter;
import dev.roomlog.gateway.management.RoomPoster;
import dev.roomlog.gateway.metrics.GatewayMetrics;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.gateway.tls.TlsContextWatcher;
import dev.roomlog.gateway.wal.KafkaWalAppender;
import dev.roomlog.gateway.wal.WalAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's WebSocket server: binds, accepts connections, closes. The pipeline is built by
 * {@link GatewayInitializer}; what happens to each message is decided by {@link Connection}.
 *
 * <p>Lifecycle, in this order:
 *
 * <ol>
 *   <li>start the {@link WalAppender} (e.g. {@link KafkaWalAppender#start()}), and the delivery
 *       consumer with {@code registry::deliver} as its sink;
 *   <li>{@link #start()}: binds and returns; {@link #port()} is then the bound port;
 *   <li>{@link #close()}: stops accepting, closes every connection with 1001 and waits for it, so
 *       that each one's {@code $disconnect} has been handed to the appender, then stops the event
 *       loops;
 *   <li>then close the delivery consumer, and last the appender, which flushes the {@code
 *       $disconnect} records to Kafka.
 * </ol>
 *
 * <p>Closing the appender before this server would lose the {@code $disconnect} records and leave
 * ghost members in rooms.
 *
 * <p>With an IP rules file, {@link #start()} reads it (a bad file fails start-up) and a thread
 * named {@code roomlog-ip-rules} re-reads it when it changes, every {@code ipRulesReloadInterval};
 * connections whose source IP the new rules refuse are closed with 1008. {@link #close()} stops
 * that thread first.
 *
 * <p>With {@code tlsCertFile} and {@code tlsKeyFile}, {@link #start()} reads them (a bad pair fails
 * start-up) and the port speaks TLS only; a thread named {@code roomlog-tls-reload} rebuilds the
 * TLS context when either file changes, every {@code tlsReloadInterval}, for new connections
 * ({@link #tls()}, which the management API shares).
 */
public final class GatewayServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GatewayServer.class);
  private static final Duration CLOSE_CONNECTIONS_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);

  private final GatewaySettings settings;
  private final ConnectionRegistry registry;
  private final WalAppender wal;
  private final ActionIntake intake;
  private final Supplier<String> scrape;
  private EventLoopGroup bossGroup;
  private EventLoopGroup workerGroup;
  private Channel serverChannel;
  private boolean closed;
  private IpRulesWatcher ipRulesWatcher;

  /** Set by {@link #start()}; read by the readiness gauge on a scrape's thread. */
  private volatile HandshakePolicy handshakePolicy;

  private ScheduledExecutorService ipRulesScheduler;
  private TlsContextWatcher tlsWatcher;
  private ScheduledExecutorService tlsScheduler;

  /** A server whose meters nobody reads, with no {@code /metrics}. */
  public GatewayServer(
      GatewaySettings settings, WalAppender wal, ConnectionRegistry registry, Clock clock) {
    this(settings, wal, registry, clock, new GatewayMetrics(new SimpleMeterRegistry()), null);
  }

  /**
   * @param metrics where this node's meters go (connections, handshakes, actions...)
   * @param scrape the answer to {@code GET /metrics} on the WebSocket port, in Prometheus' text
   *     format (e.g. {@code PrometheusMeterRegistry::scrape}); null answers that path 404
   */
  public GatewayServer(
      GatewaySettings settings,
      WalAppender wal,
      ConnectionRegistry registry,
      Clock clock,
      GatewayMetrics metrics,
      Supplier<String> scrape) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.wal = Objects.requireNonNull(wal, "wal");
    this.scrape = scrape;
    this.intake =
        new ActionIntake(
            settings,
            wal,
            Objects.requireNonNull(clock, "clock"),
            Ids::newId,
            Objects.requireNonNull(metrics, "metrics"));
    metrics.bindConnections(registry);
    // As /readyz: the log takes new connections and the node has room for one more.
    metrics.bindIntake(
        intake,
        () -> {
          HandshakePolicy policy = handshakePolicy;
          return wal.acceptingConnections() && (policy == null || !policy.limiter().isFull());
        });
  }

  /**
   * Binds to {@code bindHost:port} and returns once the socket accepts connections.
   *
   * @throws IllegalStateException if already started, or if the address cannot be bound
   */
  public synchronized void start() {
    if (serverChannel != null) {
      throw new IllegalStateException("the gateway server was already started");
    }
    startTls();
    // One verifier for the node: its handshakes, and its connections' refreshes.
    TokenVerifier tokens = TokenVerifier.fromSettings(settings, intake.clock());
    handshakePolicy =
        HandshakePolicy.create(
            settings, tokens, startIpRules(), wal::acceptingConnections, intake.clock());
    bossGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    workerGroup = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    int highWaterMark = settings.maxOutboundBytesPerConnection();
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(bossGroup, workerGroup)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(highWaterMark / 2, highWaterMark))
            .childHandler(
                new GatewayInitializer(
                    settings, intake, registry, handshakePolicy, tokens, scrape, tlsWatcher));
    try {
      serverChannel =
          bootstrap.bind(settings.bindHost(), settings.port()).syncUninterruptibly().channel();
    } catch (RuntimeException e) {
      stopIpRules();
      stopTls();
      shutdownGroups();
      throw new IllegalStateException(
          "cannot listen on "
              + settings.bindHost()
              + ":"
              + settings.port()
              + " ("
              + GatewaySettings.BIND_HOST
              + ", "
              + GatewaySettings.PORT
              + "): "
              + e.getMessage(),
          e);
    }
    log.info(
        "gateway {} listening for WebSocket clients on {}:{}{}",
        settings.gatewayId(),
        settings.bindHost(),
        port(),
        tlsWatcher != null ? " (TLS: wss://)" : "");
  }

  /** The port the server listens on (the real one when configured with port 0). */
  public synchronized int port() {
    if (serverChannel == null) {
      throw new IllegalStateException("the gateway server is not started");
    }
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /**
   * A poster of server messages into rooms through this node's log and deliveries, answering within
   * {@code timeout}; {@code timers} runs its timeouts.
   */
  public RoomPoster roomPoster(ScheduledExecutorService timers, Duration timeout) {
    return new RoomPoster(intake, registry, timers, timeout);
  }

  /** The open connections of this node. */
  public ConnectionRegistry registry() {
    return registry;
  }

  /**
   * Stops accepting, closes every connection (each one's {@code $disconnect} is handed to the
   * appender) and stops the event loops, each step bounded. Does not close the appender.
   * Idempotent.
   */
  @Override
  public synchronized void close() {
    if (serverChannel == null || closed) {
      return;
    }
    closed = true;
    stopIpRules();
    stopTls();
    serverChannel.close().syncUninterruptibly();
    int open = registry.size();
    // Each socket waits up to closeTimeout for its client's close frame (LingeringCloseHandler).
    Duration closing = CLOSE_CONNECTIONS_TIMEOUT.plus(settings.closeTimeout());
    if (!registry.closeAll(closing)) {
      log.warn("not every connection closed within {}", closing);
    }
    shutdownGroups();
    log.info("gateway {} stopped; closed {} connections", settings.gatewayId(), open);
  }

  /**
   * This run of the gateway, stamped on every record it writes; a {@link GatewayHeartbeat} must
   * beat with it.
   */
  public String gatewayInstance() {
    return intake.gatewayInstance();
  }

  /** The open-connection counts behind the 503 refusals; null before {@link #start()}. */
  synchronized ConnectionLimiter connectionLimiter() {
    return handshakePolicy == null ? null : handshakePolicy.limiter();
  }

  /** The counts of sockets still in their handshake; null before {@link #start()}. */
  synchronized ConnectionLimiter pendingHandshakes() {
    return handshakePolicy == null ? null : handshakePolicy.pendingHandshakes();
  }

  /** The IP rules watcher, or null without a rules file; tests reload through it by hand. */
  synchronized IpRulesWatcher ipRulesWatcher() {
    return ipRulesWatcher;
  }

  /**
   * The TLS context for a socket accepted now, reloaded when the files change; null without TLS or
   * before {@link #start()}.
   */
  public synchronized Supplier<SslContext> tls() {
    return tlsWatcher;
  }

  /** The TLS watcher, or null without TLS; tests reload through it by hand. */
  synchronized TlsContextWatcher tlsWatcher() {
    return tlsWatcher;
  }

  private void startTls() {
    if (!settings.tls()) {
      return;
    }
    try {
      tlsWatcher = new TlsContextWatcher(settings.tlsCertFile(), settings.tlsKeyFile());
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          GatewaySettings.TLS_CERT_FILE
              + ", "
              + GatewaySettings.TLS_KEY_FILE
              + ": "
              + e.getMessage(),
          e);
    }
    tlsScheduler =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "roomlog-tls-reload");
              thread.setDaemon(true);
              return thread;
            });
    // Its own thread, not an event loop: reading the files blocks.
    tlsWatcher.start(tlsScheduler, settings.tlsReloadInterval());
  }

  private void stopTls() {
    if (tlsScheduler != null) {
      tlsScheduler.shutdownNow();
    }
  }

  private Supplier<IpRules> startIpRules() {
    if (settings.ipRulesFile() == null) {
      return () -> IpRules.NONE;
    }
    try {
      ipRulesWatcher = new IpRulesWatcher(settings.ipRulesFile(), this::closeRefusedConnections);
    } catch (RuntimeException e) {
      throw new IllegalStateException(GatewaySettings.IP_RULES_FILE + ": " + e.getMessage(), e);
    }
    ipRulesScheduler =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "roomlog-ip-rules");
              thread.setDaemon(true);
              return thread;
            });
    // Its own thread, not an event loop: reading the file blocks.
    ipRulesWatcher.start(ipRulesScheduler, settings.ipRulesReloadInterval());
    return ipRulesWatcher;
  }

  private void stopIpRules() {
    if (ipRulesScheduler != null) {
      ipRulesScheduler.shutdownNow();
    }
  }

  /** After a reload: connections admitted under the old rules must not outlive them. */
  private void closeRefusedConnections(IpRules rules) {
    int closedCount =
        registry.closeMatching(
            channel -> {
              String sourceIp = channel.attr(HandshakeAttributes.SOURCE_IP).get();
              return sourceIp != null && rules.refuses(sourceIp);
            },
            WebSocketCloseStatus.POLICY_VIOLATION,
            IpRules.REFUSED_CLOSE_REASON);
    if (closedCount > 0) {
      log.info("closed {} connections whose source IP the new IP rules refuse", closedCount);
    }
  }

  private void shutdownGroups() {
    long timeoutMillis = SHUTDOWN_TIMEOUT.toMillis();
    if (bossGroup != null) {
      bossGroup.shutdownGracefully(0, timeoutMillis, TimeUnit.MILLISECONDS);
    }
    if (workerGroup != null) {
      workerGroup
          .shutdownGracefully(0, timeoutMillis, TimeUnit.MILLISECONDS)
          .awaitUninterruptibly(timeoutMillis);
    }
  }
}
