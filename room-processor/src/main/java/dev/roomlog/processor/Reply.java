package dev.roomlog.processor;

import dev.roomlog.protocol.frame.ServerFrame;
import java.util.List;
import java.util.Objects;

/** One frame and everyone who gets that exact frame; it is encoded once for all of them. */
record Reply(ServerFrame frame, List<Recipient> recipients) {
  Reply {
    Objects.requireNonNull(frame, "frame");
    // Every member but one is a view of the room's members (immutable), not copied.
    recipients = recipients instanceof MemberList.Except ? recipients : List.copyOf(recipients);
    if (recipients.isEmpty()) {
      throw new IllegalArgumentException("a reply needs at least one recipient");
    }
  }

  static Reply to(Recipient recipient, ServerFrame frame) {
    return new Reply(frame, List.of(recipient));
  }
}
