package dev.roomlog.loadtest.baseline;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;

/**
 * Assembles the pipeline of one baseline connection; nothing else: {@code http}, {@code
 * httpAggregator}, {@code webSocket}, {@code messageAggregator}, {@code rooms}. The WebSocket
 * limits are Roomlog's defaults; permessage-deflate is not offered (Roomlog's default too). Any
 * path and any headers are accepted, {@code x-api-key} included.
 */
final class BareBroadcastInitializer extends ChannelInitializer<Channel> {
  static final int MAX_FRAME_PAYLOAD_BYTES = 32 * 1024;
  static final int MAX_MESSAGE_BYTES = 128 * 1024;
  private static final int MAX_HTTP_BODY_BYTES = 8 * 1024;

  private static final WebSocketServerProtocolConfig WEB_SOCKET =
      WebSocketServerProtocolConfig.newBuilder()
          .websocketPath("/")
          .checkStartsWith(true)
          .maxFramePayloadLength(MAX_FRAME_PAYLOAD_BYTES)
          .handshakeTimeoutMillis(10_000)
          .allowExtensions(false)
          .build();

  private final BareRooms rooms;

  BareBroadcastInitializer(BareRooms rooms) {
    this.rooms = rooms;
  }

  @Override
  protected void initChannel(Channel channel) {
    ChannelPipeline pipeline = channel.pipeline();
    pipeline.addLast("http", new HttpServerCodec());
    pipeline.addLast("httpAggregator", new HttpObjectAggregator(MAX_HTTP_BODY_BYTES));
    pipeline.addLast("webSocket", new WebSocketServerProtocolHandler(WEB_SOCKET));
    pipeline.addLast("messageAggregator", new WebSocketFrameAggregator(MAX_MESSAGE_BYTES));
    pipeline.addLast("rooms", new BareBroadcastHandler(rooms));
  }
}
