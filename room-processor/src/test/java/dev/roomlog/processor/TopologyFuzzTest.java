package dev.roomlog.processor;

import static dev.roomlog.protocol.fuzz.JsonFuzz.between;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.quicktheories.QuickTheory.qt;

import dev.roomlog.processor.Fixtures.Client;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.frame.ServerFrame;
import dev.roomlog.protocol.fuzz.JsonFuzz;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;

/**
 * Throws hostile records at the real topology, as a foreign writer or a broken gateway could put
 * them in the log: WAL-shaped JSON whose every field may be of the wrong type, ill-formed (unpaired
 * surrogates), out of range (times before 1970 or past a long) or naming rooms, connections and
 * gateway runs the stores know; JSON that is not a WAL record; bytes that are not JSON. Asserts
 * what the platform relies on: no record makes the topology throw, and after each one a
 * well-behaved client still gets its room created and its message applied.
 *
 * <p>One driver serves all examples, so records also meet the state earlier ones left.
 */
class TopologyFuzzTest {
  /**
   * Each record is a transaction of the driver's (about 20 ms here); together with the parser's
   * fuzz suite, which covers the text itself far faster, this many finds the classes of poison (the
   * first run found a JSON null that stopped the stage).
   */
  private static final int EXAMPLES = 400;

  private static final List<String> ROOMS = List.of("lobby", "r2", "r-x");
  private static final List<String> GATEWAYS = List.of("gw-a", "gw-b");
  private static final List<String> RUNS =
      List.of("1-aaaa", "2-bbbb", Fixtures.run("gw-a", 1), "0-old", "9999999999999-future");
  private static final List<String> CONNECTIONS =
      List.of("gw-a.c1", "gw-a.c2", "gw-b.c3", "$server");
  private static final List<String> EVENT_TYPES =
      List.of("MESSAGE", "CONNECT", "DISCONNECT", "HEARTBEAT", "message", "OTHER");
  private static final List<String> TIMES =
      List.of(
          "0",
          "-1",
          String.valueOf(Long.MIN_VALUE),
          String.valueOf(Long.MAX_VALUE),
          "1711924352000",
          "1711924399000",
          "1.5",
          "\"1711924352000\"",
          "null");

  @TempDir Path stateDir;
  private TopologyHarness h;
  private final AtomicLong probes = new AtomicLong();

  @BeforeEach
  void start() {
    h = new TopologyHarness(stateDir, "fuzz-test");
  }

  @AfterEach
  void stop() {
    h.close();
  }

  @Test
  void noRecordStopsTheTopologyAndRoomsGoOnAfterEach() {
    // No shrinking: the driver is shared, so a smaller case would meet other state; the failing
    // case is reported as found.
    qt().withExamples(EXAMPLES)
        .withShrinkCycles(0)
        .forAll(record())
        .checkAssert(
            r -> {
              assertDoesNotThrow(
                  () -> h.rawActions.pipeInput(r.key(), r.value().getBytes(StandardCharsets.UTF_8)),
                  r.toString());
              probe(r);
            });
  }

  @Test
  void randomBytesNeverStopTheTopology() {
    qt().withExamples(EXAMPLES / 4)
        .withShrinkCycles(0)
        .forAll(bytes())
        .checkAssert(
            b -> {
              assertDoesNotThrow(() -> h.rawActions.pipeInput("lobby", b));
              probe("lobby");
            });
  }

  /** A client on a gateway run the fuzz never names creates a room and talks in it. */
  private void probe(Object after) {
    h.deliveries.readRecordsToList();
    h.roomEvents.readRecordsToList();
    h.deadLetters.readRecordsToList();
    long n = probes.incrementAndGet();
    Client client = Client.on("gw-probe", "gw-probe.p" + n);
    long at = 1_711_924_352_000L + n;
    String room = "probe-" + n;
    h.send(client.wal(at, new Action.CreateRoom("c", "prober", room, null)));
    h.send(client.wal(at, new Action.SendMessage("m", room, "ok", null)));
    List<ServerFrame> answers =
        h.deliveries.readValuesToList().stream().map(TopologyHarness::frame).toList();
    assertEquals(2, answers.size(), "after " + after + ": " + answers);
    assertInstanceOf(ServerFrame.RoomCreated.class, answers.get(0), "after " + after);
    assertInstanceOf(ServerFrame.Message.class, answers.get(1), "after " + after);
    assertEquals(3, h.roomEvents.readValuesToList().size(), "after " + after);
  }

  private record Raw(String key, String value) {}

  private static Gen<Raw> record() {
    return in -> {
      String key = pickOr(in, ROOMS, JsonFuzz.anyText(8));
      String value =
          switch (between(in, 0, 9)) {
            case 0 -> JsonFuzz.frame().generate(in);
            case 1 -> JsonFuzz.value(3).generate(in);
            default -> walShaped(in);
          };
      return new Raw(key, value);
    };
  }

  private static Gen<byte[]> bytes() {
    return in -> {
      byte[] b = new byte[between(in, 0, 64)];
      for (int i = 0; i < b.length; i++) {
        b[i] = (byte) between(in, 0, 255);
      }
      return b;
    };
  }

  /**
   * The shape a gateway writes, with hostile values: in a quarter of records none (only the names
   * and times are unusual), in half exactly one field, in the rest any field. So most records are
   * read and reach the logic and the stores, and the rest probe the decoding.
   */
  private static String walShaped(RandomnessSource in) {
    Hostility h =
        switch (between(in, 0, 3)) {
          case 0 -> new Hostility(-1, false);
          case 1, 2 -> new Hostility(between(in, 0, 13), false);
          default -> new Hostility(-1, true);
        };
    StringBuilder s = new StringBuilder("{");
    s.append("\"action\":")
        .append(h.quoted(in, JsonFuzz.ACTIONS.get(between(in, 0, JsonFuzz.ACTIONS.size() - 1))));
    for (String field : List.of("roomId", "username", "text", "requestId", "clientMsgId")) {
      if (between(in, 0, 5) > 0) {
        String plain =
            field.equals("roomId")
                ? ROOMS.get(between(in, 0, ROOMS.size() - 1))
                : "v" + between(in, 0, 3);
        s.append(",\"").append(field).append("\":").append(h.quoted(in, plain));
      }
    }
    if (between(in, 0, 2) == 0) {
      s.append(",\"afterSeq\":")
          .append(
              h.hostile()
                  ? JsonFuzz.numberLiteral().generate(in)
                  : String.valueOf(between(in, 0, 12)));
    }
    if (!h.all || between(in, 0, 10) > 0) {
      s.append(",\"requestContext\":{");
      s.append("\"routeKey\":").append(h.quoted(in, "sendMessage"));
      s.append(",\"eventType\":").append(h.quoted(in, EVENT_TYPES.get(between(in, 0, 3))));
      if (!h.all || between(in, 0, 8) > 0) {
        s.append(",\"connectionId\":")
            .append(h.quoted(in, CONNECTIONS.get(between(in, 0, CONNECTIONS.size() - 1))));
      }
      s.append(",\"connectedAt\":").append(h.time(in));
      s.append(",\"requestTimeEpoch\":").append(h.time(in));
      s.append(",\"requestId\":").append(h.quoted(in, "req-" + between(in, 0, 5)));
      s.append(",\"identity\":")
          .append(h.hostile() ? JsonFuzz.value(1).generate(in) : "{\"sourceIp\":\"127.0.0.1\"}");
      s.append(",\"gatewayId\":")
          .append(h.quoted(in, GATEWAYS.get(between(in, 0, GATEWAYS.size() - 1))));
      if (between(in, 0, 5) > 0) {
        s.append(",\"gatewayInstance\":")
            .append(h.quoted(in, RUNS.get(between(in, 0, RUNS.size() - 1))));
      }
      s.append('}');
    }
    return s.append('}').toString();
  }

  /** Which fields of one record get hostile values: the {@code target}-th, or all, or none. */
  private static final class Hostility {
    /** The first six of {@link #TIMES} are numbers a long holds. */
    private static final int VALID_TIMES = 6;

    private final int target;
    private final boolean all;
    private int field;

    Hostility(int target, boolean all) {
      this.target = target;
      this.all = all;
    }

    /** Whether the next field is hostile (counts it). */
    boolean hostile() {
      return all || field++ == target;
    }

    /** The plain value as a JSON string, or a hostile JSON value. */
    String quoted(RandomnessSource in, String plain) {
      if (!hostile()) {
        return "\"" + plain + "\"";
      }
      return between(in, 0, 1) == 0
          ? JsonFuzz.stringLiteral().generate(in)
          : JsonFuzz.value(1).generate(in);
    }

    /** A time: in range, at the edges of a long, or (when hostile) not a number at all. */
    String time(RandomnessSource in) {
      return TIMES.get(
          hostile() ? between(in, 0, TIMES.size() - 1) : between(in, 0, VALID_TIMES - 1));
    }
  }

  private static String pickOr(RandomnessSource in, List<String> known, Gen<String> other) {
    return between(in, 0, 3) > 0 ? known.get(between(in, 0, known.size() - 1)) : other.generate(in);
  }
}
