package dev.roomlog.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * The roomlog command's logging: logback, set up in code from {@code --log-format} and {@code
 * --log-level} before a command runs. Every line goes to stderr, never stdout: stdout carries what
 * a command prints as its result (the records of {@code tail} and {@code replay}, the banner of
 * {@code dev}).
 *
 * <p>A logback file named by {@code -Dlogback.configurationFile} replaces all of it: {@link
 * #configure} then leaves logback as that file set it.
 *
 * <p>Threading: {@link #configure} replaces the whole configuration; call it from the thread that
 * starts the command, before the command starts anything else.
 */
final class Logging {
  static final String FORMAT_ENV = "ROOMLOG_LOG_FORMAT";
  static final String LEVEL_ENV = "ROOMLOG_LOG_LEVEL";

  /** Roomlog's own loggers: a bare level in {@code --log-level} is theirs. */
  static final String ROOMLOG_LOGGERS = "dev.roomlog";

  static final Level ROOMLOG_DEFAULT = Level.INFO;

  /**
   * Kafka's and Netty's loggers and the rest: at INFO, Kafka logs every config and rebalance step.
   */
  static final Level OTHERS_DEFAULT = Level.WARN;

  /** As slf4j-simple printed them before: time, level, the logger's simple name, message. */
  static final String TEXT_PATTERN = "%d{HH:mm:ss.SSS} %level %logger{0} - %msg%n";

  private static final String CONFIGURATION_FILE_PROPERTY = "logback.configurationFile";

  private Logging() {}

  /** How each log line is written. */
  enum Format {
    /** One line per event for people (a stack trace continues on the lines after it). */
    TEXT,
    /** One JSON object per line, the stack trace inside it: for log shippers. */
    JSON;

    /** {@code text} or {@code json}, any case; throws naming the setting otherwise. */
    static Format parse(String value) {
      String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
      for (Format f : values()) {
        if (f.name().toLowerCase(Locale.ROOT).equals(v)) {
          return f;
        }
      }
      throw new IllegalArgumentException(
          "--log-format (env " + FORMAT_ENV + ") must be text or json, was '" + value + "'");
    }
  }

  /**
   * The level of each logger that differs from the defaults ({@value #ROOMLOG_LOGGERS} at INFO,
   * everything else at WARN), in the order given; {@code root} names every logger.
   */
  record Levels(Map<String, Level> byLogger) {
    Levels {
      byLogger = Collections.unmodifiableMap(new LinkedHashMap<>(byLogger));
    }

    /**
     * {@code LEVEL} or {@code LOGGER=LEVEL}, comma-separated; a bare level is Roomlog's own
     * loggers'. Levels: trace, debug, info, warn, error, off, in any case.
     *
     * @throws IllegalArgumentException naming the setting and the part it could not read
     */
    static Levels parse(String spec) {
      Map<String, Level> levels = new LinkedHashMap<>();
      for (String part : (spec == null ? "" : spec).split(",", -1)) {
        String item = part.strip();
        if (item.isEmpty()) {
          continue;
        }
        int eq = item.indexOf('=');
        String logger = eq < 0 ? ROOMLOG_LOGGERS : item.substring(0, eq).strip();
        String levelName = eq < 0 ? item : item.substring(eq + 1).strip();
        Level level = levelName.isEmpty() ? null : Level.toLevel(levelName, null);
        if (logger.isEmpty() || level == null || level == Level.ALL) {
          throw new IllegalArgumentException(
              "--log-level (env "
                  + LEVEL_ENV
                  + ") takes LEVEL or LOGGER=LEVEL, comma-separated, with"
                  + " LEVEL one of trace, debug, info, warn, error, off: cannot read '"
                  + item
                  + "'");
        }
        levels.put(
            logger.equalsIgnoreCase("root") ? org.slf4j.Logger.ROOT_LOGGER_NAME : logger, level);
      }
      return new Levels(levels);
    }
  }

  /**
   * Replaces logback's configuration: one appender on stderr in {@code format}, the default levels,
   * then {@code levels}. Does nothing when {@code -Dlogback.configurationFile} names a file.
   */
  static void configure(Format format, Levels levels) {
    if (System.getProperty(CONFIGURATION_FILE_PROPERTY) != null) {
      return;
    }
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();

    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("stderr");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder(format, context));
    stderr.start();

    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(OTHERS_DEFAULT);
    root.addAppender(stderr);
    context.getLogger(ROOMLOG_LOGGERS).setLevel(ROOMLOG_DEFAULT);
    levels.byLogger().forEach((name, level) -> context.getLogger(name).setLevel(level));
  }

  private static Encoder<ILoggingEvent> encoder(Format format, LoggerContext context) {
    return switch (format) {
      case TEXT -> text(context);
      case JSON -> json(context);
    };
  }

  private static Encoder<ILoggingEvent> text(LoggerContext context) {
    PatternLayoutEncoder text = new PatternLayoutEncoder();
    text.setContext(context);
    text.setPattern(TEXT_PATTERN);
    text.start();
    return text;
  }

  /**
   * logback's own JSON encoder: timestamp (epoch milliseconds), level, threadName, loggerName,
   * formattedMessage and, with an exception, throwable (class, message, frames, causes). Left out:
   * the message's template and arguments, the context, sequence numbers and the empty MDC, which
   * would repeat on every line what the other fields already say.
   */
  private static Encoder<ILoggingEvent> json(LoggerContext context) {
    JsonEncoder json = new JsonEncoder();
    json.setContext(context);
    json.setWithFormattedMessage(true);
    json.setWithMessage(false);
    json.setWithArguments(false);
    json.setWithContext(false);
    json.setWithSequenceNumber(false);
    json.setWithNanoseconds(false);
    json.setWithMDC(false);
    json.start();
    return json;
  }
}
