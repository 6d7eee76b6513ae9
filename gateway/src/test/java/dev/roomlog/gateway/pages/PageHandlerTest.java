package dev.roomlog.gateway.pages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.Json;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link PageHandler} with {@link PageSite}: what a browser gets for each path, and that everything
 * else (an upgrade, the API, the health checks) passes on untouched.
 */
class PageHandlerTest {
  private static final String SECRET = "page-handler-test-secret-0123456789abcdef";
  private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

  /** A site of two folders read from this test's own fixtures. */
  private static PageSite site() {
    return new PageSite(
        Map.of("/chat/", "pages-fixture/chat/", "/lib/", "pages-fixture/lib/"),
        "/chat/",
        PageHandlerTest.class.getClassLoader());
  }

  private static EmbeddedChannel channel(DevTokenIssuer devTokens) {
    return new EmbeddedChannel(new PageHandler(site(), devTokens, "'self' ws: wss:"));
  }

  private static FullHttpRequest get(String uri) {
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
  }

  private static FullHttpResponse answer(EmbeddedChannel channel, FullHttpRequest request) {
    channel.writeInbound(request);
    FullHttpResponse response = channel.readOutbound();
    assertFalse(channel.isOpen(), "one request per connection: closed after the answer");
    return response;
  }

  private static String body(FullHttpResponse response) {
    try {
      return response.content().toString(StandardCharsets.UTF_8);
    } finally {
      ReferenceCountUtil.release(response);
    }
  }

  @Test
  void servesAFileWithItsTypeAndHeadersThatKeepTheUrlsTokenAtHome() {
    FullHttpResponse page = answer(channel(null), get("/chat/"));
    assertEquals(200, page.status().code());
    assertEquals("text/html; charset=utf-8", page.headers().get(HttpHeaderNames.CONTENT_TYPE));
    assertEquals("no-referrer", page.headers().get("Referrer-Policy"));
    assertEquals("nosniff", page.headers().get("X-Content-Type-Options"));
    String csp = page.headers().get("Content-Security-Policy");
    assertTrue(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), csp);
    assertTrue(csp.contains("connect-src 'self' ws: wss:"), csp);
    assertEquals("close", page.headers().get(HttpHeaderNames.CONNECTION));
    assertEquals("<p>chat fixture</p>\n", body(page));

    FullHttpResponse script = answer(channel(null), get("/lib/index.js?v=2"));
    assertEquals("text/javascript; charset=utf-8", script.headers().get("content-type"));
    assertEquals("export const fixture = 1;\n", body(script));
  }

  @Test
  void anotherUpgradeThanWebSocketIsIgnoredAndThePageServed() {
    // Java's HttpClient offers h2c on every plain-HTTP request.
    FullHttpRequest h2c = get("/chat/");
    h2c.headers().set(HttpHeaderNames.UPGRADE, "h2c");
    h2c.headers().set(HttpHeaderNames.CONNECTION, "Upgrade, HTTP2-Settings");
    FullHttpResponse page = answer(channel(null), h2c);
    assertEquals(200, page.status().code());
    assertEquals("<p>chat fixture</p>\n", body(page));
  }

  @Test
  void theRootAndAFolderWithoutItsSlashRedirect() {
    FullHttpResponse root = answer(channel(null), get("/"));
    assertEquals(302, root.status().code());
    assertEquals("/chat/", root.headers().get(HttpHeaderNames.LOCATION));
    ReferenceCountUtil.release(root);
    FullHttpResponse folder = answer(channel(null), get("/lib"));
    assertEquals("/lib/", folder.headers().get(HttpHeaderNames.LOCATION));
    ReferenceCountUtil.release(folder);
  }

  @Test
  void nothingOutsideTheSitesFoldersIsServed() {
    for (String uri :
        new String[] {
          "/chat/missing.js",
          "/chat/../lib/index.js",
          "/chat/..%2Flib%2Findex.js",
          "/chat/sub/index.html",
          "/chat/.hidden.js",
          "/chat/notes.txt",
          "/lib/%2e%2e/chat/index.html"
        }) {
      FullHttpResponse refused = answer(channel(null), get(uri));
      assertEquals(404, refused.status().code(), uri);
      assertEquals("no such page\n", body(refused), uri);
    }
  }

  @Test
  void anUpgradeOtherPathsAndOtherMethodsPassOnUntouched() {
    FullHttpRequest upgrade = get("/");
    upgrade.headers().set(HttpHeaderNames.UPGRADE, "WebSocket");
    FullHttpRequest health = get("/healthz");
    FullHttpRequest post =
        new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/chat/");
    for (FullHttpRequest request : new FullHttpRequest[] {upgrade, health, post}) {
      EmbeddedChannel channel = channel(null);
      channel.writeInbound(request);
      assertSame(request, channel.readInbound(), request.method() + " " + request.uri());
      assertNull(channel.readOutbound());
      assertTrue(channel.isOpen());
      ReferenceCountUtil.release(request);
      // Once a connection becomes a WebSocket, its frames no longer pass through the pages.
      assertEquals(
          request == upgrade,
          channel.pipeline().get(PageHandler.class) == null,
          request.method() + " " + request.uri());
    }
  }

  @Test
  void theDevTokenPathIsServedOnlyWithAnIssuerAndNamesTheUser() throws Exception {
    FullHttpResponse none = answer(channel(null), get(PageHandler.DEV_TOKEN_PATH + "?name=Alice"));
    assertEquals(404, none.status().code(), "pages=on hands out no tokens");
    ReferenceCountUtil.release(none);

    DevTokenIssuer issuer = new DevTokenIssuer(SECRET, Clock.fixed(NOW, ZoneOffset.UTC));
    FullHttpResponse issued =
        answer(channel(issuer), get(PageHandler.DEV_TOKEN_PATH + "?name=Ren%C3%A9e%20M"));
    assertEquals(200, issued.status().code());
    assertEquals("no-store", issued.headers().get(HttpHeaderNames.CACHE_CONTROL));
    JsonNode json = Json.MAPPER.readTree(body(issued));
    // Verified by java-jwt, not by the library that signed it.
    DecodedJWT token =
        JWT.require(Algorithm.HMAC256(SECRET))
            .acceptExpiresAt(Long.MAX_VALUE / 1000)
            .build()
            .verify(json.get("token").asText());
    assertEquals("Renée M", token.getClaim("name").asString());
    assertEquals("dev:Renée M", token.getSubject());
    assertEquals(NOW.plus(DevTokenIssuer.TTL), token.getExpiresAtAsInstant());
  }

  @Test
  void aDevTokenNeedsANameThatCouldBeAUsername() throws Exception {
    DevTokenIssuer issuer = new DevTokenIssuer(SECRET, Clock.fixed(NOW, ZoneOffset.UTC));
    String longest = "n".repeat(64);
    FullHttpResponse atLimit =
        answer(channel(issuer), get(PageHandler.DEV_TOKEN_PATH + "?name=" + longest));
    assertEquals(200, atLimit.status().code());
    ReferenceCountUtil.release(atLimit);
    for (String name : new String[] {"", longest + "n", "%E2%80%AE", "a%00b"}) {
      FullHttpResponse refused =
          answer(channel(issuer), get(PageHandler.DEV_TOKEN_PATH + "?name=" + name));
      assertEquals(400, refused.status().code(), name);
      JsonNode json = Json.MAPPER.readTree(body(refused));
      assertTrue(json.get("message").asText().length() > 0, name);
    }
  }
}
