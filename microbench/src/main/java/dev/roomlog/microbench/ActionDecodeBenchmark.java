package dev.roomlog.microbench;

import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.ActionParser;
import dev.roomlog.protocol.frame.ErrorCode;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The gateway's first step for every client frame, on the connection's event loop: {@link
 * ActionParser#parse} reads the JSON and validates each field. Rejections are measured too, because
 * a client can send them as fast as valid frames.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ActionDecodeBenchmark {
  // Not final and not static, so that the JIT cannot fold the inputs into constants.
  private String sendMessage;
  private String controlCharacter;
  private String truncated;

  @Setup
  public void checkSamples() {
    sendMessage = Samples.SEND_MESSAGE_JSON;
    controlCharacter = Samples.SEND_MESSAGE_WITH_CONTROL_CHAR_JSON;
    truncated = Samples.TRUNCATED_JSON;
    // A benchmark of the wrong outcome measures nothing useful: check each sample once.
    if (!(ActionParser.parse(sendMessage) instanceof ActionParser.Result.Accepted accepted
        && accepted.action().equals(Samples.sendMessage()))) {
      throw new IllegalStateException("the sample sendMessage is not accepted: " + sendMessage);
    }
    expectRejected(controlCharacter, ErrorCode.INVALID_FIELD);
    expectRejected(truncated, ErrorCode.BAD_JSON);
  }

  private static void expectRejected(String text, ErrorCode code) {
    ActionParser.Result result = ActionParser.parse(text);
    if (!(result instanceof ActionParser.Result.Rejected rejected
        && rejected.error().code().equals(code.code()))) {
      throw new IllegalStateException(
          "expected " + code.code() + " for " + text + ", got " + result);
    }
  }

  /** A valid sendMessage of 100 characters: parsed, validated, turned into an {@link Action}. */
  @Benchmark
  public ActionParser.Result acceptSendMessage() {
    return ActionParser.parse(sendMessage);
  }

  /** Valid JSON refused at the last check (a control character in the text): 400 invalidField. */
  @Benchmark
  public ActionParser.Result rejectControlCharacter() {
    return ActionParser.parse(controlCharacter);
  }

  /** A frame that is not JSON (cut off): Jackson throws, the parser answers 400 badJson. */
  @Benchmark
  public ActionParser.Result rejectTruncatedJson() {
    return ActionParser.parse(truncated);
  }
}
