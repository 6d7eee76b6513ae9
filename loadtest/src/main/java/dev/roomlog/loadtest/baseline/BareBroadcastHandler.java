package dev.roomlog.loadtest.baseline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thin edge between Netty and {@link BareRooms}: gives the connection its id and the {@code
 * connected} frame when the handshake completes, turns each request into a call on the rooms,
 * answers a refused one with an {@code error} frame, and takes the connection out of its rooms when
 * it closes. One instance per channel; runs on its event loop.
 *
 * <p>Speaks the part of Roomlog's protocol the load generator uses ({@code createRoom}, {@code
 * joinRoom}, {@code sendMessage}) with Roomlog's frames and error codes, but checks only that the
 * fields are there: no length or character rules, no rate limits.
 */
final class BareBroadcastHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
  private static final Logger log = LoggerFactory.getLogger(BareBroadcastHandler.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder IDS = Base64.getUrlEncoder().withoutPadding();

  /** Set on a channel once it was closed for reading too slowly, so that it is closed once. */
  static final AttributeKey<Boolean> CUT_OFF = AttributeKey.valueOf("bareBroadcast.cutOff");

  private final BareRooms rooms;
  private String connectionId;
  private final List<String> roomIds = new ArrayList<>();

  BareBroadcastHandler(BareRooms rooms) {
    this.rooms = rooms;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof HandshakeComplete) {
      connectionId = newId();
      rooms.write(ctx.channel(), BareFrames.connected(ctx.alloc(), connectionId));
    }
    super.userEventTriggered(ctx, event);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (connectionId == null) {
      return;
    }
    Channel channel = ctx.channel();
    JsonNode request = frame instanceof TextWebSocketFrame ? readObject(frame.content()) : null;
    if (request == null) {
      refuse(channel, new BareRooms.Refusal(400, "badJson", "a request is one JSON object"), null);
      return;
    }
    String requestId = text(request, "requestId");
    Optional<BareRooms.Refusal> refusal = handle(channel, request, requestId);
    refusal.ifPresent(r -> refuse(channel, r, requestId));
  }

  private Optional<BareRooms.Refusal> handle(Channel channel, JsonNode request, String requestId) {
    String action = text(request, "action");
    String roomId = text(request, "roomId");
    String username = text(request, "username");
    if ("createRoom".equals(action)) {
      if (username == null) {
        return missing("username");
      }
      String id = roomId == null ? "r-" + newId() : roomId;
      Optional<BareRooms.Refusal> refusal =
          rooms.create(new BareRooms.Member(connectionId, username, channel), id, requestId);
      if (refusal.isEmpty()) {
        roomIds.add(id);
      }
      return refusal;
    }
    if ("joinRoom".equals(action)) {
      if (roomId == null || username == null) {
        return missing(roomId == null ? "roomId" : "username");
      }
      Optional<BareRooms.Refusal> refusal =
          rooms.join(new BareRooms.Member(connectionId, username, channel), roomId, requestId);
      if (refusal.isEmpty()) {
        roomIds.add(roomId);
      }
      return refusal;
    }
    if ("sendMessage".equals(action)) {
      String text = text(request, "text");
      if (roomId == null || text == null) {
        return missing(roomId == null ? "roomId" : "text");
      }
      return rooms.send(connectionId, roomId, text, requestId);
    }
    return Optional.of(
        new BareRooms.Refusal(
            400,
            "unknownAction",
            "the baseline does createRoom, joinRoom and sendMessage, not '" + action + "'"));
  }

  private void refuse(Channel channel, BareRooms.Refusal refusal, String requestId) {
    rooms.write(
        channel,
        BareFrames.error(
            channel.alloc(), refusal.status(), refusal.code(), refusal.message(), requestId));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (connectionId != null) {
      rooms.leaveAll(connectionId, roomIds);
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A client gone mid-write (or cut off) is routine under load: not worth a warning each.
    if (cause instanceof IOException) {
      log.debug("closing {}: {}", ctx.channel().remoteAddress(), cause.toString());
    } else {
      log.warn("closing {} after an unexpected error", ctx.channel().remoteAddress(), cause);
    }
    ctx.close();
  }

  private static Optional<BareRooms.Refusal> missing(String field) {
    return Optional.of(new BareRooms.Refusal(400, "missingField", field + " is required"));
  }

  /** The request as a JSON object, or null if it is not one. */
  private static JsonNode readObject(ByteBuf content) {
    try {
      JsonNode node = JSON.readTree(new ByteBufInputStream(content.duplicate()));
      return node != null && node.isObject() ? node : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** A text field's value, or null if it is absent or not text. */
  private static String text(JsonNode request, String field) {
    JsonNode value = request.get(field);
    return value != null && value.isTextual() ? value.asText() : null;
  }

  /** 12 random bytes in base64url: 16 characters, like Roomlog's connection ids. */
  private static String newId() {
    byte[] bytes = new byte[12];
    ThreadLocalRandom.current().nextBytes(bytes);
    return IDS.encodeToString(bytes);
  }
}
