package dev.roomlog.processor;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.Limits;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.text.WellFormed;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * What the processor writes with a WAL record it sets aside, and whom it tells. Pure.
 *
 * <p>A record set aside goes to the dead-letter topic byte for byte under its own key, so that it
 * can be read as it was logged and, once the cause is fixed, produced back into the log unchanged.
 * Its headers say why, under the names Kafka Streams gives its own dead-letter records from 4.2 on
 * (KIP-1034: {@code __streams.errors.*}), so tools written for those read ours too, plus the step
 * that failed ({@value #STAGE_HEADER}).
 */
final class DeadLetters {
  static final String EXCEPTION_HEADER = "__streams.errors.exception";
  static final String MESSAGE_HEADER = "__streams.errors.message";
  static final String TOPIC_HEADER = "__streams.errors.topic";
  static final String PARTITION_HEADER = "__streams.errors.partition";
  static final String OFFSET_HEADER = "__streams.errors.offset";
  static final String STAGE_HEADER = "roomlog.errors.stage";

  /** Exception messages can quote the record; a header need not carry all of it. */
  static final int MAX_MESSAGE_CHARS = 1000;

  /** Where a record failed. */
  enum Stage {
    /** The bytes are not a WAL record: not JSON, not UTF-8, a field missing or ill-formed. */
    DECODE("decode"),
    /** Deciding, applying or encoding the outputs of a readable record failed. */
    PROCESS("process");

    private final String label;

    Stage(String label) {
      this.label = label;
    }

    String label() {
      return label;
    }
  }

  /** Whom to answer about a record set aside: the connection, and its requestId if any. */
  record Sender(Recipient to, String requestId) {}

  private DeadLetters() {}

  /** The record's own headers, then the reason it was set aside. */
  static Headers headers(
      Headers original, Optional<RecordMetadata> source, Stage stage, Exception cause) {
    RecordHeaders headers = new RecordHeaders(original.toArray());
    add(headers, EXCEPTION_HEADER, cause.getClass().getName());
    String message = String.valueOf(rootMessage(cause));
    if (message.length() > MAX_MESSAGE_CHARS) {
      message = message.substring(0, MAX_MESSAGE_CHARS) + "...";
    }
    add(headers, MESSAGE_HEADER, message);
    source.ifPresent(
        m -> {
          add(headers, TOPIC_HEADER, m.topic());
          add(headers, PARTITION_HEADER, String.valueOf(m.partition()));
          add(headers, OFFSET_HEADER, String.valueOf(m.offset()));
        });
    add(headers, STAGE_HEADER, stage.label());
    return headers;
  }

  /** The message of the exception and of its causes, outermost first. */
  private static String rootMessage(Throwable cause) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = cause; t != null && all.length() < MAX_MESSAGE_CHARS; t = t.getCause()) {
      if (all.length() > 0) {
        all.append(" <- ");
      }
      all.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
      if (t.getCause() == t) {
        break;
      }
    }
    return all.toString();
  }

  private static void add(Headers headers, String name, String value) {
    // String.getBytes writes '?' for an unpaired surrogate, so a header never fails to encode.
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }

  /** The sender of a record that was read: the connection of a client's or a server's action. */
  static Optional<Sender> senderOf(WalRecord wal) {
    RequestContext ctx = wal.requestContext();
    if (!(wal.action() instanceof Action.RoomAction action) || ctx.connectionId() == null) {
      return Optional.empty(); // $connect, $disconnect, heartbeats: nobody waits for an answer
    }
    return Optional.of(
        new Sender(
            RoomLogic.requester(ctx), usable(action.requestId(), Limits.MAX_REQUEST_ID_LENGTH)));
  }

  /**
   * The sender of a record that could not be read, if its bytes are JSON that still names a
   * connection and its gateway, as a client's action would. Best effort: every name must be a
   * well-formed string, or nobody is answered.
   */
  static Optional<Sender> senderOf(byte[] raw) {
    JsonNode root;
    try (JsonParser parser = Json.MAPPER.createParser(raw)) {
      root = Json.LENIENT_TREE_READER.readTree(parser);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    if (root == null || !root.isObject()) {
      return Optional.empty();
    }
    JsonNode context = root.path("requestContext");
    if (!"MESSAGE".equals(context.path("eventType").textValue())) {
      return Optional.empty();
    }
    String connectionId = usable(context.path("connectionId").textValue(), 256);
    String gatewayId = usable(context.path("gatewayId").textValue(), 256);
    if (connectionId == null || gatewayId == null) {
      return Optional.empty();
    }
    return Optional.of(
        new Sender(
            new Recipient(connectionId, gatewayId),
            usable(root.path("requestId").textValue(), Limits.MAX_REQUEST_ID_LENGTH)));
  }

  /** The requestIds to try answering with: the sender's, then none (if that cannot be sent). */
  static List<String> requestIdsToTry(Sender sender) {
    List<String> ids = new ArrayList<>(2);
    if (sender.requestId() != null) {
      ids.add(sender.requestId());
    }
    ids.add(null);
    return ids;
  }

  /** The text if it can be sent back as it is: present, well-formed, not too long. */
  private static String usable(String text, int maxLength) {
    if (text == null
        || text.isEmpty()
        || text.length() > maxLength
        || !WellFormed.isWellFormed(text)) {
      return null;
    }
    return text;
  }
}
