package dev.roomlog.loadtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * How the processes of one sharded room talk: small files in a directory they share. A process
 * holds one descriptor per connection and cannot raise its hard limit, so a room larger than the
 * limit is played by several generator processes ("shards"), each with its own part of the members.
 * Shard 0 creates the room and publishes; the others only join and listen.
 *
 * <p>The files, in the order they appear:
 *
 * <ul>
 *   <li>{@code connected-I}: how many connections shard I opened, once all are open (shard 0
 *       creates the room only when every shard is connected, so that all of them join at once);
 *   <li>{@code room}: the run id that names the room, written by shard 0 once it created it;
 *   <li>{@code joined-I}: shard I's join span ({@link JoinSpan}), once its members have all joined;
 *   <li>{@code start}: when the open loop starts, in {@code System.nanoTime} (CLOCK_MONOTONIC on
 *       Linux, one clock for every process on the machine: that is what lets one process time a
 *       message another sent);
 *   <li>{@code published}: the ids of the messages that will never come (refused or not sent),
 *       written by shard 0 after its drain;
 *   <li>{@code report-I}: shard I's {@link ShardReport};
 *   <li>{@code failed-I}: shard I could not go on, and why; every wait ends on it.
 * </ul>
 *
 * <p>Each file is written under a temporary name and renamed, so a reader never sees half of one.
 */
final class RoomShards {
  /** When shard I sent its first join and got its last {@code joined}, and how many. */
  record JoinSpan(long firstSentNanos, long lastJoinedNanos, int joined) {
    String encode() {
      return firstSentNanos + " " + lastJoinedNanos + " " + joined;
    }

    static JoinSpan decode(String text) {
      String[] f = text.trim().split(" ");
      return new JoinSpan(Long.parseLong(f[0]), Long.parseLong(f[1]), Integer.parseInt(f[2]));
    }
  }

  private static final long POLL_MILLIS = 10;

  private final Path dir;
  private final int shard;
  private final int shards;

  RoomShards(Path dir, int shard, int shards) {
    this.dir = dir;
    this.shard = shard;
    this.shards = shards;
  }

  /**
   * Fails if the directory holds this shard's files of an earlier run: the other shards would read
   * them as this run's.
   */
  void requireFresh() {
    String[] own =
        shard == 0
            ? new String[] {"connected-0", "room", "start", "published"}
            : new String[] {"connected-" + shard, "joined-" + shard, "report-" + shard};
    for (String name : own) {
      if (Files.exists(dir.resolve(name))) {
        throw new RunFailed(
            "--shard-dir "
                + dir
                + " holds "
                + name
                + " of an earlier run: give each run an empty directory");
      }
    }
  }

  boolean publishes() {
    return shard == 0;
  }

  int shard() {
    return shard;
  }

  int shards() {
    return shards;
  }

  void announceConnected(int connections) {
    write("connected-" + shard, Integer.toString(connections));
  }

  /** How many connections every other shard opened, in shard order. */
  List<Integer> awaitOthersConnected(Duration timeout) throws InterruptedException {
    List<Integer> counts = new ArrayList<>();
    for (int i = 1; i < shards; i++) {
      counts.add(
          Integer.parseInt(await("connected-" + i, timeout, "shard " + i + " to connect").trim()));
    }
    return counts;
  }

  void announceRoom(String runId) {
    write("room", runId);
  }

  String awaitRoom(Duration timeout) throws InterruptedException {
    return await("room", timeout, "shard 0 to create the room").trim();
  }

  void announceJoined(JoinSpan span) {
    write("joined-" + shard, span.encode());
  }

  /** Every other shard's join span, in shard order. */
  List<JoinSpan> awaitOthersJoined(Duration timeout) throws InterruptedException {
    List<JoinSpan> spans = new ArrayList<>();
    for (int i = 1; i < shards; i++) {
      spans.add(JoinSpan.decode(await("joined-" + i, timeout, "shard " + i + " to join")));
    }
    return spans;
  }

  void announceStart(long startNanos) {
    write("start", Long.toString(startNanos));
  }

  long awaitStart(Duration timeout) throws InterruptedException {
    return Long.parseLong(await("start", timeout, "shard 0 to start sending").trim());
  }

  void announcePublished(List<Long> neverComing) {
    StringBuilder b = new StringBuilder();
    neverComing.forEach(id -> b.append(id).append('\n'));
    write("published", b.toString());
  }

  List<Long> awaitPublished(Duration timeout) throws InterruptedException {
    String text = await("published", timeout, "shard 0 to finish sending");
    return text.lines().filter(l -> !l.isBlank()).map(Long::parseLong).toList();
  }

  void announceReport(ShardReport report) {
    write("report-" + shard, report.encode());
  }

  /** Every other shard's report, in shard order. */
  List<ShardReport> awaitOthersReports(Duration timeout) throws InterruptedException {
    List<ShardReport> reports = new ArrayList<>();
    for (int i = 1; i < shards; i++) {
      reports.add(ShardReport.decode(await("report-" + i, timeout, "shard " + i + "'s report")));
    }
    return reports;
  }

  /** Tells the other shards that this one stopped, so that none waits for it until its timeout. */
  void announceFailure(String why) {
    try {
      write("failed-" + shard, why);
    } catch (UncheckedIOException e) {
      // Already failing; the others then wait until their own timeout.
    }
  }

  private String await(String name, Duration timeout, String what) throws InterruptedException {
    Path file = dir.resolve(name);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        return Files.readString(file, StandardCharsets.UTF_8);
      } catch (NoSuchFileException absent) {
        // Not there yet.
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      String failure = anotherShardsFailure();
      if (failure != null) {
        throw new RunFailed(failure);
      }
      if (System.nanoTime() > deadline) {
        throw new RunFailed(
            "shard "
                + shard
                + ": waited "
                + Durations.format(timeout)
                + " for "
                + what
                + " ("
                + dir
                + ")");
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  private String anotherShardsFailure() {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String name = p.getFileName().toString();
        if (name.startsWith("failed-") && !name.equals("failed-" + shard)) {
          return "shard " + name.substring("failed-".length()) + " failed: " + Files.readString(p);
        }
      }
      return null;
    } catch (NoSuchFileException gone) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void write(String name, String text) {
    try {
      Files.createDirectories(dir);
      Path tmp = dir.resolve("." + name + ".tmp-" + shard);
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      try {
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
