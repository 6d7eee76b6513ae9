package dev.roomlog.gateway.auth;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.sun.net.httpserver.HttpServer;
import dev.roomlog.gateway.GatewayPipelineTest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Keys from a JWKS URL, served by a real HTTP server on loopback: fetched at start, fetched again
 * when a token names a new {@code kid} (rotation), at most once a minute however many unknown ids
 * come.
 */
class JwksUrlKeysTest {
  private static final KeyPair OLD = TestTokens.rsa();
  private static final KeyPair NEW = TestTokens.rsa();

  private final GatewayPipelineTest.MutableClock clock =
      new GatewayPipelineTest.MutableClock(TestTokens.NOW);
  private final AtomicReference<String> served = new AtomicReference<>(jwks(OLD));
  private final AtomicInteger fetches = new AtomicInteger();
  private HttpServer server;

  private static String jwks(KeyPair... pairs) {
    return new JWKSet(
            java.util.Arrays.stream(pairs)
                .map(
                    p ->
                        (com.nimbusds.jose.jwk.JWK)
                            new RSAKey.Builder((RSAPublicKey) p.getPublic())
                                .keyID(p == OLD ? "k1" : "k2")
                                .build())
                .toList())
        .toString();
  }

  @BeforeEach
  void serve() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/jwks.json",
        exchange -> {
          fetches.incrementAndGet();
          byte[] body = served.get().getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private TokenVerifier verifier() {
    URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json");
    return new TokenVerifier(
        new TokenVerifier.Options(List.of(), null, null, Duration.ofSeconds(30), "name"),
        JwksUrlKeys.start("tokenJwksUrl", url, clock),
        clock);
  }

  private static String signed(KeyPair pair, String kid) {
    return TestTokens.claims("a1", "Alice").withKeyId(kid).sign(TestTokens.rs256(pair));
  }

  @Test
  void picksUpARotatedKeyAfterOneRefusalAndFetchesAtMostOnceAMinute() {
    TokenVerifier verifier = verifier();
    assertEquals(1, fetches.get(), "fetched at start");
    TokenVerifier.Result first = verifier.verify(signed(OLD, "k1"));
    assertInstanceOf(TokenVerifier.Verified.class, first, first::toString);

    // The provider rotates; the first token with the new kid is refused and starts a fetch.
    served.set(jwks(OLD, NEW));
    clock.set(clock.instant().plusSeconds(61));
    assertInstanceOf(TokenVerifier.Refused.class, verifier.verify(signed(NEW, "k2")));
    await().atMost(Duration.ofSeconds(10)).until(() -> fetches.get() == 2);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> verifier.verify(signed(NEW, "k2")) instanceof TokenVerifier.Verified);

    // Made-up key ids within the minute cost the provider nothing more.
    for (int i = 0; i < 20; i++) {
      assertInstanceOf(TokenVerifier.Refused.class, verifier.verify(signed(NEW, "made-up-" + i)));
    }
    assertEquals(2, fetches.get());
    clock.set(clock.instant().plusSeconds(61));
    verifier.verify(signed(NEW, "made-up-again"));
    await().atMost(Duration.ofSeconds(10)).until(() -> fetches.get() == 3);
  }

  @Test
  void aProviderDownAtStartIsNoKeysNotAFailedStart() {
    server.stop(0);
    TokenVerifier verifier = verifier();
    assertInstanceOf(TokenVerifier.Refused.class, verifier.verify(signed(OLD, "k1")));
  }
}
