package dev.roomlog.gateway.management;

import dev.roomlog.gateway.connection.ActionIntake;
import dev.roomlog.gateway.connection.ConnectionRegistry;
import dev.roomlog.gateway.wal.WalAppender;
import dev.roomlog.protocol.ConnectionIds;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.WalRecord;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.ActionNames;
import dev.roomlog.protocol.action.RequestContext;
import dev.roomlog.protocol.action.RequestContext.EventType;
import dev.roomlog.protocol.action.RequestContext.Identity;
import dev.roomlog.protocol.frame.ServerFrame;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Posts messages into rooms as the server ({@code POST /rooms/{roomId}/messages}), and kicks users
 * out of them ({@code POST /rooms/{roomId}/kick}, a {@code $moderate} record), through the
 * write-ahead log like a client's sendMessage: the {@code $postMessage} record is appended with an
 * id of its own on this gateway as its connectionId, and the processor's answer to that id (the
 * message with its seq, or an error) comes back through this gateway's deliveries, where {@link
 * ConnectionRegistry#listen} hands it here.
 *
 * <p>Overload: at most {@link #MAX_PENDING} posts wait for their answer at once, and none is taken
 * while the log's writer is too far behind ({@link WalAppender#acceptingActions()}); past either a
 * post is refused without being written. Thread-safe.
 */
public final class RoomPoster {
  /** Posts waiting for their answer, at most. */
  public static final int MAX_PENDING = 1024;

  /** Why a post has no answer from the room. */
  public static final class NotAnswered extends Exception {
    /**
     * Whether the message may have been recorded all the same (a retry must reuse its clientMsgId).
     */
    private final boolean mayBeRecorded;

    NotAnswered(String message, boolean mayBeRecorded) {
      super(message, null, false, false);
      this.mayBeRecorded = mayBeRecorded;
    }

    public boolean mayBeRecorded() {
      return mayBeRecorded;
    }
  }

  private final ActionIntake intake;
  private final ConnectionRegistry registry;
  private final ScheduledExecutorService timers;
  private final Duration timeout;
  private final AtomicInteger pending = new AtomicInteger();

  public RoomPoster(
      ActionIntake intake,
      ConnectionRegistry registry,
      ScheduledExecutorService timers,
      Duration timeout) {
    this.intake = Objects.requireNonNull(intake, "intake");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.timers = Objects.requireNonNull(timers, "timers");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /**
   * Appends the post and completes with the room's answer: a {@link ServerFrame.Message} (the
   * message as recorded, with its seq) or a {@link ServerFrame.ErrorFrame} (no such room, a reused
   * clientMsgId). Completes exceptionally with {@link NotAnswered} when it was not written
   * (overload, shutdown) or no answer came in time.
   *
   * @param sourceIp who asked, recorded in the log as the post's identity
   */
  public CompletableFuture<ServerFrame> post(Action.PostMessage post, String sourceIp) {
    return submit(
        requestId ->
            new Action.PostMessage(
                requestId, post.roomId(), post.text(), post.username(), post.clientMsgId()),
        sourceIp);
  }

  /**
   * Appends a kick (and maybe a ban) the same way, and completes with the room's answer: a {@link
   * ServerFrame.Moderated} or a {@link ServerFrame.ErrorFrame} (no such room, too many bans).
   */
  public CompletableFuture<ServerFrame> moderate(Action.Moderate moderate, String sourceIp) {
    return submit(
        requestId ->
            new Action.Moderate(
                requestId,
                moderate.roomId(),
                moderate.user(),
                moderate.reason(),
                moderate.banForMs()),
        sourceIp);
  }

  /** {@code withRequestId} makes the action to append, answering the given request id. */
  private CompletableFuture<ServerFrame> submit(
      Function<String, Action.RoomAction> withRequestId, String sourceIp) {
    CompletableFuture<ServerFrame> answer = new CompletableFuture<>();
    if (pending.incrementAndGet() > MAX_PENDING) {
      pending.decrementAndGet();
      answer.completeExceptionally(
          new NotAnswered(
              "the gateway has " + MAX_PENDING + " posts waiting for the log: retry later", false));
      return answer;
    }
    if (!intake.wal().acceptingActions()) {
      // As for a client's action: refused at once rather than failed unsent seconds later.
      pending.decrementAndGet();
      answer.completeExceptionally(
          new NotAnswered(
              "the gateway's writer to the log is too far behind to take the post in time:"
                  + " it was not recorded, retry later",
              false));
      return answer;
    }
    // From here every way out completes the answer, which frees the slot and the listener.
    answer.whenComplete((frame, failure) -> pending.decrementAndGet());
    try {
      append(withRequestId, sourceIp, answer);
    } catch (RuntimeException e) {
      answer.completeExceptionally(e);
    }
    return answer;
  }

  private void append(
      Function<String, Action.RoomAction> withRequestId,
      String sourceIp,
      CompletableFuture<ServerFrame> answer) {
    String requestId = ConnectionIds.of(intake.gatewayId(), "post-" + intake.newRequestId());
    Action.RoomAction action = withRequestId.apply(requestId);
    long now = intake.clock().millis();
    RequestContext context =
        new RequestContext(
            ActionNames.of(action),
            EventType.MESSAGE,
            requestId,
            now,
            now,
            intake.newRequestId(),
            new Identity(sourceIp),
            intake.gatewayId(),
            intake.gatewayInstance(),
            null);
    registry.listen(requestId, frame -> onFrame(requestId, frame, answer));
    answer.whenComplete((frame, failure) -> registry.stopListening(requestId));
    var timer =
        timers.schedule(
            () ->
                answer.completeExceptionally(
                    new NotAnswered(
                        "no answer from the room within "
                            + timeout.toMillis()
                            + " ms: the message"
                            + " MAY have been recorded; retry with the same clientMsgId",
                        true)),
            timeout.toMillis(),
            TimeUnit.MILLISECONDS);
    answer.whenComplete((frame, failure) -> timer.cancel(false));
    boolean accepted =
        intake
            .wal()
            .append(
                new WalRecord(action, context),
                new WalAppender.Callback() {
                  @Override
                  public void onAcknowledged() {}

                  @Override
                  public void onFailure(Exception cause) {
                    answer.completeExceptionally(
                        new NotAnswered(
                            "the log did not confirm the post in time (Kafka unavailable or slow):"
                                + " it MAY have been recorded; retry with the same clientMsgId",
                            true));
                  }
                });
    if (!accepted) {
      answer.completeExceptionally(
          new NotAnswered("the gateway is shutting down: the post was not recorded", false));
    }
  }

  private static void onFrame(
      String requestId, String json, CompletableFuture<ServerFrame> answer) {
    ServerFrame frame;
    try {
      frame = Json.MAPPER.readValue(json, ServerFrame.class);
    } catch (IOException e) {
      answer.completeExceptionally(new IllegalStateException("unreadable answer " + json, e));
      return;
    }
    String answersTo =
        frame instanceof ServerFrame.Answer a
            ? a.requestId()
            : frame instanceof ServerFrame.ErrorFrame e ? e.requestId() : null;
    if (requestId.equals(answersTo)) {
      answer.complete(frame);
    }
  }
}
