package dev.roomlog.protocol.control;

import dev.roomlog.protocol.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Messages between gateways, for the management API's {@code /@connections/{id}}: a gateway that is
 * asked about a connection held by another sends it a {@link ConnectionCommand}, and gets a {@link
 * CommandAnswer} back. Both travel on the deliveries topic, keyed by the gateway they are for (so
 * they reach its delivery consumer like its frames do), and are told apart from deliveries by the
 * record header {@link #KIND_HEADER}. Deliveries carry no such header.
 */
public sealed interface GatewayControl permits ConnectionCommand, CommandAnswer {
  /** The record header naming the kind; its value is {@link #COMMAND} or {@link #ANSWER}. */
  String KIND_HEADER = "roomlog-kind";

  String COMMAND = "connectionCommand";
  String ANSWER = "commandAnswer";

  /** The request this belongs to, unique per asking gateway. */
  String requestId();

  /** The value of {@link #KIND_HEADER} for this message. */
  String kind();

  /** The record value: this message as JSON. */
  default byte[] toBytes() {
    try {
      return Json.MAPPER.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads a record value of the given kind.
   *
   * @throws IllegalArgumentException if the kind is unknown or the value does not parse
   */
  static GatewayControl read(String kind, byte[] value) {
    Class<? extends GatewayControl> type =
        switch (kind) {
          case COMMAND -> ConnectionCommand.class;
          case ANSWER -> CommandAnswer.class;
          default ->
              throw new IllegalArgumentException("unknown " + KIND_HEADER + " '" + kind + "'");
        };
    try {
      return Json.MAPPER.readValue(value, type);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "unreadable " + kind + ": " + new String(value, StandardCharsets.UTF_8), e);
    }
  }
}
