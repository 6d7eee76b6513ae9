package dev.roomlog.gateway.handshake;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the HTTP codec the request head and nothing after it, and holds the bytes behind the head
 * until the upgrade is done; then they go to the WebSocket frame decoder, as if they had come in
 * packets of their own. RFC 9110 7.8 lets a client use the upgraded protocol as soon as it has sent
 * its request, and clients do write their first frame right behind the upgrade.
 *
 * <p>Without this, Netty's handshaker (with {@link HttpServerCodec}) puts the frame decoder in
 * front of the codec and removes the codec once the 101 is written; the bytes the codec still held
 * are then passed to the handler after the codec's old place, past the frame decoder, and dropped
 * there. With a slower write the codec would go on to read them as a second HTTP request.
 *
 * <p>It also tells what those bytes are, when the head ends: if they begin like an HTTP request
 * line (at least two bytes of a method, token characters, up to a space or to the end of what has
 * come), they are a request pipelined behind the upgrade, and {@link
 * HandshakeAttributes#REQUEST_BEHIND} is set for {@link HandshakeHandler} to refuse it (400). A
 * client's WebSocket frame never begins so: its second byte carries the mask bit (0x80), which no
 * token character or space has. Bytes that come after the answer was decided are WebSocket's. Empty
 * lines right behind the head are dropped, as HTTP's decoder drops them before a request line (RFC
 * 9112 2.2): no frame begins with CR or LF.
 *
 * <p>The upgrade is normally done before the read that completed the head returns (Netty writes the
 * 101 and completes the handshake at once); if the 101's write is still under way, the held bytes
 * are passed on when it completes. If the request is refused, the channel closes and the held bytes
 * are released unread. At most {@code maxHeldBytes} wait: past it the client, which sent that much
 * before its upgrade was answered, is cut off.
 *
 * <p>First in the pipeline, before the raw-header sniffer; leaves the pipeline once it has passed
 * the held bytes on. One instance per channel; runs on its event loop.
 */
public final class RequestHeadHandler extends ChannelDuplexHandler {
  private static final Logger log = LoggerFactory.getLogger(RequestHeadHandler.class);

  private enum Scan {
    BEFORE_REQUEST_LINE,
    IN_LINE,
    LINE_START,
    LINE_START_AFTER_CR
  }

  private final int maxHeldBytes;
  private Scan scan = Scan.BEFORE_REQUEST_LINE;

  /** Null until the head has ended; then what came behind it, until passed on. */
  private ByteBuf held;

  private boolean passedOn;

  public RequestHeadHandler(int maxHeldBytes) {
    this.maxHeldBytes = maxHeldBytes;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf bytes) || passedOn) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (held != null) {
      held = ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), held, bytes);
      if (held.readableBytes() > maxHeldBytes) {
        log.debug(
            "{}: more than {} bytes before the upgrade was answered, closing",
            ctx.channel().remoteAddress(),
            maxHeldBytes);
        releaseHeld();
        ctx.close();
        return;
      }
      passOnIfUpgraded(ctx);
      return;
    }
    int end = endOfHead(bytes);
    if (end < 0) {
      ctx.fireChannelRead(bytes);
      return;
    }
    ByteBuf head = bytes.readRetainedSlice(end - bytes.readerIndex());
    held = bytes;
    if (beginsLikeARequestLine(held)) {
      ctx.channel().attr(HandshakeAttributes.REQUEST_BEHIND).set(true);
    }
    ctx.fireChannelRead(head);
    passOnIfUpgraded(ctx);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (held != null && !passedOn) {
      // Perhaps the 101: the handshake completes in a listener added after this one, so look
      // once that has run.
      promise = promise.unvoid();
      promise.addListener(written -> ctx.executor().execute(() -> passOnIfUpgraded(ctx)));
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseHeld();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseHeld();
  }

  private void passOnIfUpgraded(ChannelHandlerContext ctx) {
    if (held == null || passedOn || ctx.isRemoved() || !upgraded(ctx.pipeline())) {
      return;
    }
    passedOn = true;
    ByteBuf rest = held;
    held = null;
    while (rest.isReadable() && isLineEnd(rest.getByte(rest.readerIndex()))) {
      rest.skipBytes(1);
    }
    if (rest.isReadable()) {
      ctx.fireChannelRead(rest);
      ctx.fireChannelReadComplete();
    } else {
      rest.release();
    }
    if (!ctx.isRemoved()) {
      ctx.pipeline().remove(this);
    }
  }

  /** The handshaker has put in its frame decoder and taken out the HTTP codec. */
  private static boolean upgraded(ChannelPipeline pipeline) {
    return pipeline.get(HttpServerCodec.class) == null
        && pipeline.get(WebSocketFrameDecoder.class) != null;
  }

  private void releaseHeld() {
    if (held != null) {
      held.release();
      held = null;
    }
  }

  /**
   * The index just past the blank line that ends the head, or -1 if it is not in {@code bytes}.
   * Lines end with LF, CR LF accepted; empty lines before the request line are skipped, as the
   * decoder skips them. Bare LFs are the decoder's to refuse.
   */
  private int endOfHead(ByteBuf bytes) {
    for (int i = bytes.readerIndex(); i < bytes.writerIndex(); i++) {
      byte b = bytes.getByte(i);
      switch (scan) {
        case BEFORE_REQUEST_LINE -> scan = isLineEnd(b) ? Scan.BEFORE_REQUEST_LINE : Scan.IN_LINE;
        case IN_LINE -> scan = b == '\n' ? Scan.LINE_START : Scan.IN_LINE;
        case LINE_START, LINE_START_AFTER_CR -> {
          if (b == '\n') {
            return i + 1;
          }
          scan = b == '\r' && scan == Scan.LINE_START ? Scan.LINE_START_AFTER_CR : Scan.IN_LINE;
        }
      }
    }
    return -1;
  }

  /**
   * Whether {@code bytes}, after any empty lines, begin with two or more token characters followed
   * by a space or by nothing yet: a method, as a request line begins.
   */
  static boolean beginsLikeARequestLine(ByteBuf bytes) {
    int i = bytes.readerIndex();
    while (i < bytes.writerIndex() && isLineEnd(bytes.getByte(i))) {
      i++;
    }
    int start = i;
    while (i < bytes.writerIndex() && isTokenChar(bytes.getByte(i))) {
      i++;
    }
    boolean method = i - start >= 2;
    return method && (i == bytes.writerIndex() || bytes.getByte(i) == ' ');
  }

  private static boolean isLineEnd(byte b) {
    return b == '\r' || b == '\n';
  }

  /** RFC 9110 5.6.2's tchar. */
  private static boolean isTokenChar(byte b) {
    return (b >= 'a' && b <= 'z')
        || (b >= 'A' && b <= 'Z')
        || (b >= '0' && b <= '9')
        || "!#$%&'*+-.^_`|~".indexOf(b) >= 0;
  }
}
