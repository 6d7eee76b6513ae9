package dev.roomlog.integrations;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What the {@link Dispatcher} needs to know of the targets it calls, webhook subscriptions or
 * routes: whether one is (still) configured, how many calls it takes at once, how long a parked
 * call of it is retried, and how a batch of its items becomes a {@link Call}. Read on its loop's
 * thread; managed webhook subscriptions come and go while it runs ({@link Subscriptions#apply}).
 */
interface Targets {
  boolean has(String targetId);

  int maxConcurrency(String targetId);

  /** How long a parked call is retried before it is dead-lettered; null for the worker's own. */
  Duration retryFor(String targetId);

  /**
   * The call of {@code batch} (one lane's items, in order) to {@code targetId}, made at {@code
   * now}.
   */
  Call call(String targetId, List<Item> batch, Instant now);

  /** The batch's id, for logs. */
  String callId(List<Item> batch);

  /** The dead-letter reason of a call whose target is no longer configured. */
  String gone();
}
