package dev.roomlog.loadtest;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code roomlog-loadtest}: runs one scenario against a running server and reports it. Exit code 0
 * when the run completed (whatever it measured, errors included: they are in the report), 1 when it
 * could not go on (connections refused, rooms not set up), 2 for bad flags.
 */
@Command(
    name = "roomlog-loadtest",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Load-tests a chat server over WebSocket: open-loop sending at a fixed rate, latency in HdrHistogram"
          + " measured from each message's intended send time (corrected for coordinated omission).",
      "Scenarios: ingest, chat, fanout, connections, reconnect. See loadtest/README.md."
    })
public final class LoadTestCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--scenario",
      defaultValue = "chat",
      description = "ingest | chat | fanout | connections | reconnect (default ${DEFAULT-VALUE}).")
  String scenario;

  @Option(
      names = "--target",
      defaultValue = "127.0.0.1:8080",
      description = "host:port of the server's WebSocket (default ${DEFAULT-VALUE}).")
  String target;

  @Option(
      names = "--also-target",
      description =
          "Another gateway of the same server (repeatable): connections go to the targets in turn,"
              + " --target first.")
  List<String> alsoTargets = new ArrayList<>();

  @Option(
      names = "--protocol",
      defaultValue = "roomlog",
      description =
          "How to speak to the server: roomlog (Roomlog and the bare Netty baseline) or socketio (the Socket.IO peer) (default ${DEFAULT-VALUE}).")
  String protocol;

  @Option(
      names = "--api-key",
      defaultValue = "${env:ROOMLOG_API_KEY}",
      description = "Sent as x-api-key on each upgrade (env ROOMLOG_API_KEY).")
  String apiKey;

  @Option(
      names = "--duration",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description =
          "The measured window; connections: how long they are held (default ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(
      names = "--warmup",
      defaultValue = "2s",
      converter = DurationConverter.class,
      description = "Sending before the measured window, not measured (default ${DEFAULT-VALUE}).")
  Duration warmup;

  @Option(
      names = "--rate",
      description =
          "Messages per second, all senders together (default by scenario: ingest 1000, chat 200, fanout 100, reconnect 200).")
  Double rate;

  @Option(
      names = "--connections",
      description =
          "Connections to open (default by scenario: ingest 50, chat 100, fanout 1000, connections 1000, reconnect 100).")
  Integer connections;

  @Option(
      names = "--room-size",
      description =
          "Members per room (default: chat and reconnect 10, ingest 1, fanout all the connections).")
  Integer roomSize;

  @Option(
      names = "--source-addresses",
      defaultValue = "8",
      description =
          "Against a loopback target, open connections from 127.0.0.1..127.0.0.N (default ${DEFAULT-VALUE}).")
  int sourceAddresses;

  @Option(
      names = "--connect-rate",
      defaultValue = "1000",
      description = "New connections per second (default ${DEFAULT-VALUE}).")
  double connectRate;

  @Option(
      names = "--setup-rate",
      defaultValue = "1000",
      description =
          "createRoom/joinRoom requests per second while setting up (default ${DEFAULT-VALUE}).")
  double setupRate;

  @Option(
      names = "--connect-timeout",
      defaultValue = "15s",
      converter = DurationConverter.class,
      description = "How long to wait for connections and room answers (default ${DEFAULT-VALUE}).")
  Duration connectTimeout;

  @Option(
      names = "--drain-timeout",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description =
          "After sending ends, how long a message may take to reach every member before it counts as a timeout (default ${DEFAULT-VALUE}).")
  Duration drainTimeout;

  @Option(
      names = "--message-size",
      defaultValue = "64",
      description = "Characters of message text (default ${DEFAULT-VALUE}).")
  int messageSize;

  @Option(
      names = "--messages-per-room",
      defaultValue = "10",
      description =
          "reconnect: messages each room gets before the drop, at most 50 (default ${DEFAULT-VALUE}).")
  int messagesPerRoom;

  @Option(
      names = "--server-pid",
      description =
          "A server JVM's pid (repeatable); their heap after GC, summed, is read with jcmd before the"
              + " first connection and once all are open (message scenarios: once all are in their rooms).")
  List<Long> serverPids = new ArrayList<>();

  @Option(
      names = "--server-counter",
      description =
          "URL#metric{label=\"value\",...}: a counter in the server's Prometheus text, read at the"
              + " measured window's start and end; its rate is serverCounterPerSecond.")
  String serverCounter;

  @Option(
      names = "--shard",
      defaultValue = "0/1",
      description =
          "fanout: I/N plays part I of one room of N generator processes (default ${DEFAULT-VALUE});"
              + " part 0 creates the room, publishes and reports the whole room. For rooms larger"
              + " than one process's descriptor limit.")
  String shard;

  @Option(
      names = "--shard-dir",
      description = "The empty directory the processes of a --shard room share.")
  Path shardDir;

  @Option(names = "--out", description = "Write the result as JSON to this file.")
  Path resultFile;

  @Option(
      names = "--plots",
      description =
          "Write PNG plots (latency by percentile, throughput over time) into this directory.")
  Path plots;

  @Option(names = "--quiet", description = "No progress line.")
  boolean quiet;

  @Option(
      names = "--io-threads",
      description = "Event-loop threads for the connections (default: one per core).")
  Integer ioThreads;

  public static void main(String[] args) {
    System.exit(new CommandLine(new LoadTestCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    // picocli's writers (System.out/err unless a caller such as a test sets its own).
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    LoadTestConfig cfg;
    try {
      cfg = config();
    } catch (IllegalArgumentException e) {
      err.println("roomlog-loadtest: " + e.getMessage());
      err.flush();
      return 2;
    }
    if (!isLoopback(cfg.host())) {
      err.println(
          "roomlog-loadtest: note: "
              + cfg.target()
              + " is not a loopback address; load only servers you run.");
    }
    // The plots are drawn off-screen; without this, AWT may look for a display.
    System.setProperty("java.awt.headless", "true");
    RunResult result;
    try {
      result = LoadTest.run(cfg, quiet ? null : err);
    } catch (RunFailed e) {
      err.println("roomlog-loadtest: " + e.getMessage());
      err.flush();
      return 1;
    } catch (UnknownHostException e) {
      err.println("roomlog-loadtest: --target: unknown host " + cfg.host());
      err.flush();
      return 2;
    } catch (IOException e) {
      // jcmd missing or refused (--server-pid), and the like: one line, no stack trace.
      err.println("roomlog-loadtest: " + e.getMessage());
      err.flush();
      return 1;
    }
    out.print(ResultTable.format(result));
    out.flush();
    if (resultFile != null) {
      Path parent = resultFile.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(resultFile, ResultJson.toJson(result), StandardCharsets.UTF_8);
      err.println("result: " + resultFile);
    }
    if (plots != null) {
      for (Path p : Plots.write(result, plots)) {
        err.println("plot: " + p);
      }
    }
    err.flush();
    return 0;
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      // The pool reports it when it connects; nothing to warn about here.
      return true;
    }
  }

  private LoadTestConfig config() {
    Scenario s = Scenario.of(scenario);
    Target t = Target.parse(target);
    int n = LoadTestConfig.connectionsOrDefault(s, connections);
    return new LoadTestConfig(
        s,
        t.host(),
        t.port(),
        protocol,
        apiKey == null || apiKey.isBlank() ? null : apiKey,
        duration,
        warmup,
        LoadTestConfig.rateOrDefault(s, rate),
        n,
        LoadTestConfig.roomSizeOrDefault(s, roomSize, n),
        sourceAddresses,
        connectRate,
        setupRate,
        connectTimeout,
        drainTimeout,
        messageSize,
        messagesPerRoom,
        serverPids,
        ioThreads != null ? ioThreads : Runtime.getRuntime().availableProcessors(),
        alsoTargets.stream().map(Target::parse).toList(),
        serverCounter == null ? null : ServerCounter.Series.parse(serverCounter),
        shardPart(0),
        shardPart(1),
        shardDir);
  }

  /** Part {@code i} of {@code --shard I/N}. */
  private int shardPart(int i) {
    String[] parts = shard.split("/", -1);
    try {
      if (parts.length != 2) {
        throw new NumberFormatException();
      }
      return Integer.parseInt(parts[i].trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--shard must be I/N, e.g. 0/4, got '" + shard + "'");
    }
  }

  /** Durations as the other flags of Roomlog write them: 500ms, 10s, 2m. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return Durations.parse(value);
    }
  }
}
