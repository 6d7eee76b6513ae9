package dev.roomlog.loadtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A counter of the server's own, read from its Prometheus text ({@code --server-counter
 * URL#name{label="value",...}}): what the generator cannot see on the wire. The benchmark reads
 * Roomlog's gateway's count of actions Kafka acknowledged, the rate "into the log", which no frame
 * to the client marks (a sender's answer comes from the processor). The generator only knows the
 * text format, not the server: the series is whatever the flag names.
 */
final class ServerCounter {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private ServerCounter() {}

  /**
   * A metric and the labels its lines must carry; every line that carries them counts, summed.
   *
   * @param text the flag as given, for the result
   */
  record Series(URI url, String name, Map<String, String> labels, String text) {
    Series {
      labels = Map.copyOf(labels);
    }

    /** {@code URL#name} or {@code URL#name{a="x",b="y"}}. */
    static Series parse(String flag) {
      int hash = flag.indexOf('#');
      if (hash <= 0 || hash == flag.length() - 1) {
        throw bad(flag, "expected URL#metric{label=\"value\",...}");
      }
      URI url;
      try {
        url = URI.create(flag.substring(0, hash));
      } catch (IllegalArgumentException e) {
        throw bad(flag, "the URL is not valid");
      }
      if (!"http".equals(url.getScheme()) || url.getHost() == null) {
        throw bad(flag, "the URL must be http://host:port/path");
      }
      String series = flag.substring(hash + 1).strip();
      int brace = series.indexOf('{');
      String name = brace < 0 ? series : series.substring(0, brace);
      Map<String, String> labels = new LinkedHashMap<>();
      if (brace >= 0) {
        if (!series.endsWith("}")) {
          throw bad(flag, "the labels must end with }");
        }
        labels = labels(series.substring(brace + 1, series.length() - 1));
        if (labels == null) {
          throw bad(flag, "labels are name=\"value\", comma-separated");
        }
      }
      if (name.isBlank()) {
        throw bad(flag, "no metric name");
      }
      return new Series(url, name, labels, flag);
    }

    /**
     * The sum of this series' samples in a Prometheus text page (0 when none matches).
     *
     * @throws IllegalArgumentException when no line carries the metric at all: a wrong name would
     *     otherwise read as a server that did nothing
     */
    double sumIn(String page) {
      double sum = 0;
      boolean seen = false;
      for (String line : page.split("\n")) {
        if (line.startsWith("#") || !line.startsWith(name)) {
          continue;
        }
        String rest = line.substring(name.length());
        Map<String, String> have = Map.of();
        if (rest.startsWith("{")) {
          int end = rest.indexOf('}');
          if (end < 0) {
            continue;
          }
          have = labels(rest.substring(1, end));
          rest = rest.substring(end + 1);
        } else if (!rest.startsWith(" ")) {
          continue; // another metric whose name starts with this one
        }
        seen = true;
        if (have == null || !have.entrySet().containsAll(labels.entrySet())) {
          continue;
        }
        String[] value = rest.strip().split("\\s+");
        sum += Double.parseDouble(value[0]);
      }
      if (!seen) {
        throw new IllegalArgumentException("--server-counter: no metric " + name + " at " + url);
      }
      return sum;
    }

    /**
     * {@code a="x",b="y"} (no commas or quotes inside the values, as Roomlog's are); null if not.
     */
    private static Map<String, String> labels(String text) {
      Map<String, String> m = new LinkedHashMap<>();
      for (String pair : text.split(",")) {
        if (pair.isBlank()) {
          continue;
        }
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          return null;
        }
        String v = pair.substring(eq + 1).strip();
        if (v.length() < 2 || !v.startsWith("\"") || !v.endsWith("\"")) {
          return null;
        }
        m.put(pair.substring(0, eq).strip(), v.substring(1, v.length() - 1));
      }
      return m;
    }

    private static IllegalArgumentException bad(String flag, String why) {
      return new IllegalArgumentException("--server-counter '" + flag + "': " + why);
    }
  }

  /** One reading: the counter's value and when it was read ({@link System#nanoTime()}). */
  record Reading(double value, long atNanos) {
    /** Per second, from {@code earlier} to this one. */
    double ratePerSecondSince(Reading earlier) {
      long nanos = atNanos - earlier.atNanos;
      return nanos <= 0 ? 0 : (value - earlier.value) / (nanos / 1e9);
    }
  }

  /** Reads the series now; the time is taken half-way through the request. */
  static Reading read(HttpClient http, Series s) throws IOException, InterruptedException {
    long start = System.nanoTime();
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(s.url()).timeout(TIMEOUT).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    long end = System.nanoTime();
    if (r.statusCode() != 200) {
      throw new IOException("--server-counter: " + s.url() + " answered " + r.statusCode());
    }
    return new Reading(s.sumIn(r.body()), start + (end - start) / 2);
  }

  /**
   * Reads the series at a window's start and end, on a thread of its own, so that the sender's
   * schedule never waits for the server's metrics page.
   */
  static final class Window {
    private final CompletableFuture<Double> rate = new CompletableFuture<>();

    private Window(Series s, long fromNanos, long toNanos) {
      Thread t =
          new Thread(
              () -> {
                HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
                try {
                  // A first request before the window: a cold client (class loading, the JIT,
                  // on a busy machine) took seconds, and a reading that late measures nothing.
                  read(http, s);
                  sleepUntil(fromNanos);
                  Reading first = read(http, s);
                  sleepUntil(toNanos);
                  Reading second = read(http, s);
                  if (first.atNanos() - fromNanos > (toNanos - fromNanos) / 4) {
                    throw new IOException(
                        "the window's first reading came "
                            + (first.atNanos() - fromNanos) / 1_000_000
                            + " ms late");
                  }
                  rate.complete(second.ratePerSecondSince(first));
                } catch (IOException | RuntimeException e) {
                  rate.completeExceptionally(e);
                } catch (InterruptedException e) {
                  rate.completeExceptionally(e);
                  Thread.currentThread().interrupt();
                }
              },
              "server-counter");
      t.setDaemon(true);
      t.start();
    }

    static Window start(Series s, long fromNanos, long toNanos) {
      return new Window(s, fromNanos, toNanos);
    }

    /** The counter's rate over the window; waits for the second reading. */
    double ratePerSecond() throws IOException, InterruptedException {
      try {
        return rate.get();
      } catch (ExecutionException e) {
        throw new IOException(e.getCause().getMessage(), e.getCause());
      }
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
      long left = nanos - System.nanoTime();
      if (left > 0) {
        Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
      }
    }
  }
}
