package dev.roomlog.integrations;

import static dev.roomlog.protocol.settings.SettingType.DURATION;
import static dev.roomlog.protocol.settings.SettingType.INT;
import static dev.roomlog.protocol.settings.SettingType.PATH;
import static dev.roomlog.protocol.settings.SettingType.STRING;

import dev.roomlog.protocol.TopicSet;
import dev.roomlog.protocol.settings.Setting;
import dev.roomlog.protocol.settings.SettingDefs;
import dev.roomlog.protocol.settings.Validator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The integrations worker's settings, declared once (each a flag of {@code roomlog integrations}
 * and {@code roomlog dev}: {@code retryFor} is {@code --retry-for} and {@code ROOMLOG_RETRY_FOR});
 * help text and docs/OPERATIONS.md's table come from them. The brokers and topics come from the
 * command's Kafka options. Immutable; every value checked when built.
 */
public final class IntegrationsSettings {
  /** Every operator setting of the integrations worker, in docs order. */
  public static final SettingDefs DEFS = SettingDefs.flags("ROOMLOG_");

  private static final Pattern GROUP_LEGAL = Pattern.compile("[A-Za-z0-9._-]+");

  public static final String WEBHOOKS_FILE =
      DEFS.define(
          Setting.of(
              "webhooksFile",
              PATH,
              null,
              Validator.any(),
              "a JSON file of webhook subscriptions (id, url, secrets, events, roomPrefix,"
                  + " maxConcurrency, retryFor; docs/INTEGRATIONS.md); none: only those"
                  + " managed through the gateways' /webhooks (roomlog.webhook-subscriptions),"
                  + " which a file's subscription of the same id overrides"));
  public static final String ROUTES_FILE =
      DEFS.define(
          Setting.of(
              "routesFile",
              PATH,
              null,
              Validator.any(),
              "the route integrations (JSON: routeKey, url, twoWay, maxConcurrency, retryFor;"
                  + " docs/INTEGRATIONS.md), the same file the gateways read; none: no routes are"
                  + " called"));
  public static final String ROUTE_DOMAIN_NAME =
      DEFS.define(
          Setting.of(
              "routeDomainName",
              STRING,
              "localhost:8081",
              Validator.required(),
              "`requestContext.domainName` in route events: the management API's host[:port], so"
                  + " that a handler's callback URL (`https://` + domainName) reaches it;"
                  + " `roomlog dev` names its own management port unless given"));
  public static final String GROUP_ID =
      DEFS.define(
          Setting.of(
              "integrationsGroupId",
              STRING,
              "roomlog-integrations",
              Validator.<String>expect(
                  id -> id != null && GROUP_LEGAL.matcher(id).matches(),
                  "letters, digits, '.', '_' or '-'"),
              "the consumer group of the integrations workers, shared by every worker of a"
                  + " deployment: they share room-events' partitions"));
  public static final String START_FROM =
      DEFS.define(
          Setting.of(
              "webhooksStartFrom",
              STRING,
              "latest",
              Validator.<String>expect(
                  s -> "latest".equals(s) || "earliest".equals(s), "latest or earliest"),
              "where a new consumer group starts in room-events: `latest` (events from now on)"
                  + " or `earliest` (the whole history kept); a group with committed offsets"
                  + " resumes from them"));
  public static final String CALL_TIMEOUT =
      DEFS.define(
          Setting.of(
              "callTimeout",
              DURATION,
              Duration.ofSeconds(10),
              Validator.<Duration>expect(d -> d != null && d.toMillis() >= 1, "at least 1 ms"),
              "how long one call may take, connecting and the answer's body included; past it the call failed"));
  public static final String MAX_BATCH_EVENTS =
      DEFS.define(
          Setting.of(
              "maxBatchEvents",
              INT,
              100,
              Validator.between(1, 10_000),
              "room events one call may carry: a room's events that are ready together go in one"
                  + " POST, in seq order"));
  public static final String IN_MEMORY_ATTEMPTS =
      DEFS.define(
          Setting.of(
              "inMemoryAttempts",
              INT,
              4,
              Validator.between(1, 100),
              "calls made from memory before a failing one is parked in the retry topic (its"
                  + " room's later events go behind it there, and other rooms carry on)"));
  public static final String RETRY_BASE_DELAY =
      DEFS.define(
          Setting.of(
              "retryBaseDelay",
              DURATION,
              Duration.ofMillis(500),
              Validator.<Duration>expect(d -> d != null && d.toMillis() >= 1, "at least 1 ms"),
              "the first wait after a failed call; each further failure doubles it (with"
                  + " jitter), up to `retryMaxDelay`"));
  public static final String RETRY_MAX_DELAY =
      DEFS.define(
          Setting.of(
              "retryMaxDelay",
              DURATION,
              Duration.ofMinutes(5),
              Validator.<Duration>expect(d -> d != null && d.toMillis() >= 1, "at least 1 ms"),
              "the longest wait between two calls of one batch, a `Retry-After` included"));
  public static final String RETRY_FOR =
      DEFS.define(
          Setting.of(
              "retryFor",
              DURATION,
              Duration.ofHours(24),
              Validator.<Duration>expect(d -> d != null && d.toMillis() >= 1, "at least 1 ms"),
              "how long a call is retried, from its first attempt, before it goes to the"
                  + " dead-letter topic with the reason; a subscription's `retryFor` wins"));

  /** Fresh events held in memory past which the worker stops reading room-events. */
  static final int MAX_BUFFERED_EVENTS = 10_000;

  private final String bootstrapServers;
  private final TopicSet topics;
  private final Map<String, Object> values;

  private IntegrationsSettings(String bootstrapServers, TopicSet topics, Map<String, ?> given) {
    this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    this.topics = Objects.requireNonNull(topics, "topics");
    this.values = DEFS.complete(given);
    if (retryMaxDelay().compareTo(retryBaseDelay()) < 0) {
      throw new IllegalArgumentException(
          "--retry-max-delay must be at least --retry-base-delay, was "
              + retryMaxDelay()
              + " < "
              + retryBaseDelay());
    }
  }

  public static IntegrationsSettings of(String bootstrapServers, TopicSet topics) {
    return new IntegrationsSettings(bootstrapServers, topics, Map.of());
  }

  /** A copy with the declared setting {@code name} (one of this class's constants) set. */
  public IntegrationsSettings with(String name, Object value) {
    Map<String, Object> changed = new HashMap<>(values);
    changed.put(DEFS.get(name).name(), value);
    return new IntegrationsSettings(bootstrapServers, topics, changed);
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  public TopicSet topics() {
    return topics;
  }

  public Path webhooksFile() {
    return (Path) values.get(WEBHOOKS_FILE);
  }

  public Path routesFile() {
    return (Path) values.get(ROUTES_FILE);
  }

  public String routeDomainName() {
    return (String) values.get(ROUTE_DOMAIN_NAME);
  }

  public String groupId() {
    return (String) values.get(GROUP_ID);
  }

  String startFrom() {
    return (String) values.get(START_FROM);
  }

  Duration callTimeout() {
    return (Duration) values.get(CALL_TIMEOUT);
  }

  int maxBatchEvents() {
    return (Integer) values.get(MAX_BATCH_EVENTS);
  }

  int inMemoryAttempts() {
    return (Integer) values.get(IN_MEMORY_ATTEMPTS);
  }

  Duration retryBaseDelay() {
    return (Duration) values.get(RETRY_BASE_DELAY);
  }

  Duration retryMaxDelay() {
    return (Duration) values.get(RETRY_MAX_DELAY);
  }

  Duration retryFor() {
    return (Duration) values.get(RETRY_FOR);
  }
}
