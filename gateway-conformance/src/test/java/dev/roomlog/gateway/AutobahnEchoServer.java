package dev.roomlog.gateway;

import dev.roomlog.gateway.connection.ActionFrameHandler;
import dev.roomlog.gateway.settings.GatewaySettings;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetAddress;
import java.util.Set;

/**
 * The echo endpoint the autobahn fuzzingclient tests: the gateway's own HTTP codec, WebSocket
 * protocol configuration, message aggregation and close codes for protocol errors ({@link
 * GatewayInitializer#webSocketConfig} and {@link GatewayInitializer#addWebSocketCodec}), with
 * {@link EchoFrameHandler} where the gateway has {@link ActionFrameHandler}, and without the {@code
 * x-api-key} check, which the fuzzingclient cannot pass.
 *
 * <p>Lifecycle: autobahntestsuite-maven-plugin calls {@link #main} with the port on a thread of
 * Maven's own JVM and interrupts that thread when the suite is done, so {@code main} blocks until
 * it is interrupted and then stops its event loops.
 */
public final class AutobahnEchoServer {
  /**
   * The gateway's default 32 KiB frame limit would close cases 1.1.6-1.1.8 and 1.2.6-1.2.8 (single
   * frames of 65535 and 65536 bytes) with 1009, as documented. Raised to the largest frame of the
   * cases that expect an echo, so that those cases test our echo path rather than our limit, which
   * GatewayPipelineTest covers. The message limit stays at the gateway's default (case 7.1.6 sends
   * 256 KiB, gets 1009 and is informational only).
   */
  static final int MAX_FRAME_PAYLOAD_BYTES = 64 * 1024;

  private AutobahnEchoServer() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: AutobahnEchoServer PORT");
    }
    int port = Integer.parseInt(args[0]);
    GatewaySettings settings =
        // The key is never checked (no HandshakeHandler here) but settings require one.
        GatewaySettings.of(Set.of("unused"), "autobahn")
            .withMessageLimits(MAX_FRAME_PAYLOAD_BYTES, GatewaySettings.DEFAULT_MAX_MESSAGE_BYTES);

    // The plugin connects to ws://<InetAddress.getLocalHost()>:port (127.0.0.1 on our machines),
    // so that is the one address to listen on.
    InetAddress address = InetAddress.getLocalHost();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    try {
      Channel server =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              // As GatewayServer: without it the many small frames of the suite wait on Nagle.
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                      GatewayInitializer.addWebSocketCodec(channel.pipeline(), settings, null);
                      channel.pipeline().addLast("echo", new EchoFrameHandler());
                    }
                  })
              .bind(address, port)
              .sync()
              .channel();
      System.out.println(
          "autobahn echo server on ws://" + address.getHostAddress() + ":" + port + "/");
      server.closeFuture().sync();
    } finally {
      group.shutdownGracefully();
    }
  }
}
