package dev.roomlog.loadtest;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;

/** Assembles one client connection's pipeline; nothing else. */
final class WsClientInitializer extends ChannelInitializer<SocketChannel> {
  /** The upgrade response, body included (a refusal carries a one-line text). */
  private static final int MAX_HANDSHAKE_RESPONSE_BYTES = 64 * 1024;

  private final WebSocketClientHandshaker handshaker;
  private final WsConnection connection;
  private final int maxMessageBytes;

  WsClientInitializer(
      WebSocketClientHandshaker handshaker, WsConnection connection, int maxMessageBytes) {
    this.handshaker = handshaker;
    this.connection = connection;
    this.maxMessageBytes = maxMessageBytes;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ch.pipeline()
        .addLast("http", new HttpClientCodec())
        .addLast("http-aggregator", new HttpObjectAggregator(MAX_HANDSHAKE_RESPONSE_BYTES))
        .addLast("ws", new WsClientHandler(handshaker, connection, maxMessageBytes));
  }
}
