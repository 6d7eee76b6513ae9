package dev.roomlog.gateway.limits;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Decides, for each data message of one connection, whether it may go on, is refused with 429, or
 * ends the connection as a flood. Plain Java; the connection's event loop calls it.
 *
 * <p>Policy:
 *
 * <ul>
 *   <li>Every data message counts against the connection's own bucket ({@link #onMessage}), before
 *       it is parsed: valid actions, invalid JSON and binary frames alike, so a flood of garbage
 *       costs the flooder its own budget and no parsing.
 *   <li>Only a message that parses as a valid action then takes a token from its shared bucket
 *       ({@link #onAction}): its API key's, shared by every connection of that key on this node,
 *       or, on a token connection, its user's, shared by that user's connections on this node. So a
 *       connection's invalid frames, and its messages past its own rate, spend none of its
 *       neighbours' budget: the order is own bucket, parse, shared bucket.
 *   <li>Each refusal (429) takes a token from the connection's flood bucket ({@code floodTolerance}
 *       tokens, refilled at the connection's rate), whichever limit refused it (its own bucket, the
 *       shared one, or a refusal decided elsewhere, {@link #refuse}); when that is empty the
 *       connection is closed. Only this connection's own refusals count: a client that waits {@code
 *       retryAfterMs} earns back flood tokens faster than it spends them, so a busy neighbour on
 *       the same key (or a second tab of the same user) cannot get it closed.
 * </ul>
 */
public final class MessageRateLimiter {

  /** What to do with one message. */
  public sealed interface Decision permits Decision.Admit, Decision.Refuse, Decision.Close {
    /** Go on: parse it and (if valid) log it. */
    record Admit() implements Decision {}

    /** Answer 429 with this message and hint; the message goes no further. */
    record Refuse(String message, long retryAfterMs) implements Decision {}

    /** The connection keeps sending past its limit: close it (1008). */
    record Close() implements Decision {}
  }

  /**
   * A bucket several connections take from: an API key's ({@link #of(TokenBucket)}), or a user's in
   * {@link KeyedTokenBuckets}. Must be thread-safe: its connections run on different loops.
   */
  @FunctionalInterface
  public interface SharedBucket {
    /** Takes a token: 0 if there was one, else nanoseconds until there is (taking nothing). */
    long tryTake();

    static SharedBucket of(TokenBucket bucket) {
      return () -> bucket.tryTake() ? 0 : Math.max(1, bucket.nanosUntilToken());
    }
  }

  static final Decision ADMIT = new Decision.Admit();
  static final Decision CLOSE = new Decision.Close();

  private final TokenBucket own;
  private final SharedBucket shared;
  private final TokenBucket flood;
  private final String ownMessage;
  private final String sharedMessage;
  private boolean flooded;

  /**
   * @param own this connection's bucket
   * @param shared the bucket of the connection's API key or user, shared with its other connections
   * @param flood this connection's tolerance for refused messages
   * @param ownMessage the 429 message when {@code own} is empty
   * @param sharedMessage the 429 message when {@code shared} is empty
   */
  public MessageRateLimiter(
      TokenBucket own,
      SharedBucket shared,
      TokenBucket flood,
      String ownMessage,
      String sharedMessage) {
    this.own = Objects.requireNonNull(own, "own");
    this.shared = Objects.requireNonNull(shared, "shared");
    this.flood = Objects.requireNonNull(flood, "flood");
    this.ownMessage = Objects.requireNonNull(ownMessage, "ownMessage");
    this.sharedMessage = Objects.requireNonNull(sharedMessage, "sharedMessage");
  }

  /**
   * Counts one data message against the connection's own bucket, before it is parsed; after a
   * {@code Close}, every later message gets one too.
   */
  public Decision onMessage() {
    if (flooded) {
      return CLOSE;
    }
    return own.tryTake() ? ADMIT : refusedBy(own, ownMessage);
  }

  /**
   * Counts a message that {@link #onMessage admitted} and that parsed as a valid action against the
   * shared bucket of its API key or user.
   */
  public Decision onAction() {
    if (flooded) {
      return CLOSE;
    }
    long wait = shared.tryTake();
    return wait == 0 ? ADMIT : refuse(sharedMessage, retryAfterMillis(wait));
  }

  /**
   * A 429 decided by another limit of this connection (its answers' budget): it counts towards the
   * flood tolerance like the others. Returns the refusal to send, or {@code Close}.
   */
  public Decision refuse(String message, long retryAfterMs) {
    if (flooded || !flood.tryTake()) {
      flooded = true;
      return CLOSE;
    }
    return new Decision.Refuse(message, retryAfterMs);
  }

  private Decision refusedBy(TokenBucket bucket, String message) {
    return refuse(message, retryAfterMillis(bucket.nanosUntilToken()));
  }

  /** Rounded up, and at least 1: a retry sooner than this is sure to be refused again. */
  private static long retryAfterMillis(long nanos) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
  }
}
