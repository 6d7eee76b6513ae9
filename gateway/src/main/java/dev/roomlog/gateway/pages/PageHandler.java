package dev.roomlog.gateway.pages;

import dev.roomlog.protocol.Json;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Serves a {@link PageSite}'s files to plain {@code GET}s (no {@code Upgrade}) of its paths, and
 * passes every other request on untouched: a WebSocket upgrade, {@code /healthz}, the management
 * API. One request per connection (answered with {@code Connection: close}), as the gateway's
 * health checks are, so what follows never sees a second request. One instance per channel.
 *
 * <p>Every answer forbids sniffing and framing and sends no referrer: the chat page's own URL may
 * carry a {@code ?token=}, which must not leak to another site.
 */
public final class PageHandler extends ChannelInboundHandlerAdapter {
  /** Where the dev chat page gets a token for a name ({@code pages=dev} only). */
  public static final String DEV_TOKEN_PATH = "/chat/dev-token";

  private final PageSite site;
  private final DevTokenIssuer devTokens;
  private final String connectSources;
  private boolean answered;

  /**
   * @param devTokens the issuer of {@link #DEV_TOKEN_PATH}; null where it is not served
   * @param connectSources the Content-Security-Policy's {@code connect-src}: where the page's
   *     scripts may connect
   */
  public PageHandler(PageSite site, DevTokenIssuer devTokens, String connectSources) {
    this.site = site;
    this.devTokens = devTokens;
    this.connectSources = connectSources;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (answered) {
      // The rest of a request already answered (its body, if any): dropped unread.
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!(msg instanceof HttpRequest request)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (!isPlainGet(request)) {
      if (asksForWebSocket(request)) {
        // The connection becomes a WebSocket: no page can be asked on it, so its frames need
        // not pass through here.
        ctx.pipeline().remove(this);
      }
      ctx.fireChannelRead(msg);
      return;
    }
    String path = new QueryStringDecoder(request.uri()).path();
    boolean devToken = devTokens != null && DEV_TOKEN_PATH.equals(path);
    if (!devToken && !site.owns(path)) {
      ctx.fireChannelRead(msg);
      return;
    }
    answered = true;
    ReferenceCountUtil.release(msg);
    FullHttpResponse response = devToken ? devToken(request) : page(site.find(path));
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    response.headers().set("X-Content-Type-Options", "nosniff");
    response.headers().set("Referrer-Policy", "no-referrer");
    response
        .headers()
        .set(
            "Content-Security-Policy",
            "default-src 'self'; connect-src "
                + connectSources
                + "; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'");
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * A GET that asks for no WebSocket. Another upgrade is ignored, as RFC 9110 lets a server do:
   * Java's HttpClient, for one, offers {@code Upgrade: h2c} with every plain-HTTP request.
   */
  private static boolean isPlainGet(HttpRequest request) {
    return HttpMethod.GET.equals(request.method()) && !asksForWebSocket(request);
  }

  private static boolean asksForWebSocket(HttpRequest request) {
    for (String upgrade : request.headers().getAll(HttpHeaderNames.UPGRADE)) {
      for (String protocol : upgrade.split(",")) {
        if (protocol.strip().toLowerCase(Locale.ROOT).startsWith("websocket")) {
          return true;
        }
      }
    }
    return false;
  }

  private static FullHttpResponse page(Optional<PageSite.Answer> answer) {
    if (answer.isEmpty()) {
      return text(HttpResponseStatus.NOT_FOUND, "no such page\n");
    }
    if (answer.get() instanceof PageSite.Answer.Redirect redirect) {
      FullHttpResponse response =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.FOUND);
      response.headers().set(HttpHeaderNames.LOCATION, redirect.location());
      return response;
    }
    PageSite.Answer.File file = (PageSite.Answer.File) answer.get();
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(file.body()));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, file.contentType());
    // Served from the jar: they change only with a new build, which a restart brings.
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
    return response;
  }

  private FullHttpResponse devToken(HttpRequest request) {
    List<String> names =
        new QueryStringDecoder(request.uri(), StandardCharsets.UTF_8)
            .parameters()
            .getOrDefault("name", List.of());
    DevTokenIssuer.Issued issued = devTokens.issue(names.isEmpty() ? null : names.get(0));
    FullHttpResponse response;
    if (issued instanceof DevTokenIssuer.Issued.Token token) {
      response = json(HttpResponseStatus.OK, Map.of("token", token.token()));
    } else {
      response =
          json(
              HttpResponseStatus.BAD_REQUEST,
              Map.of("message", ((DevTokenIssuer.Issued.Refused) issued).message()));
    }
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    return response;
  }

  private static FullHttpResponse json(HttpResponseStatus status, Map<String, String> body) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            status,
            Unpooled.wrappedBuffer(Json.write(body).getBytes(StandardCharsets.UTF_8)));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    return response;
  }

  private static FullHttpResponse text(HttpResponseStatus status, String body) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            status,
            Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8)));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    return response;
  }
}
