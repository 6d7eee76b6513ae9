package dev.roomlog.server;

import dev.roomlog.gateway.Gateway;
import dev.roomlog.gateway.settings.ApiKey;
import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.integrations.Integrations;
import dev.roomlog.integrations.IntegrationsSettings;
import dev.roomlog.kafka.EmbeddedKafkaBroker;
import dev.roomlog.processor.ProcessorSettings;
import dev.roomlog.processor.RoomProcessor;
import dev.roomlog.processor.query.QueryServer;
import dev.roomlog.protocol.TopicSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code roomlog dev}: everything in one process on one machine. An embedded Kafka broker (data
 * kept in the data directory across restarts), Roomlog's topics, the room processor, one gateway
 * node with its delivery consumer, and the integrations worker (webhooks).
 */
@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description =
        "Runs Roomlog whole in one process, with an embedded Kafka broker: for trying it out and for development.")
final class DevCommand implements Callable<Integer> {
  static final String DEV_KEY_FILE = DevSecrets.API_KEY_FILE;
  static final String DEV_ADMIN_KEY_FILE = DevSecrets.ADMIN_KEY_FILE;
  static final short DEV_REPLICATION_FACTOR = 1;

  @Option(
      names = "--data-dir",
      defaultValue = "${env:ROOMLOG_DATA_DIR:-roomlog-data}",
      description =
          "Where the broker's log and the processor's state are kept (env ROOMLOG_DATA_DIR; default ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--kafka-port",
      defaultValue = "${env:ROOMLOG_KAFKA_PORT:-9092}",
      description =
          "Port of the embedded Kafka broker; 0 picks a free one (env ROOMLOG_KAFKA_PORT; default ${DEFAULT-VALUE}).")
  int kafkaPort;

  @Option(
      names = "--controller-port",
      defaultValue = "${env:ROOMLOG_CONTROLLER_PORT:-9093}",
      description =
          "Port of the embedded broker's KRaft controller; 0 picks a free one (env ROOMLOG_CONTROLLER_PORT; default ${DEFAULT-VALUE}).")
  int controllerPort;

  /** Dev's partitions at most, by default: see {@link #defaultPartitions}. */
  static final int MAX_DEFAULT_PARTITIONS = 32;

  /** Dev's partitions at least, by default. */
  static final int MIN_DEFAULT_PARTITIONS = 4;

  @Option(
      names = "--partitions",
      defaultValue = "${env:ROOMLOG_PARTITIONS}",
      description =
          "Partitions of each topic when first created (env ROOMLOG_PARTITIONS; default: as many as the data directory's topics already have, else twice this machine's cores, from "
              + MIN_DEFAULT_PARTITIONS
              + " to "
              + MAX_DEFAULT_PARTITIONS
              + ").")
  Integer partitions;

  @Option(
      names = "--tls",
      description =
          "Serves wss:// and https:// with a self-signed certificate for localhost, made once in the data directory (dev-tls.crt, dev-tls.key); --tls-cert-file and --tls-key-file win over it.")
  boolean tls;

  @Mixin GatewayOptions gateway;
  @Mixin ProcessorOptions processor;
  @Mixin IntegrationsOptions integrations;

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(dataDir);
    Stack stack = new Stack();
    try {
      EmbeddedKafkaBroker broker =
          stack.push(new EmbeddedKafkaBroker(dataDir, kafkaPort, controllerPort));
      broker.start();
      String bootstrap = broker.bootstrapServers();
      int partitionCount =
          partitions != null
              ? partitions
              : defaultPartitions(existingPartitions(bootstrap), availableProcessors());
      TopicProvisioner.ensureTopics(
          bootstrap, TopicSet.DEFAULT, partitionCount, DEV_REPLICATION_FACTOR);

      GatewaySettings settings =
          gateway.settings(
              gateway.hasClientKeys()
                  ? List.of()
                  : List.of(new ApiKey("dev", devKey(DEV_KEY_FILE, "dev-"))));
      if (settings.adminKey() == null) {
        settings = settings.toBuilder().adminKey(devKey(DEV_ADMIN_KEY_FILE, "admin-")).build();
      }
      if (settings.awsAccessKeys().isEmpty()) {
        // The AWS SDKs' management clients work out of the box: the banner prints the pair.
        String pair = DevSecrets.awsAccessKey(dataDir);
        int colon = pair.indexOf(':');
        settings =
            settings.toBuilder()
                .awsAccessKey(pair.substring(0, colon), pair.substring(colon + 1))
                .build();
      }
      if (settings.tokenSecret() == null
          && settings.tokenKeysFile() == null
          && settings.tokenJwksUrl() == null) {
        // User tokens work out of the box: `roomlog token` signs with this same secret.
        settings =
            settings.toBuilder()
                .set(GatewaySettings.TOKEN_SECRET, DevSecrets.tokenSecret(dataDir))
                .build();
      }
      if ("off".equals(settings.pages())) {
        // The pages in the browser: with the dev secret the chat page can hand out tokens.
        boolean devSecret = settings.tokenKeysFile() == null && settings.tokenJwksUrl() == null;
        settings =
            settings.toBuilder().set(GatewaySettings.PAGES, devSecret ? "dev" : "on").build();
      }
      if (tls && !settings.tls()) {
        DevCertificate cert = DevCertificate.inDataDir(dataDir, Clock.systemUTC());
        settings =
            settings.toBuilder()
                .set(GatewaySettings.TLS_CERT_FILE, cert.certFile())
                .set(GatewaySettings.TLS_KEY_FILE, cert.keyFile())
                .build();
      }
      if (settings.adminPort() > 0
          && settings.routeDomainName().equals("localhost:" + GatewaySettings.DEFAULT_ADMIN_PORT)) {
        // The $connect route's events name this JVM's management API (the worker's: below).
        settings =
            settings.toBuilder()
                .set(GatewaySettings.ROUTE_DOMAIN_NAME, "localhost:" + settings.adminPort())
                .build();
      }
      IntegrationsSettings integrationsSettings =
          integrations.settings(bootstrap, TopicSet.DEFAULT);
      if (settings.routesFile() == null && integrationsSettings.routesFile() != null) {
        // One routes file: the gateway accepts the actions the worker calls the routes of.
        settings = settings.toBuilder().routesFile(integrationsSettings.routesFile()).build();
      }
      ProcessorSettings processorSettings =
          processor
              .settings(
                  bootstrap, dataDir.resolve("streams"), TopicSet.DEFAULT, DEV_REPLICATION_FACTOR)
              .withLogPartitions(partitionCount);
      // One registry for the gateway and the processor of this one JVM: both ports serve it.
      PrometheusMetrics metrics = stack.push(new PrometheusMetrics());
      QueryServer queries =
          stack.push(
              QueryServer.bind(
                  processorSettings.queryBindHost(),
                  processorSettings.queryPort(),
                  settings.adminKey(),
                  partitionCount,
                  metrics::scrape));
      RoomProcessor rooms =
          stack.push(
              new RoomProcessor(
                  processorSettings.withApplicationServer("localhost:" + queries.port()),
                  FatalExit.exitProcess("Roomlog dev"),
                  metrics.registry()));
      rooms.start();
      queries.start(rooms);
      if (settings.roomsUrls().isEmpty()) {
        // One base URL for the whole management API: the gateway forwards room queries here.
        settings =
            settings.toBuilder().roomsUrls(List.of("http://127.0.0.1:" + queries.port())).build();
      }
      Gateway node =
          stack.push(
              Gateway.start(
                  bootstrap,
                  TopicSet.DEFAULT,
                  settings,
                  metrics.registry(),
                  metrics::scrape,
                  null));
      // The webhooks of room events and the routes, called from the log. Without
      // --webhooks-file or --routes-file there is nothing to call, and the worker is not
      // started: it would read every room event and action for nothing.
      if (integrationsSettings.webhooksFile() != null
          || integrationsSettings.routesFile() != null) {
        stack.push(
            Integrations.start(
                withRouteDomainName(
                    integrationsSettings,
                    integrations.flags.given().containsKey(IntegrationsSettings.ROUTE_DOMAIN_NAME),
                    node.managementPort()),
                failure ->
                    FatalExit.exitProcess(
                            "Roomlog dev", "the integrations worker stopped (see the log above)")
                        .run()));
      }
      Readiness.await(
          "the room processor",
          () -> rooms.state() == KafkaStreams.State.RUNNING,
          Duration.ofSeconds(120));

      DevBanner.print(
          dataDir, bootstrap, node.port(), settings, queries.port(), node.managementPort());
    } catch (Exception e) {
      stack.close();
      throw e;
    }
    stack.runUntilShutdown("Roomlog dev");
    return 0;
  }

  /**
   * The route events' {@code requestContext.domainName}: the management API this JVM serves, unless
   * it was given. Its default (a standalone worker's) is port 8081, which dev's {@code
   * --admin-port} may not be: a handler's callbacks to the event's domainName would miss.
   */
  static IntegrationsSettings withRouteDomainName(
      IntegrationsSettings settings, boolean given, int managementPort) {
    return given
        ? settings
        : settings.with(IntegrationsSettings.ROUTE_DOMAIN_NAME, "localhost:" + managementPort);
  }

  /**
   * Dev's partitions when {@code --partitions} is not given. A data directory that already has the
   * topics keeps their count ({@code existing}; 0 when the log does not exist yet): a topic's
   * partitions cannot change once it holds rooms, and the start check would refuse any other.
   * Otherwise twice the machine's cores, so that the processor's default stream threads (one per
   * core, at most one per partition) all have work, spread over rooms that hash unevenly; from
   * {@value #MIN_DEFAULT_PARTITIONS} (the earlier default was 3) to {@value
   * #MAX_DEFAULT_PARTITIONS}, past which a one-machine broker's start and its changelogs (seven a
   * partition) cost more than the cores it feeds.
   */
  static int defaultPartitions(int existing, int cores) {
    if (existing > 0) {
      return existing;
    }
    return Math.min(MAX_DEFAULT_PARTITIONS, Math.max(MIN_DEFAULT_PARTITIONS, 2 * cores));
  }

  /** The partitions of the data directory's log, 0 if it has none yet. */
  private static int existingPartitions(String bootstrap) {
    TopicCheck.Actual actions =
        TopicProvisioner.describe(
                bootstrap, TopicLayout.of(TopicSet.DEFAULT, 1, DEV_REPLICATION_FACTOR, -1))
            .get(TopicSet.DEFAULT.actions().name());
    return actions == null ? 0 : actions.partitions();
  }

  private static int availableProcessors() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** A dev key: made once per data directory, so a restart keeps the same key. */
  private String devKey(String fileName, String prefix) throws IOException {
    return DevSecrets.readOrCreate(dataDir, fileName, prefix, 18);
  }
}
