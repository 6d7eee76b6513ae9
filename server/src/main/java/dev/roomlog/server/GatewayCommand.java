package dev.roomlog.server;

import dev.roomlog.gateway.Gateway;
import dev.roomlog.gateway.settings.GatewaySettings;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code roomlog gateway}: one gateway node (WebSocket server + delivery) against a cluster. */
@Command(
    name = "gateway",
    mixinStandardHelpOptions = true,
    description =
        "Runs one gateway node (WebSocket server, write-ahead-log producer, delivery consumer) against a Kafka cluster.")
final class GatewayCommand implements Callable<Integer> {
  @Mixin KafkaOptions kafka;
  @Mixin GatewayOptions gateway;

  @Override
  public Integer call() throws Exception {
    kafka.validate();
    // Settings first: a bad flag should fail at once, not after waiting for Kafka.
    GatewaySettings settings = gateway.settings(List.of());
    TopicProvisioner.ensureTopics(kafka.bootstrapServers, kafka.layout());
    Stack stack = new Stack();
    PrometheusMetrics metrics = stack.push(new PrometheusMetrics());
    Gateway node;
    try {
      // Gateway closes what it had started when its own start fails.
      node =
          stack.push(
              Gateway.start(
                  kafka.bootstrapServers,
                  kafka.topics(),
                  settings,
                  metrics.registry(),
                  metrics::scrape,
                  why -> FatalExit.exitProcess("Roomlog gateway", why).run()));
    } catch (RuntimeException e) {
      stack.close();
      throw e;
    }
    System.out.println(
        "Roomlog gateway "
            + settings.gatewayId()
            + " listening on port "
            + node.port()
            + " (metrics at /metrics), writing to "
            + kafka.bootstrapServers);
    stack.runUntilShutdown("Roomlog gateway");
    return 0;
  }
}
