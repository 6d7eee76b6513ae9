package dev.roomlog.server;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.TopicConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code roomlog topics create|check}: make Roomlog's topics before the first node starts (a
 * deployment step of its own, e.g. docker-compose's {@code topics} service), or check a cluster's
 * topics against the settings without starting anything. Gateways and processors do the same at
 * start-up.
 */
@Command(
    name = "topics",
    mixinStandardHelpOptions = true,
    description = "Creates or checks Roomlog's topics on a Kafka cluster.",
    subcommands = {TopicsCommand.Create.class, TopicsCommand.Check.class})
final class TopicsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description =
          "Creates the missing topics, then checks them all against the settings; exits 2 if one differs. Existing topics are never altered.")
  static final class Create implements Callable<Integer> {
    @Mixin KafkaOptions kafka;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      kafka.validate();
      TopicLayout layout = kafka.layout();
      TopicProvisioner.ensureTopics(kafka.bootstrapServers, layout);
      printTopics(spec.commandLine().getOut(), kafka.bootstrapServers, layout);
      return 0;
    }
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description =
          "Checks the topics against the settings without changing anything; exits 2 and names every difference if one is missing or differs.")
  static final class Check implements Callable<Integer> {
    @Mixin KafkaOptions kafka;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      kafka.validate();
      TopicLayout layout = kafka.layout();
      TopicProvisioner.throwIfMismatched(
          kafka.bootstrapServers, TopicProvisioner.check(kafka.bootstrapServers, layout));
      printTopics(spec.commandLine().getOut(), kafka.bootstrapServers, layout);
      return 0;
    }
  }

  private static void printTopics(PrintWriter out, String bootstrapServers, TopicLayout layout) {
    Map<String, TopicCheck.Actual> topics = TopicProvisioner.describe(bootstrapServers, layout);
    out.printf("Roomlog's topics on %s match the settings:%n", bootstrapServers);
    out.printf(
        "  %-32s %10s %12s %19s %14s%n",
        "topic", "partitions", "replication", "min.insync.replicas", "retention.ms");
    for (String name : layout.wanted().stream().map(TopicLayout.Wanted::name).toList()) {
      TopicCheck.Actual topic = topics.get(name);
      out.printf(
          "  %-32s %10d %12d %19s %14s%n",
          name,
          topic.partitions(),
          topic.replicationFactor(),
          topic.configs().get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG),
          topic.configs().get(TopicConfig.RETENTION_MS_CONFIG));
    }
    out.flush();
  }
}
