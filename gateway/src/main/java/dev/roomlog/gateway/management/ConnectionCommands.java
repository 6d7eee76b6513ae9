package dev.roomlog.gateway.management;

import dev.roomlog.gateway.connection.ConnectionRegistry;
import dev.roomlog.protocol.ConnectionIds;
import dev.roomlog.protocol.control.CommandAnswer;
import dev.roomlog.protocol.control.ConnectionCommand;
import dev.roomlog.protocol.control.ConnectionCommand.Op;
import dev.roomlog.protocol.control.GatewayControl;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Does what {@code /@connections/{id}} asks, wherever the connection is: on this gateway directly;
 * on another by sending it a {@link ConnectionCommand} through Kafka and waiting for its {@link
 * CommandAnswer}. The connection id names its gateway ({@link ConnectionIds}).
 *
 * <p>It is also this gateway's side of those commands: {@link #accept} takes the commands other
 * gateways send here (and answers them) and the answers to the ones sent from here.
 *
 * <p>Bounds: at most {@link #MAX_PENDING} commands wait for another gateway at once (more are
 * refused with {@link Busy}); each waits at most the timeout, and carries that deadline so the
 * holder drops it once the asker has given up. Thread-safe.
 */
public final class ConnectionCommands {
  private static final Logger log = LoggerFactory.getLogger(ConnectionCommands.class);

  public static final int MAX_PENDING = 1024;

  /** Too many commands wait for other gateways. */
  static final class Busy extends Exception {
    Busy(String message) {
      super(message, null, false, false);
    }
  }

  /** The holder did not answer in time, or the command could not be sent. */
  static final class NoAnswer extends Exception {
    NoAnswer(String message) {
      super(message, null, false, false);
    }
  }

  private final String gatewayId;
  private final ConnectionRegistry registry;
  private final ControlPublisher publisher;
  private final ScheduledExecutorService timers;
  private final Duration timeout;
  private final Clock clock;
  private final Map<String, CompletableFuture<CommandAnswer>> pending = new ConcurrentHashMap<>();

  /** How many remote requests wait: counted apart from the map so the bound is exact. */
  private final AtomicInteger waiting = new AtomicInteger();

  public ConnectionCommands(
      String gatewayId,
      ConnectionRegistry registry,
      ControlPublisher publisher,
      ScheduledExecutorService timers,
      Duration timeout,
      Clock clock) {
    this.gatewayId = Objects.requireNonNull(gatewayId, "gatewayId");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.timers = Objects.requireNonNull(timers, "timers");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Does {@code op} to the connection {@code holder} holds. Completes with the answer, or
   * exceptionally with {@link Busy} or {@link NoAnswer}.
   *
   * @param data the text to send, for {@link Op#SEND}; else null
   */
  CompletableFuture<CommandAnswer> execute(String holder, Op op, String connectionId, String data) {
    String requestId = UUID.randomUUID().toString();
    // The holder acts only until the deadline, a margin before this side gives up, so that its
    // answer can still arrive: a 504 here means the command did not take effect, and never will.
    long deadline = clock.millis() + timeout.toMillis() - answerMargin();
    ConnectionCommand command =
        new ConnectionCommand(requestId, gatewayId, op, connectionId, data, deadline);
    if (holder.equals(gatewayId)) {
      return CompletableFuture.completedFuture(answerHere(command));
    }
    CompletableFuture<CommandAnswer> answer = new CompletableFuture<>();
    if (waiting.incrementAndGet() > MAX_PENDING) {
      waiting.decrementAndGet();
      answer.completeExceptionally(
          new Busy(MAX_PENDING + " requests already wait for other gateways: retry later"));
      return answer;
    }
    pending.put(requestId, answer);
    var timer =
        timers.schedule(
            () ->
                answer.completeExceptionally(
                    new NoAnswer(
                        "gateway '"
                            + holder
                            + "', which holds the connection, did not answer within "
                            + timeout.toMillis()
                            + " ms (stopped, or cut off from Kafka): the"
                            + " request was dropped")),
            timeout.toMillis(),
            TimeUnit.MILLISECONDS);
    answer.whenComplete(
        (a, failure) -> {
          pending.remove(requestId);
          waiting.decrementAndGet();
          timer.cancel(false);
        });
    // A failed write may still have landed (acks=1, a timeout): it is not answered at once but
    // at the timeout, after the holder's deadline, so a 504 never takes effect later.
    publisher.publish(
        holder,
        command,
        failure ->
            log.warn(
                "the {} for connection {} to gateway {} may not have been written: {}",
                op,
                connectionId,
                holder,
                failure.toString()));
    return answer;
  }

  /** How much earlier than this side's timeout the holder stops acting on a command. */
  private long answerMargin() {
    return Math.min(1_000, timeout.toMillis() / 2);
  }

  /**
   * Takes a control message addressed to this gateway: a command from another gateway is done here
   * and answered; an answer completes the request waiting for it. Called on the delivery consumer's
   * thread.
   */
  public void accept(GatewayControl message) {
    if (message instanceof CommandAnswer answer) {
      CompletableFuture<CommandAnswer> waiting = pending.get(answer.requestId());
      if (waiting != null) {
        waiting.complete(answer);
      }
      // Else it came after the timeout, or for an earlier run of this gateway: nobody waits.
      return;
    }
    ConnectionCommand command = (ConnectionCommand) message;
    if (clock.millis() > command.deadline()) {
      log.info(
          "dropping a {} for connection {} from gateway {}: its asker gave up at {}",
          command.op(),
          command.connectionId(),
          command.replyTo(),
          command.deadline());
      return;
    }
    CommandAnswer answer = answerHere(command);
    publisher.publish(
        command.replyTo(),
        answer,
        failure ->
            log.warn(
                "the answer to gateway {} about connection {} was not written: {}",
                command.replyTo(),
                command.connectionId(),
                failure.toString()));
  }

  private CommandAnswer answerHere(ConnectionCommand command) {
    String id = command.connectionId();
    return switch (command.op()) {
      case SEND ->
          registry.send(id, command.data())
              ? new CommandAnswer(command.requestId(), CommandAnswer.Outcome.DONE, null)
              : gone(command);
      case GET ->
          registry
              .info(id)
              .map(info -> new CommandAnswer(command.requestId(), CommandAnswer.Outcome.DONE, info))
              .orElseGet(() -> gone(command));
      case DELETE ->
          registry.disconnect(id)
              ? new CommandAnswer(command.requestId(), CommandAnswer.Outcome.DONE, null)
              : gone(command);
    };
  }

  private static CommandAnswer gone(ConnectionCommand command) {
    return new CommandAnswer(command.requestId(), CommandAnswer.Outcome.GONE, null);
  }
}
