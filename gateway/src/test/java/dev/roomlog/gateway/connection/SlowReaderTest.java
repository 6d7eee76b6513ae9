package dev.roomlog.gateway.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.RecordingWalAppender;
import dev.roomlog.gateway.TestPipelines;
import dev.roomlog.gateway.WebSocketTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's own replies respect the client's write buffer like deliveries do. The channel's
 * writability is switched by hand (a user-defined writability bit), as if the client had stopped
 * reading and maxOutboundBytesPerConnection were reached.
 */
class SlowReaderTest {
  private static final String INVALID = "{\"action\":\"joinRoom\",\"requestId\":\"r7\"}";

  private final RecordingWalAppender wal = new RecordingWalAppender();
  private final ConnectionRegistry registry = new ConnectionRegistry();
  private final WebSocketTestClient client =
      TestPipelines.client(TestPipelines.settings().build(), wal, registry, null);

  @BeforeEach
  void connect() {
    TestPipelines.connect(client);
  }

  @AfterEach
  void release() {
    client.close();
  }

  private void setWritable(boolean writable) {
    client.server.unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
  }

  @Test
  void errorReplyIsSentWhileTheClientKeepsUp() {
    setWritable(true);

    client.sendText(INVALID);

    assertEquals("r7", TestPipelines.json(client.nextText()).get("requestId").asText());
    assertTrue(client.server.isOpen());
    assertEquals(0, registry.slowClientsCut());
    TestPipelines.closeAndFinish(client);
  }

  @Test
  void errorReplyToAClientThatDoesNotReadIsDroppedAndTheClientIsClosedWith1013() {
    setWritable(false);

    client.sendText(INVALID);

    assertEquals(
        new TestPipelines.Close(1013, ConnectionRegistry.SLOW_CLIENT_REASON),
        TestPipelines.expectClose(client));
    assertEquals(1, registry.slowClientsCut());
    assertEquals(0, registry.size());
    TestPipelines.closeAndFinish(client);
  }
}
