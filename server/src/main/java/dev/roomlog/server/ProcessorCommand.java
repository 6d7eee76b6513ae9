package dev.roomlog.server;

import dev.roomlog.processor.ProcessorSettings;
import dev.roomlog.processor.RoomProcessor;
import dev.roomlog.processor.query.QueryServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code roomlog processor}: one room processor instance against a cluster. */
@Command(
    name = "processor",
    mixinStandardHelpOptions = true,
    description =
        "Runs one room processor (Kafka Streams, exactly-once) against a Kafka cluster. Start several with the same --application-id to share the work.")
final class ProcessorCommand implements Callable<Integer> {
  @Mixin KafkaOptions kafka;
  @Mixin ProcessorOptions processor;

  @Option(
      names = "--state-dir",
      defaultValue = "${env:ROOMLOG_STATE_DIR:-roomlog-data/streams}",
      description =
          "Local state of the processor, rebuilt from Kafka if lost (env ROOMLOG_STATE_DIR; default ${DEFAULT-VALUE}).")
  Path stateDir;

  @Option(
      names = "--admin-key",
      defaultValue = "${env:ROOMLOG_ADMIN_KEY}",
      description =
          "The key room queries on the query port need (header x-admin-key or Authorization: Bearer); the same on every processor and gateway of a deployment. Without one, room queries are refused (env ROOMLOG_ADMIN_KEY).")
  String adminKey;

  @Override
  public Integer call() throws Exception {
    kafka.validate();
    ProcessorSettings settings =
        processor
            .settings(kafka.bootstrapServers, stateDir, kafka.topics(), kafka.replicationFactor)
            .withLogPartitions(kafka.partitions);
    String queryHost = ProcessorOptions.queryHost(settings);
    TopicProvisioner.ensureTopics(kafka.bootstrapServers, kafka.layout());
    Stack stack = new Stack();
    try {
      PrometheusMetrics metrics = stack.push(new PrometheusMetrics());
      QueryServer queries =
          stack.push(
              QueryServer.bind(
                  settings.queryBindHost(),
                  settings.queryPort(),
                  adminKey,
                  kafka.partitions,
                  metrics::scrape));
      RoomProcessor rooms =
          stack.push(
              new RoomProcessor(
                  settings.withApplicationServer(queryHost + ":" + queries.port()),
                  FatalExit.exitProcess("Roomlog processor"),
                  metrics.registry()));
      rooms.start();
      queries.start(rooms);
      System.out.println(
          "Roomlog processor started against "
              + kafka.bootstrapServers
              + ", query port "
              + queries.port()
              + " (reached as "
              + queryHost
              + ":"
              + queries.port()
              + "; metrics at /metrics)");
    } catch (Exception e) {
      stack.close();
      throw e;
    }
    stack.runUntilShutdown("Roomlog processor");
    return 0;
  }
}
