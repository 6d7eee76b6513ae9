package dev.roomlog.processor;

import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.ActionNames;
import dev.roomlog.protocol.event.RoomEvent;
import dev.roomlog.protocol.frame.ServerFrame;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The room processor's own meters, named {@code roomlog.processor.*} (Prometheus: {@code
 * roomlog_processor_*}), counted at the topology's edge ({@link RoomStage}) from what the pure
 * logic decided; {@link RoomLogic} itself knows nothing of them. Kafka Streams' own metrics are
 * bound by {@link RoomProcessor}.
 *
 * <p>Thread-safe: every stream thread counts here.
 */
public final class ProcessorMetrics {
  /** An action that appended events to its room. */
  static final String APPLIED = "applied";

  /** An action answered without changing the room (a resume). */
  static final String ANSWERED = "answered";

  /** A clientMsgId retry, answered from the dedup window. */
  static final String DUPLICATE = "duplicate";

  private final MeterRegistry registry;
  private final Map<String, Counter> actions = new ConcurrentHashMap<>();

  private final Timer logWait;

  public ProcessorMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.logWait =
        Timer.builder("roomlog.processor.log.wait")
            .description(
                "From an action's append to the log (its record's timestamp) until the processor"
                    + " took it: how far behind the processor is, in time")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(60))
            .register(registry);
  }

  /** An action appended at {@code appendedAtMs} is being taken at {@code nowMs} (wall clock). */
  void tookAction(long appendedAtMs, long nowMs) {
    logWait.record(Math.max(0, nowMs - appendedAtMs), TimeUnit.MILLISECONDS);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /**
   * One room action decided: {@value #APPLIED}, {@value #ANSWERED}, {@value #DUPLICATE}, or the
   * code of the error its requester was sent ({@code roomNotFound}, {@code staleGateway}, ...).
   *
   * @param action labelled with its wire name ({@code createRoom}, {@code sendMessage}...)
   */
  void action(Action.RoomAction action, Decision decision, boolean duplicate) {
    String type = type(action);
    String outcome = duplicate ? DUPLICATE : outcome(decision);
    // Cached by label values (bounded): this runs for every action, on the stream thread.
    actions
        .computeIfAbsent(
            type + '\u0000' + outcome,
            key ->
                Counter.builder("roomlog.processor.actions")
                    .description("Room actions applied by the processor, by type and outcome")
                    .tag("type", type)
                    .tag("outcome", outcome)
                    .register(registry))
        .increment();
  }

  /** Members removed without asking: {@code disconnected} or {@code gatewayLost}. */
  void membersRemoved(Decision decision) {
    for (RoomEvent event : decision.events()) {
      if (event instanceof RoomEvent.MemberLeft left) {
        Counter.builder("roomlog.processor.members.removed")
            .description(
                "Members removed because their connection closed or their gateway was lost")
            .tag("reason", left.reason())
            .register(registry)
            .increment();
      }
    }
  }

  /** A WAL record set aside in the dead-letter topic, by the step that failed. */
  void setAside(String stage) {
    Counter.builder("roomlog.processor.dead.letters")
        .description("WAL records set aside in the dead-letter topic, by the step that failed")
        .tag("stage", stage)
        .register(registry)
        .increment();
  }

  private static String type(Action.RoomAction action) {
    return ActionNames.of(action);
  }

  private static String outcome(Decision decision) {
    if (!decision.events().isEmpty()) {
      return APPLIED;
    }
    for (Reply reply : decision.replies()) {
      if (reply.frame() instanceof ServerFrame.ErrorFrame error) {
        return error.code();
      }
    }
    return ANSWERED;
  }
}
