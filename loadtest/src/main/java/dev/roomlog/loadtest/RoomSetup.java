package dev.roomlog.loadtest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntPredicate;

/**
 * Puts connections into their rooms: slot 0 of each room creates it, then the others join. Requests
 * go out on an open loop at the setup rate. One the server refuses for load (429, 503) is retried
 * after a growing pause ({@link #backoffMillis}, at least the server's {@code retryAfterMs}), up to
 * 30 times; after a 503 {@code logUnavailable} (the action may have been recorded all the same), an
 * answer to the earlier attempt counts as well as one to the retry; each refusal is still counted,
 * as {@code setup <status> <code>}. Anything else, or a request still unanswered at the deadline,
 * fails the run: without its rooms a scenario measures nothing.
 *
 * <p>Thread-safe: requests go out from the calling thread, answers arrive on event loops ({@link
 * #onAnswer}), retries go out from a timer thread.
 */
final class RoomSetup implements AutoCloseable {
  /** A connection's room answer, and when it arrived. */
  record Joined(ChatProtocol.Incoming.RoomJoined answer, long atNanos) {}

  /** Attempts of one request: with pauses up to 5 s, about two minutes of refusals. */
  private static final int MAX_ATTEMPTS = 30;

  /** The 503 after which the action may still have been recorded (docs/PROTOCOL.md). */
  private static final String LOG_UNAVAILABLE = "logUnavailable";

  /** Counted for a retry told that its earlier attempt, refused with logUnavailable, landed. */
  static final String EARLIER_ATTEMPT_LANDED = "setup retry found its earlier attempt recorded";

  private static final long FIRST_BACKOFF_MILLIS = 100;
  private static final long MAX_BACKOFF_MILLIS = 5_000;

  private record Request(
      WsConnection connection,
      String runId,
      boolean create,
      int attempt,
      CompletableFuture<Joined> answer) {}

  private final ChatProtocol protocol;
  private final RoomPlan plan;
  private final String runId;
  private final double ratePerSecond;
  private final Duration timeout;
  private final ErrorCounts errors;
  private final int shard;
  private final Map<String, Request> pending = new ConcurrentHashMap<>();
  private final ScheduledExecutorService retries =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "room-setup-retries");
            t.setDaemon(true);
            return t;
          });

  RoomSetup(
      ChatProtocol protocol,
      RoomPlan plan,
      String runId,
      double ratePerSecond,
      Duration timeout,
      ErrorCounts errors) {
    this(protocol, plan, runId, ratePerSecond, timeout, errors, 0);
  }

  /**
   * @param shard this process's shard of a sharded room ({@link RoomShards}): its members'
   *     usernames differ from the other shards'
   */
  RoomSetup(
      ChatProtocol protocol,
      RoomPlan plan,
      String runId,
      double ratePerSecond,
      Duration timeout,
      ErrorCounts errors,
      int shard) {
    this.shard = shard;
    this.protocol = protocol;
    this.plan = plan;
    this.runId = runId;
    this.ratePerSecond = ratePerSecond;
    this.timeout = timeout;
    this.errors = errors;
  }

  /** Slot 0 of every room creates it; returns the answers by connection index. */
  Map<Integer, Joined> createRooms(List<WsConnection> connections) throws InterruptedException {
    return run(connections, c -> plan.slotOf(c) == 0, true, runId);
  }

  /** The chosen connections join their rooms; returns the answers by connection index. */
  Map<Integer, Joined> joinRooms(List<WsConnection> connections, IntPredicate which)
      throws InterruptedException {
    return run(connections, which, false, runId);
  }

  /**
   * The chosen connections join their rooms of another process's run (a member shard of a sharded
   * room: the room is named by the run that created it); returns the answers by connection index.
   */
  Map<Integer, Joined> joinRooms(List<WsConnection> connections, IntPredicate which, String ofRun)
      throws InterruptedException {
    return run(connections, which, false, ofRun);
  }

  private Map<Integer, Joined> run(
      List<WsConnection> connections, IntPredicate which, boolean create, String ofRun)
      throws InterruptedException {
    List<WsConnection> chosen = new ArrayList<>();
    for (WsConnection c : connections) {
      if (which.test(c.index())) {
        chosen.add(c);
      }
    }
    Map<Integer, CompletableFuture<Joined>> answers = new TreeMap<>();
    OpenLoopSchedule schedule =
        new OpenLoopSchedule(System.nanoTime(), ratePerSecond, chosen.size());
    OpenLoopSender.realTime()
        .run(
            schedule,
            (k, due) -> {
              WsConnection c = chosen.get((int) k);
              CompletableFuture<Joined> answer = new CompletableFuture<>();
              answers.put(c.index(), answer);
              send(new Request(c, ofRun, create, 1, answer));
            },
            () -> Thread.currentThread().isInterrupted());
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<Integer, Joined> joined = new TreeMap<>();
    Map<String, Integer> failures = new TreeMap<>();
    for (Map.Entry<Integer, CompletableFuture<Joined>> e : answers.entrySet()) {
      try {
        joined.put(
            e.getKey(),
            e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
      } catch (TimeoutException ex) {
        failures.merge("no answer within " + Durations.format(timeout), 1, Integer::sum);
      } catch (ExecutionException ex) {
        failures.merge(ex.getCause().getMessage(), 1, Integer::sum);
      }
    }
    // What never got an answer goes. An attempt whose request is already answered stays: the retry
    // of a logUnavailable join may still be told alreadyMember, and that is no error.
    pending.values().removeIf(r -> !r.answer().isDone());
    if (!failures.isEmpty()) {
      throw new RunFailed(
          (create ? "creating rooms: " : "joining rooms: ")
              + (answers.size() - joined.size())
              + " of "
              + answers.size()
              + " failed "
              + failures
              + "; the server's limits (connectionRatePerSecond, apiKeyRatePerSecond, maxInFlightActions)"
              + " may need raising, or --setup-rate lowering");
    }
    return joined;
  }

  private void send(Request r) {
    int c = r.connection().index();
    String requestId = "s" + c + "." + r.attempt();
    String roomId = RoomPlan.roomId(r.runId(), plan.roomOf(c));
    String username = RoomPlan.username(shard, c);
    pending.put(requestId, r);
    try {
      r.connection()
          .send(
              r.create()
                  ? protocol.createRoom(roomId, username, requestId)
                  : protocol.joinRoom(roomId, username, requestId));
    } catch (IllegalStateException notOpen) {
      pending.remove(requestId);
      r.answer().completeExceptionally(new RunFailed("connection not open"));
    }
  }

  /**
   * Takes the answer to a setup request, if this is one.
   *
   * @return true if the frame answered a setup request
   */
  boolean onAnswer(ChatProtocol.Incoming in, long receivedNanos) {
    if (in instanceof ChatProtocol.Incoming.RoomJoined j) {
      Request r = j.requestId() == null ? null : pending.remove(j.requestId());
      if (r == null) {
        return false;
      }
      r.answer().complete(new Joined(j, receivedNanos));
      return true;
    }
    if (in instanceof ChatProtocol.Incoming.Error e) {
      Request r = e.requestId() == null ? null : pending.remove(e.requestId());
      if (r == null) {
        return false;
      }
      if (r.answer().isDone()) {
        // A retry's answer (409 alreadyMember, roomExists) after an earlier attempt told
        // logUnavailable did land, and its own answer came first: the connection is in the room.
        errors.add(EARLIER_ATTEMPT_LANDED);
        return true;
      }
      String kind = ErrorCounts.frame(e.status(), e.code());
      errors.add("setup " + kind);
      if ((e.status() == 429 || e.status() == 503) && r.attempt() < MAX_ATTEMPTS) {
        if (LOG_UNAVAILABLE.equals(e.code())) {
          // "May have been recorded": the processor may still answer this attempt, and that
          // answer is as good as the retry's.
          pending.put(e.requestId(), r);
        }
        long backoff =
            backoffMillis(r.attempt(), e.retryAfterMs(), ThreadLocalRandom.current().nextDouble());
        Request again =
            new Request(r.connection(), r.runId(), r.create(), r.attempt() + 1, r.answer());
        retries.schedule(() -> send(again), backoff, TimeUnit.MILLISECONDS);
      } else {
        r.answer().completeExceptionally(new RunFailed(kind));
      }
      return true;
    }
    return false;
  }

  /**
   * How long to wait before attempt {@code attempt + 1}: doubling from 100 ms up to 5 s, never less
   * than the server's {@code retryAfterMs}, and spread over 50-100% of that (so that thousands of
   * joins refused together do not all come back together).
   *
   * @param jitter a number in [0, 1)
   */
  static long backoffMillis(int attempt, long retryAfterMs, double jitter) {
    long doubling = FIRST_BACKOFF_MILLIS << Math.min(attempt - 1, 20);
    long wait = Math.max(Math.min(doubling, MAX_BACKOFF_MILLIS), retryAfterMs);
    return Math.max(retryAfterMs, (long) (wait * (0.5 + jitter / 2)));
  }

  /**
   * The connection closed: its request still waiting for an answer never gets one, so it fails now
   * rather than at the deadline (a gateway that presumed a starved client dead closes it with
   * 1001).
   */
  void onClosed(WsConnection connection, int closeCode) {
    pending
        .values()
        .removeIf(
            r -> {
              if (r.connection() != connection) {
                return false;
              }
              // The close itself is counted where every close is (WsConnection).
              r.answer()
                  .completeExceptionally(
                      new RunFailed(
                          closeCode < 0
                              ? "connection lost"
                              : "connection closed by the server with " + closeCode));
              return true;
            });
  }

  @Override
  public void close() {
    retries.shutdownNow();
  }
}
