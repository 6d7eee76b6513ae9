package dev.roomlog.gateway.connection;

import static dev.roomlog.gateway.TestPipelines.KEY;
import static dev.roomlog.gateway.TestPipelines.actionOfBytes;
import static dev.roomlog.gateway.TestPipelines.rawFrame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.RecordingWalAppender;
import dev.roomlog.gateway.TestPipelines;
import dev.roomlog.gateway.WebSocketTestClient;
import dev.roomlog.protocol.action.Action;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketClientExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionUtil;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateClientExtensionHandshaker;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * permessage-deflate (RFC 7692): off unless configured; when on, negotiated, and a message may not
 * inflate past maxMessageBytes. The client side compresses with Netty's own client extension.
 */
class PermessageDeflateTest {
  private static final int MAX_FRAME = 1024;
  private static final int MAX_MESSAGE = 4096;
  private static final int TEXT = 0x1;

  private final RecordingWalAppender wal = new RecordingWalAppender();
  private final PerMessageDeflateClientExtensionHandshaker clientDeflate =
      new PerMessageDeflateClientExtensionHandshaker(1 << 20);
  private WebSocketTestClient client;

  @AfterEach
  void release() {
    if (client != null) {
      client.close();
    }
  }

  private WebSocketTestClient client(boolean deflate) {
    client =
        TestPipelines.client(
            TestPipelines.settings()
                .maxFramePayloadBytes(MAX_FRAME)
                .maxMessageBytes(MAX_MESSAGE)
                .permessageDeflate(deflate)
                .build(),
            wal,
            new ConnectionRegistry(),
            null);
    return client;
  }

  /** The upgrade with a permessage-deflate offer; returns the server's extensions header. */
  private String handshakeOfferingDeflate() {
    WebSocketExtensionData request = clientDeflate.newRequestData();
    StringBuilder offer = new StringBuilder(request.name());
    request
        .parameters()
        .forEach((k, v) -> offer.append("; ").append(k).append(v == null ? "" : "=" + v));
    WebSocketTestClient.HttpReply reply =
        client.http(
            WebSocketTestClient.upgradeRequest("/", KEY)
                .replace("\r\n\r\n", "\r\nSec-WebSocket-Extensions: " + offer + "\r\n\r\n"));
    assertEquals(101, reply.status());
    return reply.headers().get("sec-websocket-extensions");
  }

  /** Negotiates deflate and reads the (compressed) connected frame. */
  private void connectWithDeflate() {
    String accepted = handshakeOfferingDeflate();
    assertNotNull(accepted, "the server accepted permessage-deflate");
    WebSocketExtensionData data = WebSocketExtensionUtil.extractExtensions(accepted).get(0);
    WebSocketClientExtension extension = clientDeflate.handshakeExtension(data);
    client.useExtension(extension);
    assertEquals("connected", TestPipelines.json(client.nextText()).get("type").asText());
  }

  private List<Action> sent() {
    return wal.records().stream()
        .map(r -> r.action())
        .filter(a -> a instanceof Action.SendMessage)
        .toList();
  }

  @Test
  void offIsTheDefaultAndAnOfferGetsNoExtension() {
    client(false);

    assertNull(handshakeOfferingDeflate());

    assertEquals("connected", TestPipelines.json(client.nextText()).get("type").asText());
    TestPipelines.closeAndFinish(client);
  }

  @Test
  void whenEnabledTheOfferIsAcceptedAndBothDirectionsAreCompressed() {
    client(true);

    connectWithDeflate();
    client.sendText("{\"action\":\"leaveRoom\",\"roomId\":\"lobby\",\"requestId\":\"r1\"}");

    assertEquals(new Action.LeaveRoom("r1", "lobby", null), wal.last().record().action());
    TestPipelines.closeAndFinish(client);
  }

  @Test
  void compressedMessageThatInflatesToExactlyMaxMessageBytesIsReceivedIntact() {
    client(true);
    connectWithDeflate();
    String text = actionOfBytes(MAX_MESSAGE);

    client.sendText(text);

    List<Action> sent = sent();
    assertEquals(1, sent.size());
    assertEquals(
        text.substring(text.indexOf("xxx"), text.length() - 2),
        ((Action.SendMessage) sent.get(0)).text());
    assertTrue(client.server.isOpen());
    TestPipelines.closeAndFinish(client);
  }

  @Test
  void compressedMessageThatInflatesOneBytePastMaxMessageBytesIsClosedWith1009() {
    client(true);
    connectWithDeflate();

    client.sendText(actionOfBytes(MAX_MESSAGE + 1));

    assertEquals(
        new TestPipelines.Close(1009, InflatedFrameHandler.TOO_BIG_REASON),
        TestPipelines.expectClose(client));
    assertEquals(List.of(), sent());
    TestPipelines.closeAndFinish(client);
  }

  @Test
  void compressedMessageInContinuationFramesOnePastMaxMessageBytesIsClosedWith1009() {
    client(true);
    connectWithDeflate();
    String text = actionOfBytes(MAX_MESSAGE + 1);
    int half = text.length() / 2;

    client.send(new TextWebSocketFrame(false, 0, text.substring(0, half)));
    client.send(new ContinuationWebSocketFrame(true, 0, text.substring(half)));

    assertEquals(1009, TestPipelines.expectClose(client).code());
    assertEquals(List.of(), sent());
    TestPipelines.closeAndFinish(client);
  }

  @Test
  void zipBombIsClosedWith1009() {
    client(true);
    connectWithDeflate();

    // Half a megabyte of JSON in a frame under the 1 KiB frame limit: the frame decoder lets it
    // in, the inflater stops a little past 4 KiB.
    client.sendText(actionOfBytes(500_000));

    assertEquals(
        new TestPipelines.Close(1009, InflatedFrameHandler.TOO_BIG_REASON),
        TestPipelines.expectClose(client));
    assertEquals(List.of(), sent());
    TestPipelines.closeAndFinish(client);
  }

  @Test
  void corruptCompressedDataIsClosedWith1007() {
    client(true);
    connectWithDeflate();

    client.sendRaw(
        rawFrame(true, 0b100, TEXT, true, new byte[] {(byte) 0xFF, (byte) 0xFF, 0x00, 0x13}));

    assertEquals(
        new TestPipelines.Close(1007, InflatedFrameHandler.CORRUPT_REASON),
        TestPipelines.expectClose(client));
    TestPipelines.closeAndFinish(client);
  }

  @Test
  void compressedFrameFromAClientThatDidNotNegotiateIsClosedWith1002() {
    client(true);
    TestPipelines.connect(client);

    client.sendRaw(rawFrame(true, 0b100, TEXT, true, "{}".getBytes(StandardCharsets.UTF_8)));

    assertEquals(
        new TestPipelines.Close(1002, InflatedFrameHandler.RSV_REASON),
        TestPipelines.expectClose(client));
    TestPipelines.closeAndFinish(client);
  }

  @Test
  void rsvBitsOtherThanDeflatesAreClosedWith1002EvenAfterNegotiating() {
    client(true);
    connectWithDeflate();

    client.sendRaw(rawFrame(true, 0b010, TEXT, true, "{}".getBytes(StandardCharsets.UTF_8)));

    assertEquals(
        new TestPipelines.Close(1002, InflatedFrameHandler.RSV_REASON),
        TestPipelines.expectClose(client));
    TestPipelines.closeAndFinish(client);
  }
}
