package dev.roomlog.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.gateway.GatewayPipelineTest.MutableClock;
import dev.roomlog.gateway.auth.TestTokens;
import dev.roomlog.gateway.connection.ActionIntake;
import dev.roomlog.gateway.connection.ConnectionRegistry;
import dev.roomlog.gateway.settings.ApiKey;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.protocol.action.Action;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The per-user rate limit of token connections ({@code userRatePerSecond}, {@code userBurst}),
 * through the real pipeline with one intake per test (so the test's connections share the node's
 * buckets) and a clock moved by hand.
 */
class UserRateLimitTest {
  private static final String KEY = "secret-key";

  private final RecordingWalAppender wal = new RecordingWalAppender();
  private final ConnectionRegistry registry = new ConnectionRegistry();
  private final AtomicInteger ids = new AtomicInteger();
  private final MutableClock clock = new MutableClock(TestTokens.NOW);
  private final List<WebSocketTestClient> clients = new ArrayList<>();

  /** A user may send 3 at once, then one per 100 ms; a connection alone could send far more. */
  private final GatewaySettings settings =
      GatewaySettings.builder(List.of(new ApiKey("alpha", KEY)), "gw-test")
          .tokenSecret(TestTokens.SECRET)
          .userRate(10, 3)
          .connectionRate(1_000, 1_000)
          .build();

  private ActionIntake intake;

  @AfterEach
  void finish() {
    for (WebSocketTestClient c : clients) {
      c.server.close();
      if (c.server.isOpen()) {
        c.endOfStream();
      }
      for (WebSocketFrame frame : c.remainingFrames()) {
        ReferenceCountUtil.release(frame);
      }
      assertFalse(c.server.finish(), "nothing left unread in the pipeline");
      c.close();
    }
  }

  private WebSocketTestClient connect(String path, String apiKey) {
    if (intake == null) {
      intake = new ActionIntake(settings, wal, clock, () -> "id-" + ids.incrementAndGet());
    }
    WebSocketTestClient c =
        new WebSocketTestClient(new GatewayInitializer(settings, intake, registry));
    clients.add(c);
    WebSocketTestClient.HttpReply reply = c.http(WebSocketTestClient.upgradeRequest(path, apiKey));
    assertEquals(101, reply.status(), reply.body());
    c.nextText(); // connected
    return c;
  }

  private WebSocketTestClient user(String sub) {
    return connect("/?token=" + TestTokens.hs256(sub, "name-" + sub), null);
  }

  private static String leave(String requestId) {
    return "{\"action\":\"leaveRoom\",\"roomId\":\"lobby\",\"requestId\":\"" + requestId + "\"}";
  }

  private void assertLogged(String... requestIds) {
    for (String requestId : requestIds) {
      assertEquals(Action.LeaveRoom.class, wal.action(requestId).record().action().getClass());
    }
  }

  private static JsonNode refusal(WebSocketTestClient c) {
    JsonNode error = TestPipelines.json(c.nextText());
    assertEquals("rateLimited", error.get("code").asText(), error.toString());
    assertEquals(429, error.get("status").asInt());
    return error;
  }

  private void advance(Duration by) {
    clock.set(clock.instant().plus(by));
  }

  @Test
  void aUsersBurstIsSharedByItsConnectionsAndOneMoreIsRefusedUntilItsNextToken() {
    WebSocketTestClient tab1 = user("alice");
    WebSocketTestClient tab2 = user("alice");
    tab1.sendText(leave("a1"));
    tab1.sendText(leave("a2"));
    tab2.sendText(leave("b1"));
    assertNull(tab1.nextFrame());
    assertNull(tab2.nextFrame());
    assertLogged("a1", "a2", "b1");

    tab2.sendText(leave("b2"));

    JsonNode error = refusal(tab2);
    assertEquals("b2", error.get("requestId").asText());
    assertEquals(100, error.get("retryAfterMs").asLong());
    assertTrue(error.get("message").asText().contains("one user may send 10"), error.toString());
    long written = wal.records().size();
    advance(Duration.ofMillis(99));
    tab1.sendText(leave("a3"));
    assertEquals(1, refusal(tab1).get("retryAfterMs").asLong());
    advance(Duration.ofMillis(1));
    tab1.sendText(leave("a4"));
    assertNull(tab1.nextFrame());
    assertLogged("a4");
    assertEquals(written + 1, wal.records().size(), "b2 and a3 were not written");
  }

  @Test
  void oneUserAtTheLimitDoesNotThrottleAnother() {
    WebSocketTestClient alice = user("alice");
    for (int i = 1; i <= 3; i++) {
      alice.sendText(leave("a" + i));
    }
    alice.sendText(leave("a4"));
    refusal(alice);

    WebSocketTestClient bob = user("bob");
    for (int i = 1; i <= 3; i++) {
      bob.sendText(leave("b" + i));
    }

    assertNull(bob.nextFrame(), "bob has his own bucket, full");
    assertLogged("b1", "b2", "b3");
  }

  @Test
  void anApiKeyConnectionIsLimitedByItsKeyNotByAnyUser() {
    WebSocketTestClient alice = user("alice");
    for (int i = 1; i <= 4; i++) {
      alice.sendText(leave("a" + i));
    }
    refusal(alice);

    WebSocketTestClient server = connect("/", KEY);
    for (int i = 1; i <= 10; i++) {
      server.sendText(leave("k" + i));
    }

    assertNull(server.nextFrame(), "ten past the user's burst, within the key's 4000");
    assertLogged("k1", "k10");
  }
}
