package dev.roomlog.server;

import dev.roomlog.integrations.Integrations;
import dev.roomlog.integrations.IntegrationsSettings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code roomlog integrations}: one integrations worker (webhooks) against a cluster. */
@Command(
    name = "integrations",
    mixinStandardHelpOptions = true,
    description =
        "Runs one integrations worker: sends the webhooks of room events (--webhooks-file) and calls the route integrations (--routes-file), retried from Kafka. Start several with the same --integrations-group-id to share the work.")
final class IntegrationsCommand implements Callable<Integer> {
  @Mixin KafkaOptions kafka;
  @Mixin IntegrationsOptions integrations;

  @Override
  public Integer call() throws Exception {
    kafka.validate();
    IntegrationsSettings settings = integrations.settings(kafka.bootstrapServers, kafka.topics());
    TopicProvisioner.ensureTopics(kafka.bootstrapServers, kafka.layout());
    Stack stack = new Stack();
    try {
      Integrations worker =
          stack.push(
              Integrations.start(
                  settings,
                  failure ->
                      FatalExit.exitProcess(
                              "Roomlog integrations",
                              "the integrations worker stopped (see the log above)")
                          .run()));
      System.out.println(
          "Roomlog integrations started against "
              + kafka.bootstrapServers
              + " (group "
              + settings.groupId()
              + ", "
              + worker.subscriptions()
              + " webhook subscriptions, "
              + worker.routes()
              + " routes)");
    } catch (Exception e) {
      stack.close();
      throw e;
    }
    stack.runUntilShutdown("Roomlog integrations");
    return 0;
  }
}
