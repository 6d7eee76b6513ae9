package dev.roomlog.systemtest.fault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roomlog.protocol.Json;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A stand-in for Roomlog's gateways and processor on loopback, to test clients without Kafka. It
 * speaks the room protocol of docs/PROTOCOL.md as far as a chat client uses it (createRoom,
 * joinRoom with or without afterSeq, sendMessage with clientMsgId deduplication over the last 50
 * messages, leaveRoom, resume, 410 resumeTooOld, memberLeft on disconnect), behind several
 * "gateways" (ports) that share one set of rooms, and fails on demand: a gateway dies; a connection
 * stops receiving, or is reset; a member is removed while connected (gatewayLost); a room forgets
 * old events; a send is recorded but its answer never leaves, or is answered but never recorded. It
 * tests clients; what the real server does is for the integration tests.
 *
 * <p>Threading: one event loop runs every connection and owns all room state; the control methods
 * run their work on it and wait for it, so they may be called from the test thread.
 */
final class FakeRoomServer implements AutoCloseable {
  private static final int HISTORY_WINDOW = 50;

  private final String apiKey;
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final EventLoop loop = group.next();
  private final List<Channel> listeners = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();

  // Owned by the loop.
  private final Map<String, Room> rooms = new LinkedHashMap<>();
  private final Map<Channel, Client> clients = new LinkedHashMap<>();
  private final List<JsonNode> joinRequests = new ArrayList<>();
  private final List<String> retriesAnsweredWithOriginal = new ArrayList<>();
  private final Map<String, PlannedFault> faults = new HashMap<>();
  private int resumeTooOldAnswers;
  private int connectionCounter;
  private long at;

  private FakeRoomServer(String apiKey) {
    this.apiKey = apiKey;
  }

  /** Starts {@code gateways} listeners on free loopback ports, all serving the same rooms. */
  static FakeRoomServer start(int gateways, String apiKey) {
    FakeRoomServer server = new FakeRoomServer(apiKey);
    for (int i = 0; i < gateways; i++) {
      int gateway = i;
      Channel listener =
          new ServerBootstrap()
              .group(server.group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline()
                          .addLast(new HttpServerCodec())
                          .addLast(new HttpObjectAggregator(64 * 1024))
                          .addLast(server.new ApiKeyGate())
                          .addLast(new WebSocketServerProtocolHandler("/"))
                          .addLast(server.new Frames(gateway));
                    }
                  })
              .bind(new InetSocketAddress("127.0.0.1", 0))
              .syncUninterruptibly()
              .channel();
      server.listeners.add(listener);
      server.ports.add(((InetSocketAddress) listener.localAddress()).getPort());
    }
    return server;
  }

  List<Integer> ports() {
    return List.copyOf(ports);
  }

  /** Like a SIGKILL of one gateway: it stops listening and resets every connection it holds. */
  void killGateway(int gateway) {
    onLoop(
        () -> {
          listeners.get(gateway).close();
          clients.values().stream()
              .filter(c -> c.gateway == gateway)
              .map(c -> c.channel)
              .toList()
              .forEach(FakeRoomServer::reset);
          return null;
        });
  }

  private List<Client> clientsOf(String username) {
    return clients.values().stream().filter(c -> username.equals(c.username)).toList();
  }

  /** The gateway that holds this user's connection, or -1. */
  int gatewayOf(String username) {
    return onLoop(
        () ->
            clients.values().stream()
                .filter(c -> username.equals(c.username))
                .mapToInt(c -> c.gateway)
                .findFirst()
                .orElse(-1));
  }

  /** What can go wrong with one sendMessage. */
  enum Fault {
    /** Recorded and told to the others; the sender's connection is reset instead of answered. */
    RECORD_THEN_RESET,
    /** Recorded and told to the others; the sender gets 503 logUnavailable. */
    RECORD_THEN_LOG_UNAVAILABLE,
    /** Answered with the room's next seq, but never recorded: that seq goes to the next event. */
    ANSWER_BUT_FORGET
  }

  /** The message that met a fault, and the seq it was given. */
  record FailedSend(String clientMsgId, long seq) {}

  /** The next message from this user meets the fault; completes when it has. */
  CompletableFuture<FailedSend> failNextSendOf(String username, Fault fault) {
    CompletableFuture<FailedSend> done = new CompletableFuture<>();
    onLoop(() -> faults.put(username, new PlannedFault(fault, done)));
    return done;
  }

  /**
   * From now on, frames to this user's connections are silently dropped, as by a gateway that is
   * dying but has not closed its sockets yet. Ends with the connection.
   */
  void cutOff(String username) {
    onLoop(
        () -> {
          clientsOf(username).forEach(c -> c.cutOff = true);
          return null;
        });
  }

  /**
   * Takes this user's connections out of every room with reason {@code gatewayLost}, telling them
   * too, but leaves the connections open: their gateway was only paused. Returns the seq of the
   * last such memberLeft.
   */
  long removeAsGatewayLost(String username) {
    return onLoop(
        () -> {
          long seq = 0;
          for (Client client : clientsOf(username)) {
            for (Room room : rooms.values()) {
              if (room.members.containsKey(client)) {
                ObjectNode left = leave(client, room, "gatewayLost");
                client.send(liveFrame(left));
                seq = Math.max(seq, left.get("seq").asLong());
              }
            }
          }
          return seq;
        });
  }

  /** Resets this user's connections, as the kernel does for a killed gateway's sockets. */
  void resetConnectionsOf(String username) {
    onLoop(
        () -> {
          clientsOf(username).forEach(c -> reset(c.channel));
          return null;
        });
  }

  /**
   * The room forgets its events so far for resuming: a join or resume from an earlier afterSeq gets
   * 410 resumeTooOld, and a fresh join's history starts after them. Retries are still recognised.
   */
  void forgetHistory(String roomId) {
    onLoop(
        () -> {
          Room room = rooms.get(roomId);
          room.oldestKept = room.seq() + 1;
          return null;
        });
  }

  /** How many joins and resumes were answered with 410 resumeTooOld. */
  int resumeTooOldAnswers() {
    return onLoop(() -> resumeTooOldAnswers);
  }

  /** The room's events as roomlog.room-events would hold them (type messagePosted etc.). */
  List<JsonNode> roomEvents(String roomId) {
    return onLoop(
        () -> rooms.containsKey(roomId) ? List.copyOf(rooms.get(roomId).events) : List.of());
  }

  long lastSeq(String roomId) {
    return onLoop(() -> rooms.containsKey(roomId) ? (long) rooms.get(roomId).events.size() : 0L);
  }

  /** Every joinRoom request received, in order. */
  List<JsonNode> joinRequests() {
    return onLoop(() -> List.copyOf(joinRequests));
  }

  /** The clientMsgIds of retries answered with the original message, in order. */
  List<String> retriesAnsweredWithOriginal() {
    return onLoop(() -> List.copyOf(retriesAnsweredWithOriginal));
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  // ---- the protocol ----

  private void onAction(Client client, JsonNode action) {
    String requestId = text(action, "requestId");
    String roomId = text(action, "roomId");
    Room room = roomId == null ? null : rooms.get(roomId);
    String name = action.path("action").asText("");
    if (name.equals("joinRoom")) {
      joinRequests.add(action);
    }
    if (roomId == null) {
      client.send(error(400, "missingField", "roomId is required", requestId));
    } else if (name.equals("createRoom")) {
      createRoom(client, roomId, room, text(action, "username"), requestId);
    } else if (room == null) {
      client.send(error(404, "roomNotFound", "room '" + roomId + "' does not exist", requestId));
    } else if (action.path("afterSeq").asLong(Long.MAX_VALUE) < room.oldestKept - 1) {
      resumeTooOldAnswers++;
      ObjectNode tooOld =
          error(410, "resumeTooOld", "the room no longer keeps events that old", requestId)
              .put("oldestSeq", room.oldestKept);
      ObjectNode snapshot = tooOld.putObject("room").put("roomId", room.id).put("seq", room.seq());
      snapshot.set("members", room.memberList());
      snapshot.set("history", room.history());
      client.send(tooOld);
    } else if (name.equals("joinRoom")) {
      joinRoom(client, room, action, requestId);
    } else if (!room.members.containsKey(client)) {
      client.send(
          error(403, "notMember", "you are not a member of room '" + roomId + "'", requestId));
    } else if (name.equals("sendMessage")) {
      sendMessage(client, room, action, requestId);
    } else if (name.equals("resume")) {
      long afterSeq = action.path("afterSeq").asLong();
      ObjectNode resumed =
          frame("resumed", room.id, room.seq())
              .put("afterSeq", afterSeq)
              .put("requestId", requestId);
      resumed.set("events", room.liveFrames(afterSeq, room.seq() + 1));
      client.send(resumed);
    } else if (name.equals("leaveRoom")) {
      ObjectNode left = leave(client, room, "left");
      client.send(frame("left", room.id, left.get("seq").asLong()).put("requestId", requestId));
    } else {
      client.send(error(400, "unknownAction", "unknown action '" + name + "'", requestId));
    }
  }

  private void createRoom(
      Client client, String roomId, Room existing, String username, String requestId) {
    if (existing != null) {
      client.send(error(409, "roomExists", "room '" + roomId + "' already exists", requestId));
      return;
    }
    Room room = new Room(roomId);
    rooms.put(roomId, room);
    room.append(event("roomCreated", room).put("createdBy", username));
    room.append(member(event("memberJoined", room), client, username));
    room.members.put(client, username);
    client.username = username;
    ObjectNode answer = frame("roomCreated", roomId, 2).put("requestId", requestId);
    answer.set("members", room.memberList());
    client.send(answer);
  }

  private void joinRoom(Client client, Room room, JsonNode action, String requestId) {
    if (room.members.containsKey(client)) {
      client.send(error(409, "alreadyMember", "you are already a member", requestId));
      return;
    }
    String username = text(action, "username");
    ObjectNode joined = room.append(member(event("memberJoined", room), client, username));
    long seq = joined.get("seq").asLong();
    room.members.put(client, username);
    client.username = username;
    ObjectNode answer = frame("joined", room.id, seq).put("requestId", requestId);
    answer.set("members", room.memberList());
    if (action.path("afterSeq").canConvertToLong()) {
      answer.set("events", room.liveFrames(action.get("afterSeq").asLong(), seq));
    } else {
      answer.set("history", room.history());
    }
    client.send(answer);
    room.tellOthers(client, liveFrame(joined));
  }

  private void sendMessage(Client client, Room room, JsonNode action, String requestId) {
    String username = room.members.get(client);
    String text = text(action, "text");
    String clientMsgId = text(action, "clientMsgId");
    for (ObjectNode m : room.recentMessages()) {
      if (clientMsgId != null
          && clientMsgId.equals(text(m, "clientMsgId"))
          && username.equals(text(m, "username"))
          && text.equals(text(m, "text"))) {
        retriesAnsweredWithOriginal.add(clientMsgId);
        client.send(liveFrame(m).put("requestId", requestId));
        return;
      }
    }
    ObjectNode posted =
        event("messagePosted", room)
            .put("connectionId", client.connectionId)
            .put("username", username)
            .put("text", text)
            .put("clientMsgId", clientMsgId);
    PlannedFault fault = faults.remove(username);
    if (fault == null) {
      room.append(posted);
      room.tellOthers(client, liveFrame(posted));
      client.send(liveFrame(posted).put("requestId", requestId));
      return;
    }
    switch (fault.fault()) {
      case ANSWER_BUT_FORGET -> client.send(liveFrame(posted).put("requestId", requestId));
      case RECORD_THEN_RESET -> {
        room.append(posted);
        room.tellOthers(client, liveFrame(posted));
        reset(client.channel);
      }
      case RECORD_THEN_LOG_UNAVAILABLE -> {
        room.append(posted);
        room.tellOthers(client, liveFrame(posted));
        client.send(
            error(503, "logUnavailable", "the log did not confirm in time", requestId)
                .put("retryAfterMs", 30));
      }
    }
    fault.done().complete(new FailedSend(clientMsgId, posted.get("seq").asLong()));
  }

  private ObjectNode leave(Client client, Room room, String reason) {
    String username = room.members.remove(client);
    ObjectNode left =
        room.append(
            event("memberLeft", room)
                .put("connectionId", client.connectionId)
                .put("username", username)
                .put("reason", reason));
    room.tellOthers(client, liveFrame(left));
    return left;
  }

  private void disconnected(Client client) {
    clients.remove(client.channel);
    for (Room room : rooms.values()) {
      if (room.members.containsKey(client)) {
        leave(client, room, "disconnected");
      }
    }
  }

  // ---- frames ----

  private ObjectNode event(String type, Room room) {
    return Json.MAPPER
        .createObjectNode()
        .put("type", type)
        .put("roomId", room.id)
        .put("seq", room.seq() + 1)
        .put("at", ++at);
  }

  private static ObjectNode member(ObjectNode event, Client client, String username) {
    return event
        .put("connectionId", client.connectionId)
        .put("username", username)
        .put("gatewayId", "fake");
  }

  /** A logged event as members receive it. */
  private static ObjectNode liveFrame(JsonNode event) {
    String type = event.get("type").asText();
    ObjectNode frame =
        frame(
            type.equals("messagePosted") ? "message" : type,
            text(event, "roomId"),
            event.get("seq").asLong());
    switch (type) {
      case "messagePosted" ->
          frame
              .put("from", text(event, "username"))
              .put("connectionId", text(event, "connectionId"))
              .put("text", text(event, "text"))
              .put("sentAt", event.get("at").asLong())
              .put("clientMsgId", text(event, "clientMsgId"));
      case "memberJoined" ->
          frame
              .put("connectionId", text(event, "connectionId"))
              .put("username", text(event, "username"))
              .put("at", event.get("at").asLong());
      case "memberLeft" ->
          frame
              .put("connectionId", text(event, "connectionId"))
              .put("username", text(event, "username"))
              .put("reason", text(event, "reason"))
              .put("at", event.get("at").asLong());
      default -> frame.set("members", Json.MAPPER.createArrayNode());
    }
    return frame;
  }

  private static ObjectNode frame(String type, String roomId, long seq) {
    return Json.MAPPER.createObjectNode().put("type", type).put("roomId", roomId).put("seq", seq);
  }

  private static ObjectNode error(int status, String code, String message, String requestId) {
    return Json.MAPPER
        .createObjectNode()
        .put("type", "error")
        .put("status", status)
        .put("code", code)
        .put("message", message)
        .put("requestId", requestId);
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  /** Closes with a TCP reset, as the kernel does for a killed process's sockets. */
  private static void reset(Channel channel) {
    channel.config().setOption(ChannelOption.SO_LINGER, 0);
    channel.close();
  }

  private <T> T onLoop(Callable<T> task) {
    try {
      return loop.submit(task).get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the fake server", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the fake server failed a control task", e);
    }
  }

  private record PlannedFault(Fault fault, CompletableFuture<FailedSend> done) {}

  private final class Room {
    final String id;
    final List<ObjectNode> events = new ArrayList<>();
    final Map<Client, String> members = new LinkedHashMap<>();
    long oldestKept = 1;

    Room(String id) {
      this.id = id;
    }

    long seq() {
      return events.size();
    }

    ObjectNode append(ObjectNode event) {
      events.add(event);
      return event;
    }

    /** Events with afterSeq < seq < before, as live frames. */
    ArrayNode liveFrames(long afterSeq, long before) {
      ArrayNode frames = Json.MAPPER.createArrayNode();
      for (long seq = Math.max(afterSeq, 0) + 1; seq < before && seq <= events.size(); seq++) {
        frames.add(liveFrame(events.get((int) seq - 1)));
      }
      return frames;
    }

    /** The recent messages that a fresh join is shown: none that the room has forgotten. */
    ArrayNode history() {
      ArrayNode history = Json.MAPPER.createArrayNode();
      for (ObjectNode m : recentMessages()) {
        if (m.get("seq").asLong() >= oldestKept) {
          history.add(liveFrame(m));
        }
      }
      return history;
    }

    List<ObjectNode> recentMessages() {
      List<ObjectNode> messages =
          events.stream().filter(e -> e.get("type").asText().equals("messagePosted")).toList();
      return messages.subList(Math.max(0, messages.size() - HISTORY_WINDOW), messages.size());
    }

    ArrayNode memberList() {
      ArrayNode list = Json.MAPPER.createArrayNode();
      members.forEach(
          (client, username) ->
              list.addObject().put("connectionId", client.connectionId).put("username", username));
      return list;
    }

    void tellOthers(Client sender, ObjectNode frame) {
      members.keySet().stream().filter(c -> c != sender).forEach(c -> c.send(frame));
    }
  }

  private static final class Client {
    final Channel channel;
    final String connectionId;
    final int gateway;
    String username;
    boolean cutOff;

    Client(Channel channel, String connectionId, int gateway) {
      this.channel = channel;
      this.connectionId = connectionId;
      this.gateway = gateway;
    }

    void send(ObjectNode frame) {
      if (cutOff) {
        return;
      }
      channel.writeAndFlush(new TextWebSocketFrame(frame.toString()));
    }
  }

  /** Refuses the upgrade with 401 unless it carries the API key. */
  private final class ApiKeyGate extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof FullHttpRequest request
          && !apiKey.equals(request.headers().get("x-api-key"))) {
        ReferenceCountUtil.release(msg);
        DefaultFullHttpResponse refusal =
            new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.UNAUTHORIZED);
        refusal.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
        ctx.writeAndFlush(refusal).addListener(f -> ctx.close());
        return;
      }
      ctx.fireChannelRead(msg);
    }
  }

  private final class Frames extends SimpleChannelInboundHandler<TextWebSocketFrame> {
    private final int gateway;

    Frames(int gateway) {
      this.gateway = gateway;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
        Client client = new Client(ctx.channel(), "fake-" + (++connectionCounter), gateway);
        clients.put(ctx.channel(), client);
        client.send(
            Json.MAPPER
                .createObjectNode()
                .put("type", "connected")
                .put("connectionId", client.connectionId));
      }
      ctx.fireUserEventTriggered(event);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
      Client client = clients.get(ctx.channel());
      JsonNode action;
      try {
        action = Json.MAPPER.readTree(frame.text());
      } catch (IOException e) {
        throw new UncheckedIOException("the client sent a frame that is not JSON", e);
      }
      onAction(client, action);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      Client client = clients.get(ctx.channel());
      if (client != null) {
        disconnected(client);
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      reset(ctx.channel());
    }
  }
}
