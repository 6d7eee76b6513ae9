package dev.roomlog.loadtest;

import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.net.BindException;
import java.net.ConnectException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client WebSocket of the pool, from its connect attempt to its close. It becomes ready when
 * the server under test says so with its {@link ChatProtocol.Incoming.Ready} frame (for Roomlog,
 * {@code connected}); frames that need an automatic answer (Engine.IO's ping) are answered here;
 * every other frame goes to the scenario's {@link ConnectionListener}.
 *
 * <p>{@link #send} and {@link #close} may be called from any thread; the rest is called by the
 * connection's event loop ({@link WsClientHandler}).
 */
final class WsConnection {
  private final int index;
  private final long dueNanos;
  private final ChatProtocol protocol;
  private final ConnectionListener listener;
  private final ErrorCounts errors;
  private final CompletableFuture<Long> ready = new CompletableFuture<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private volatile Channel channel;
  private volatile int closeCode = -1;
  private volatile boolean closedByUs;
  private volatile String serverId;
  private final AtomicBoolean failed = new AtomicBoolean();

  WsConnection(
      int index,
      long dueNanos,
      ChatProtocol protocol,
      ConnectionListener listener,
      ErrorCounts errors) {
    this.index = index;
    this.dueNanos = dueNanos;
    this.protocol = protocol;
    this.listener = listener;
    this.errors = errors;
  }

  /**
   * The server's id for this connection, from its ready frame; null before it, or if it has none.
   */
  String serverId() {
    return serverId;
  }

  /** The connection's position among those opened together (0-based). */
  int index() {
    return index;
  }

  /** When the open loop meant to open it: connect latency counts from here. */
  long dueNanos() {
    return dueNanos;
  }

  /** Completes with the System.nanoTime at which it became ready; fails if it never does. */
  CompletableFuture<Long> ready() {
    return ready;
  }

  /** Completes with the server's close code (-1 for none) once the socket is closed. */
  CompletableFuture<Integer> closed() {
    return closed;
  }

  boolean isOpen() {
    Channel c = channel;
    return c != null && c.isActive() && !closed.isDone();
  }

  void send(String frame) {
    Channel c = channel;
    if (c == null) {
      throw new IllegalStateException("connection " + index + " is not open");
    }
    c.writeAndFlush(new TextWebSocketFrame(frame), c.voidPromise());
  }

  /** Closes the socket at once, without a close handshake, as a dropped network would. */
  void close() {
    closedByUs = true;
    Channel c = channel;
    if (c != null) {
      c.close();
    }
  }

  // Called by the event loop.

  void attached(Channel channel) {
    this.channel = channel;
  }

  void connectFailed(Throwable cause) {
    fail(connectFailure(cause), cause);
  }

  /** A stable name for why a TCP connect failed (Netty wraps the JDK's exceptions). */
  static String connectFailure(Throwable cause) {
    if (cause instanceof BindException) {
      return "connect bind failed (source address)";
    }
    if (cause instanceof ConnectTimeoutException) {
      return "connect timeout";
    }
    if (cause instanceof ConnectException) {
      return "connect refused";
    }
    return "connect " + cause.getClass().getSimpleName();
  }

  void handshakeRefused(int httpStatus) {
    fail(ErrorCounts.handshake(httpStatus), null);
  }

  void failed(String kind, Throwable cause) {
    fail(kind, cause);
  }

  void closeReceived(int code) {
    closeCode = code;
  }

  void onText(String text, long receivedNanos) {
    ChatProtocol.Incoming in = protocol.parse(text);
    if (in instanceof ChatProtocol.Incoming.Reply reply) {
      send(reply.frame());
      return;
    }
    if (in instanceof ChatProtocol.Incoming.Ready r) {
      serverId = r.connectionId();
      ready.complete(receivedNanos);
    }
    listener.onIncoming(this, in, receivedNanos);
  }

  void onChannelClosed() {
    if (!ready.isDone()) {
      fail(closeCode >= 0 ? ErrorCounts.close(closeCode) : "closed before ready", null);
    } else if (!closedByUs && !ready.isCompletedExceptionally()) {
      // A close we did not ask for, during the run: the server's doing, and the user should know.
      errors.add(closeCode >= 0 ? ErrorCounts.close(closeCode) : "closed by server");
    }
    closed.complete(closeCode);
    listener.onClosed(this, closeCode);
  }

  /**
   * Counts the first failure of an attempt that never became ready. Counted before the future
   * fails, so that whoever wakes on the failure finds it in the counts.
   */
  private void fail(String kind, Throwable cause) {
    if (!ready.isDone() && failed.compareAndSet(false, true)) {
      errors.add(kind);
      ready.completeExceptionally(new OpenFailed(kind, cause));
    }
  }

  /** Why a connection never became ready; the message is its error kind. */
  static final class OpenFailed extends RuntimeException {
    OpenFailed(String kind, Throwable cause) {
      super(kind, cause, false, false);
    }
  }
}
